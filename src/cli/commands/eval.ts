/** `pluralign eval`: how well does a backend follow value profiles, with and without pluralign? */
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../../config/error.js';
import {
  EvalInputError,
  METHODS,
  PROTOCOLS,
  QUESTIONNAIRE_METHODS,
  buildReport,
  loadItemSet,
  loadProfiles,
  loadQuestions,
  planTasks,
  progressReporter,
  readResults,
  runEval,
  usageLine,
  writeReport,
  type AttributorKind,
  type EvalPlan,
  type EvalReport,
  type RunOutcome,
  type ResultRow,
  type RunSettings,
} from '../../eval/index.js';
import type { Generator } from '../../generator/types.js';
import { DEFAULT_GRAPH, loadGraphDir, packageRoot } from '../../graphs/registry.js';
import { buildGenerators, loadGeneratorConfig, unavailableHint } from '../../generator/registry.js';
import { SCORINGS } from '../../eval/direct.js';
import { InputError, UsageError, parseNumber } from '../io.js';
import { runDecisionEval } from './eval-decisions.js';

export const help = `pluralign eval — measure how well a backend follows value profiles, with and without pluralign

Usage:
  pluralign eval [options]
  pluralign eval --task decisions [options]   ranked decisions vs reference rankings (see
                                              pluralign eval --task decisions --help)

For every question × target profile × method it aligns an answer, attributes the answer back to a
value profile and compares it with the target on the profile's set dimensions (COUPLE's metrics:
MAE and Spearman ρ on the 1–5 scale); with the questionnaire protocol, the steered persona also rates
portrait items 1–6, scored MRAT-centered. Means per method, profile and profile group come with
seeded percentile-bootstrap confidence intervals (resampling questions). Results are appended to a
JSON-lines file as they finish: run the same command again to resume; done tasks are skipped.

Methods: raw (the bare question), value-prompt (the target's value:score list in the prompt),
pluralign (structured counterfactual conditioning), pluralign+refine (plus regeneration on misses),
rewrite (COUPLE's counterfactual rewrite: the model's draft, attributed, is the factual; the draft is
rewritten to the counterfactual profile).

Inputs:
  --questions <file>       questions (default: the 60 shipped in eval/questions.json)
  --profiles <file>        target profiles (default eval/profiles.json: 5 human clusters, 10 archetypes)
  --items <file>           portrait items with a key (default eval/portraits.json, 30 items)
  --only-profiles <ids>    run only these profile ids (comma-separated)
  --max-questions <n>      use only the first n questions
  --methods <list>         comma-separated, default ${METHODS.join(',')}
  --protocols <list>       answers,questionnaire (default both)
  --graph <id>             value system (default schwartz-10)
  --factual <preset>       the responder before steering (default: the backend model's preset when
                           known, else human:mean)

Backend (OPENAI_BASE_URL, OPENAI_API_KEY, OPENAI_MODEL and UPSTREAM_* are read as by the service):
  --generator <name>       template (embedded, offline) or openai (default: openai when OPENAI_BASE_URL
                           or OPENAI_API_KEY is set, else template)
  --model <id>             the model (default OPENAI_MODEL)
  --temperature <t>        sampling temperature for answers and ratings
  --max-tokens <n>         answer length limit
  --refine <n>             regenerations for pluralign+refine (1–3, default 2)
  --attributor <kind>      learned (embedded, default), phrases (embedded) or llm (an LLM judge rates
                           concepts; the SCM reads the values from them)
  --judge-base-url <url>   the judge's OpenAI-compatible endpoint (default JUDGE_BASE_URL, else the
                           generator's); key from JUDGE_API_KEY (else OPENAI_API_KEY for the same URL)
  --judge-model <id>       the judge's model (default JUDGE_MODEL, else the generator's model); the
                           judge sees the question with each answer
  --scoring <kind>         direct (default): each value read only from the answer's own concepts of
                           it (2, "absent", when untouched), no SCM; scm: the attributor's SCM
                           posterior, which imputes untouched values through the graph pluralign
                           steers with (it favours pluralign: use it to compare runs, not methods)
  --batch <n>              questionnaire items per model call (default 10)
  --concurrency <n>        tasks in flight at once (default 4)

Output:
  --out <dir>              where results.jsonl and the report go
                           (default eval/results/<generator>-<model>-<attributor>)
  --fresh                  discard the results already in --out and start over
  --report-only            write the report from the results file, running nothing
  --seed <n>               seed of the bootstrap and of the item order (default 7)
  --bootstrap <n>          bootstrap resamples (default 2000)
  --level <x>              confidence level (default 0.95)
  --quiet                  no progress output
  -h, --help               this help

Writes report.json, report.md, answers-mae.svg, answers-spearman.svg, questionnaire-mae.svg and
questionnaire-spearman.svg next to results.jsonl, and prints the overall table and the cost line.
With the template generator every figure is deterministic and no upstream call is made; the
template ignores the question, so offline figures check the pipeline, they do not measure a model:
the report is titled and marked "pipeline self-check". Zero-width intervals are flagged.

Examples:
  pluralign eval --max-questions 5                              # offline, template generator
  OPENAI_BASE_URL=http://127.0.0.1:8000/v1 OPENAI_MODEL=qwen2.5-7b-instruct \\
    pluralign eval --attributor llm --judge-model gpt-4o-mini \\
    --judge-base-url https://api.openai.com/v1 --concurrency 8
  pluralign eval --report-only --out eval/results/openai-qwen2.5-7b-instruct-llm-gpt-4o-mini

Exit codes: 0 all tasks done, 1 some tasks failed (see the report), 2 usage error, 3 invalid input,
130 interrupted (rerun to resume).`;

function list<T extends string>(
  raw: string | undefined,
  allowed: readonly T[],
  flag: string,
): T[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((i) => !allowed.includes(i as T));
  if (bad.length || items.length === 0)
    throw new UsageError(
      `${flag}: ${bad.length ? `unknown ${bad.join(', ')}; ` : ''}use ${allowed.join(', ')}`,
    );
  return [...new Set(items)] as T[];
}

function integer(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  const n = parseNumber(raw, flag);
  if (n === undefined) return undefined;
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${raw}`);
  return n;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9.+]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 120);

interface Backends {
  generator: Generator;
  judge: Generator | undefined;
  judgeModel: string | null;
}

function backends(
  values: Record<string, string | boolean | undefined>,
  attributor: AttributorKind,
  env: NodeJS.ProcessEnv,
): Backends {
  let config;
  try {
    config = loadGeneratorConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
  const model = values.model as string | undefined;
  const setup = buildGenerators(model ? { ...config, OPENAI_MODEL: model } : config);
  const name = (values.generator as string | undefined) ?? setup.defaultGenerator;
  const generator = setup.generators.get(name);
  if (!generator) {
    const how = unavailableHint(name);
    const hint = how ? `: ${how}` : '';
    throw new UsageError(
      `--generator ${name} is not available${hint}; available: ${[...setup.generators.keys()].join(', ')}`,
    );
  }
  if (attributor !== 'llm') return { generator, judge: undefined, judgeModel: null };
  const judgeUrl =
    (values['judge-base-url'] as string | undefined) ?? env.JUDGE_BASE_URL ?? config.OPENAI_BASE_URL;
  if (!judgeUrl)
    throw new UsageError(
      '--attributor llm needs a judge endpoint: --judge-base-url, JUDGE_BASE_URL or OPENAI_BASE_URL',
    );
  const judgeModel =
    (values['judge-model'] as string | undefined) ??
    env.JUDGE_MODEL ??
    (generator.capabilities.embedded ? config.OPENAI_MODEL : generator.model);
  const sameUrl = judgeUrl === config.OPENAI_BASE_URL;
  const judgeKey = env.JUDGE_API_KEY ?? (sameUrl ? config.OPENAI_API_KEY : undefined);
  if (
    !generator.capabilities.embedded &&
    sameUrl &&
    judgeModel === generator.model &&
    judgeKey === config.OPENAI_API_KEY
  )
    return { generator, judge: generator, judgeModel };
  let judgeConfig;
  try {
    judgeConfig = loadGeneratorConfig({
      ...env,
      OPENAI_BASE_URL: judgeUrl,
      OPENAI_API_KEY: judgeKey,
      OPENAI_MODEL: judgeModel,
      GENERATOR: 'openai',
    });
  } catch (err) {
    if (err instanceof ConfigError)
      throw new UsageError(err.message.replace(/OPENAI_BASE_URL/g, '--judge-base-url'));
    throw err;
  }
  return { generator, judge: buildGenerators(judgeConfig).generators.get('openai'), judgeModel };
}

function overallTable(rep: EvalReport): string {
  const lines: string[] = [];
  for (const [title, r, methods] of [
    ['answers', rep.answers, rep.methods],
    ['questionnaire', rep.questionnaire, QUESTIONNAIRE_METHODS],
  ] as const) {
    if (!r) continue;
    lines.push(`${title}:`);
    const f = (x: number | null) => (x === null ? '   –  ' : x.toFixed(3).padStart(6));
    lines.push(`  ${'method'.padEnd(18)} ${'n'.padStart(5)}  MAE    [CI]              ρ      [CI]`);
    for (const m of methods) {
      const c = r.overall[m];
      if (!c) continue;
      lines.push(
        `  ${m.padEnd(18)} ${String(c.n).padStart(5)}  ${f(c.mae.estimate)} [${f(c.mae.lo)}, ${f(c.mae.hi)}]  ${f(c.spearman.estimate)} [${f(c.spearman.lo)}, ${f(c.spearman.hi)}]${c.errors ? `  (${c.errors} failed)` : ''}`,
      );
    }
  }
  return lines.join('\n');
}

export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const task = argv.find((a, i) => a.startsWith('--task=') || argv[i - 1] === '--task');
  if (task?.replace('--task=', '') === 'decisions') return runDecisionEval(argv, env);
  const { values } = parseArgs({
    args: argv,
    options: {
      questions: { type: 'string' },
      profiles: { type: 'string' },
      items: { type: 'string' },
      'only-profiles': { type: 'string' },
      'max-questions': { type: 'string' },
      methods: { type: 'string' },
      protocols: { type: 'string' },
      graph: { type: 'string' },
      factual: { type: 'string' },
      generator: { type: 'string' },
      model: { type: 'string' },
      temperature: { type: 'string' },
      'max-tokens': { type: 'string' },
      refine: { type: 'string' },
      attributor: { type: 'string' },
      scoring: { type: 'string' },
      'judge-base-url': { type: 'string' },
      'judge-model': { type: 'string' },
      batch: { type: 'string' },
      concurrency: { type: 'string' },
      out: { type: 'string' },
      fresh: { type: 'boolean' },
      'report-only': { type: 'boolean' },
      seed: { type: 'string' },
      bootstrap: { type: 'string' },
      level: { type: 'string' },
      quiet: { type: 'boolean' },
      task: { type: 'string' },
    },
    strict: true,
  });
  if (values.task !== undefined && values.task !== 'answers')
    throw new UsageError(`--task: use answers (the default) or decisions, got "${values.task}"`);
  const methods = list(values.methods, METHODS, '--methods') ?? [...METHODS];
  const protocols = list(values.protocols, PROTOCOLS, '--protocols') ?? [...PROTOCOLS];
  const attributor = (list(values.attributor, ['learned', 'phrases', 'llm'] as const, '--attributor') ?? [
    'learned',
  ])[0]!;
  const scoring = (list(values.scoring, SCORINGS, '--scoring') ?? ['direct'])[0]!;
  const refine = integer(values.refine, '--refine', 1, 3) ?? 2;
  const batch = integer(values.batch, '--batch', 1, 200) ?? 10;
  const concurrency = integer(values.concurrency, '--concurrency', 1, 256) ?? 4;
  const seed = integer(values.seed, '--seed', 0, 2 ** 32 - 1) ?? 7;
  const resamples = integer(values.bootstrap, '--bootstrap', 1, 1_000_000) ?? 2000;
  const maxQuestions = integer(values['max-questions'], '--max-questions', 1, 1_000_000);
  const maxTokens = integer(values['max-tokens'], '--max-tokens', 1, 16000);
  const temperature = parseNumber(values.temperature, '--temperature');
  if (temperature !== undefined && (temperature < 0 || temperature > 2))
    throw new UsageError('--temperature must be from 0 to 2');
  const level = parseNumber(values.level, '--level') ?? 0.95;
  if (!(level > 0 && level < 1)) throw new UsageError('--level must be between 0 and 1, e.g. 0.95');

  const graphs = loadGraphDir();
  const graphId = values.graph ?? DEFAULT_GRAPH;
  const graph = graphs.get(graphId);
  if (!graph)
    throw new UsageError(
      `--graph: no bundled graph "${graphId}"; use one of ${[...graphs.keys()].join(', ')}`,
    );

  const root = packageRoot();
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof EvalInputError) throw new InputError(err.message);
      throw err;
    }
  };
  let questions = wrap(() => loadQuestions(values.questions ?? join(root, 'eval', 'questions.json')));
  if (maxQuestions) questions = questions.slice(0, maxQuestions);
  let profiles = wrap(() => loadProfiles(values.profiles ?? join(root, 'eval', 'profiles.json'), graph.id));
  if (values['only-profiles']) {
    const ids = values['only-profiles'].split(',').map((s) => s.trim());
    const unknown = ids.filter((id) => !profiles.some((p) => p.id === id));
    if (unknown.length)
      throw new UsageError(
        `--only-profiles: no profile ${unknown.join(', ')}; the profiles are ${profiles.map((p) => p.id).join(', ')}`,
      );
    profiles = profiles.filter((p) => ids.includes(p.id));
  }
  const items = protocols.includes('questionnaire')
    ? wrap(() => loadItemSet(values.items ?? join(root, 'eval', 'portraits.json'), graph.id))
    : undefined;
  if (items && items.system !== graph.id)
    throw new InputError(`the item set ${items.id} is for ${items.system}, the graph is ${graph.id}`);

  const { generator, judge, judgeModel } = backends(values, attributor, env);
  const settings: RunSettings = {
    graph: graph.id,
    generator: generator.name,
    model: generator.model,
    attributor,
    scoring,
    judge: judgeModel,
    factual: values.factual ?? null,
    refine,
    temperature: temperature ?? null,
    maxTokens: maxTokens ?? null,
    questionnaireBatch: batch,
    seed,
  };
  const runId = slug([generator.name, generator.model, attributor, judgeModel].filter(Boolean).join('-'));
  const outDir = resolve(values.out ?? join('eval', 'results', runId));
  const resultsPath = join(outDir, 'results.jsonl');
  if (values.fresh && existsSync(resultsPath)) rmSync(resultsPath);

  const plan: EvalPlan = { graph, questions, profiles, items, methods, protocols };
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\neval: interrupted; finishing nothing new (press Ctrl-C again to quit now)\n');
    controller.abort(new Error('interrupted'));
  };
  const reporter = progressReporter(process.stderr, values.quiet ? { tty: false, intervalMs: Infinity } : {});
  let outcome: RunOutcome | undefined;
  let rows: ResultRow[];
  let totalTasks: number;
  if (values['report-only']) {
    if (!existsSync(resultsPath))
      throw new InputError(`no results file at ${resultsPath}; run the evaluation first`);
    const tasks = planTasks(plan);
    const file = readResults(resultsPath);
    rows = tasks.flatMap((t) => (file.rows.has(t.key) ? [file.rows.get(t.key)!] : []));
    totalTasks = tasks.length;
    // Files written before `scoring` existed were scored through the SCM.
    if (file.meta) Object.assign(settings, { scoring: 'scm' }, file.meta.settings);
  } else {
    process.on('SIGINT', onSigint);
    try {
      outcome = await runEval(plan, {
        generator,
        judge,
        settings,
        resultsPath,
        concurrency,
        signal: controller.signal,
        onProgress: (p) => {
          if (!values.quiet) reporter.update(p);
        },
      });
    } catch (err) {
      if (err instanceof EvalInputError) throw new InputError(err.message);
      throw err;
    } finally {
      process.off('SIGINT', onSigint);
      if (!values.quiet) reporter.finish(null);
    }
    rows = outcome.rows;
    totalTasks = outcome.total;
    if (outcome.badLines)
      process.stderr.write(`eval: ${outcome.badLines} unreadable line(s) in ${resultsPath} were skipped\n`);
  }
  const notes = [
    'pluralign+refine regenerates with the pipeline’s own verification (the embedded learned detector, or the phrase detector with --attributor phrases); the reported figures use the attributor chosen here.',
  ];
  if (
    protocols.includes('questionnaire') &&
    (methods.includes('pluralign+refine') || methods.includes('rewrite'))
  )
    notes.push(
      'The questionnaire protocol runs raw, value-prompt and pluralign only: refinement needs an answer to verify, and the rewrite a draft to rewrite.',
    );
  if (settings.generator === 'template' && protocols.includes('questionnaire'))
    notes.push(
      'Template generator: the persona’s ratings are derived from the method’s value profile (rating = round(centered score + 3.5), clamped 1–6), not asked of a model.',
    );
  const report = buildReport({
    title: `pluralign eval — ${runId}`,
    settings,
    methods,
    questionnaireMethods: methods.filter((m) => QUESTIONNAIRE_METHODS.includes(m)),
    profiles,
    questions: questions.length,
    items: items ? items.id : null,
    rows,
    totalTasks,
    thisRun: outcome ? outcome.cost : null,
    stats: { resamples, level, seed },
    notes,
    // The generator that wrote the answers (a report-only run reads it from the results file).
    selfCheck:
      settings.generator === generator.name
        ? generator.capabilities.embedded
        : settings.generator === 'template',
  });
  const paths = writeReport(
    outDir,
    report,
    methods.filter((m) => QUESTIONNAIRE_METHODS.includes(m)),
  );
  console.log(overallTable(report));
  if (outcome)
    console.log(
      `\ntasks: ${outcome.ran} run now, ${outcome.skipped} already done, ${outcome.failed} failed, ${outcome.total - outcome.skipped - outcome.ran} left (of ${outcome.total})`,
    );
  console.log(`cost of this run: ${outcome ? usageLine(outcome.cost) : 'none (report only)'}`);
  console.log(`cost recorded in the results: ${usageLine(report.cost.recorded)}`);
  console.log(`results: ${resultsPath}\nreport:  ${paths.join('\n         ')}`);
  if (outcome?.interrupted) {
    console.error('eval: interrupted; run the same command again to resume');
    return 130;
  }
  return report.tasks.failed > 0 ? 1 : 0;
}
