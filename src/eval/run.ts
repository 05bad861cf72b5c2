/**
 * Running an evaluation: questions × target profiles × methods → align → attribute → MAE and Spearman
 * ρ (the answers protocol), and profiles × methods → persona questionnaire (the questionnaire
 * protocol). Every finished task is appended to a JSON-lines results file as soon as it ends, so a
 * run can be stopped at any point and resumed: tasks whose key already has a successful row are
 * skipped; failed ones are retried. A task's key includes a fingerprint of its question text, target
 * and item set, so editing an input re-runs exactly what changed. The first line of the file records
 * the run's settings (backend, model, attributor, …); resuming with different settings is refused.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { attributeLearned, attributeText, attributeWithLlm, compareProfiles } from '../attribution/index.js';
import type { Generator } from '../generator/types.js';
import type { GraphEntry } from '../graphs/registry.js';
import { align } from '../pipeline/align.js';
import { defaultPresetFor, priorFactual } from '../pipeline/factual.js';
import { likert } from '../pipeline/profile.js';
import { getPreset } from '../values/index.js';
import { EvalInputError } from './inputs.js';
import { MeteredGenerator, addUsage, emptyUsage } from './meter.js';
import { compareScores } from './scores.js';
import { directReadings } from './direct.js';
import { askPersona, derivedRatings, methodProfile, scoreRatings } from './questionnaire.js';
import { fnv1a } from './stats.js';
import {
  METHOD_CONDITIONING,
  type AnswerRow,
  type EvalProfile,
  type EvalQuestion,
  type ItemSet,
  type MetaRow,
  type Method,
  type Protocol,
  type QuestionnaireRow,
  type ResultRow,
  type RunSettings,
  type TaskCost,
} from './types.js';

export interface EvalPlan {
  graph: GraphEntry;
  questions: EvalQuestion[];
  profiles: EvalProfile[];
  /** Needed for the questionnaire protocol. */
  items?: ItemSet | undefined;
  methods: Method[];
  protocols: Protocol[];
}

export interface ProgressInfo {
  total: number;
  /** Tasks finished so far, including those skipped as already done. */
  done: number;
  skipped: number;
  failed: number;
  cost: TaskCost;
  elapsedMs: number;
  /** The row just finished (undefined for the first call). */
  last?: ResultRow;
}

export interface EvalRuntime {
  generator: Generator;
  /** The LLM judge (attributor `llm`). */
  judge?: Generator | undefined;
  settings: RunSettings;
  resultsPath: string;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (p: ProgressInfo) => void;
}

export interface Task {
  key: string;
  protocol: Protocol;
  method: Method;
  profile: EvalProfile;
  question?: EvalQuestion;
}

export interface RunOutcome {
  total: number;
  skipped: number;
  ran: number;
  failed: number;
  interrupted: boolean;
  /** Upstream use of the tasks run now (not the skipped ones). */
  cost: TaskCost;
  /** The latest row of every task of the plan found in the file (successful or failed). */
  rows: ResultRow[];
  meta: MetaRow;
  /** Unreadable lines skipped in the results file (e.g. a line cut by a crash). */
  badLines: number;
}

/** The methods the questionnaire protocol runs (refinement needs an answer to verify). */
export const QUESTIONNAIRE_METHODS: readonly Method[] = ['raw', 'value-prompt', 'pluralign'];

const profileTag = (p: EvalProfile) => `${p.id}#${fnv1a(JSON.stringify(p.likert5))}`;

/** Every task of a plan, question by question (a partial run covers all methods and profiles evenly). */
export function planTasks(plan: EvalPlan): Task[] {
  const tasks: Task[] = [];
  if (plan.protocols.includes('answers')) {
    for (const question of plan.questions)
      for (const profile of plan.profiles)
        for (const method of plan.methods)
          tasks.push({
            key: `answers|${method}|${profileTag(profile)}|${question.id}#${fnv1a(question.text)}`,
            protocol: 'answers',
            method,
            profile,
            question,
          });
  }
  if (plan.protocols.includes('questionnaire')) {
    if (!plan.items) throw new EvalInputError('the questionnaire protocol needs an item set');
    for (const profile of plan.profiles)
      for (const method of plan.methods.filter((m) => QUESTIONNAIRE_METHODS.includes(m)))
        tasks.push({
          key: `questionnaire|${method}|${profileTag(profile)}|${plan.items.id}#${plan.items.hash}`,
          protocol: 'questionnaire',
          method,
          profile,
        });
  }
  return tasks;
}

export interface ResultsFile {
  meta: MetaRow | null;
  /** The latest row per key. */
  rows: Map<string, ResultRow>;
  badLines: number;
}

export function readResults(path: string): ResultsFile {
  const out: ResultsFile = { meta: null, rows: new Map(), badLines: 0 };
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      out.badLines++;
      continue;
    }
    const r = row as { kind?: unknown; key?: unknown };
    if (r.kind === 'meta') out.meta ??= row as MetaRow;
    else if ((r.kind === 'answer' || r.kind === 'questionnaire') && typeof r.key === 'string') {
      // A successful row is never replaced by a later failure of the same task.
      const prev = out.rows.get(r.key);
      if (!prev || prev.error || !(row as ResultRow).error) out.rows.set(r.key, row as ResultRow);
    } else out.badLines++;
  }
  return out;
}

function settingsDiff(a: RunSettings, b: RunSettings): string[] {
  return (Object.keys(b) as Array<keyof RunSettings>)
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k}: ${JSON.stringify(a[k])} in the file, ${JSON.stringify(b[k])} now`);
}

function errorOf(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'ERROR';
  return { code, message: typeof e?.message === 'string' ? e.message : String(err) };
}

/** Resolve the factual preset the runs start from (as the pipeline does when none is given). */
function factualValues(
  graph: GraphEntry,
  generator: Generator,
  preset: string | null,
): Record<string, number> {
  if (preset === null) return defaultPresetFor(graph, generator)?.preset.values ?? priorFactual(graph);
  const id = preset;
  const p = getPreset(id);
  if (!p) throw new EvalInputError(`no preset "${id}" (pluralign presets are listed by GET /v1/presets)`);
  if (p.system !== graph.id)
    throw new EvalInputError(`preset "${id}" is for graph "${p.system}", not "${graph.id}"`);
  return p.values;
}

export async function runEval(plan: EvalPlan, rt: EvalRuntime): Promise<RunOutcome> {
  const { settings } = rt;
  if (settings.attributor === 'llm' && !rt.judge)
    throw new EvalInputError('the llm attributor needs a judge generator');
  const tasks = planTasks(plan);
  const file = readResults(rt.resultsPath);
  const meta: MetaRow = file.meta ?? { kind: 'meta', version: 1, settings, at: new Date().toISOString() };
  if (file.meta) {
    // Files written before `scoring` existed were scored through the SCM.
    const diff = settingsDiff(
      { ...file.meta.settings, scoring: file.meta.settings.scoring ?? 'scm' },
      settings,
    );
    if (diff.length)
      throw new EvalInputError(
        `${rt.resultsPath} holds results of a run with other settings (${diff.join('; ')}); resume with the same settings, or use another --out or --fresh`,
      );
  } else {
    mkdirSync(dirname(rt.resultsPath), { recursive: true });
    appendFileSync(rt.resultsPath, `${JSON.stringify(meta)}\n`);
  }
  const factual = factualValues(plan.graph, rt.generator, settings.factual);
  const todo = tasks.filter((t) => {
    const prev = file.rows.get(t.key);
    return !prev || prev.error;
  });
  const skipped = tasks.length - todo.length;
  const cost: TaskCost = { generator: emptyUsage(), judge: emptyUsage() };
  const started = Date.now();
  let done = skipped;
  let failed = 0;
  let ran = 0;
  const progress = (last?: ResultRow) =>
    rt.onProgress?.({
      total: tasks.length,
      done,
      skipped,
      failed,
      cost,
      elapsedMs: Date.now() - started,
      last,
    });
  progress();

  const runOne = async (task: Task): Promise<ResultRow | null> => {
    const gen = new MeteredGenerator(rt.generator);
    const judge = rt.judge ? new MeteredGenerator(rt.judge) : undefined;
    const t0 = performance.now();
    const base = {
      key: task.key,
      method: task.method,
      profile: task.profile.id,
      at: new Date().toISOString(),
    };
    const costNow = (): TaskCost => ({
      generator: { ...gen.usage },
      judge: { ...(judge?.usage ?? emptyUsage()) },
    });
    const requestId = `eval.${fnv1a(task.key)}`;
    try {
      if (task.protocol === 'answers') {
        const rewrite = task.method === 'rewrite';
        const res = await align(
          {
            graphs: new Map([[plan.graph.id, plan.graph]]),
            generators: new Map([[gen.name, gen]]),
            defaultGenerator: gen.name,
            defaultGraph: plan.graph.id,
          },
          {
            question: task.question!.text,
            graph: plan.graph.id,
            target: task.profile.target,
            conditioning: METHOD_CONDITIONING[task.method],
            refine: task.method === 'pluralign+refine' ? settings.refine : 0,
            attributor: settings.attributor === 'phrases' ? 'phrases' : 'learned',
            // The rewrite's factual is its draft; the others start from the run's factual preset.
            ...(rewrite ? { mode: 'rewrite' as const } : {}),
            ...(settings.factual && !rewrite ? { factual: { preset: settings.factual } } : {}),
            ...(settings.temperature !== null ? { temperature: settings.temperature } : {}),
            ...(settings.maxTokens !== null ? { maxTokens: settings.maxTokens } : {}),
            requestId,
          },
          rt.signal,
        );
        const attribution =
          settings.attributor === 'llm'
            ? await attributeWithLlm(plan.graph, res.answer, judge!, {
                requestId,
                signal: rt.signal,
                question: task.question!.text,
              })
            : settings.attributor === 'phrases'
              ? attributeText(plan.graph, res.answer)
              : attributeLearned(plan.graph, res.answer);
        const cmp =
          settings.scoring === 'scm'
            ? compareProfiles(task.profile.likert5, attribution, plan.graph.system)
            : compareScores(
                task.profile.likert5,
                Object.fromEntries(directReadings(attribution).map((r) => [r.value, r.likert5])),
              );
        const row: AnswerRow = {
          kind: 'answer',
          ...base,
          question: task.question!.id,
          mae: cmp.mae,
          spearman: cmp.spearman,
          dimensions: cmp.dimensions.map((d) => ({
            value: d.value,
            target: d.target,
            attributed: d.attributed,
          })),
          answer: res.answer,
          attempt: res.attempt,
          servedModel: res.servedModel,
          attributor: attribution.detector,
          cost: costNow(),
          ms: Math.round(performance.now() - t0),
        };
        return row;
      }
      // The questionnaire protocol.
      const items = plan.items!;
      const mode = METHOD_CONDITIONING[task.method];
      const derived = gen.capabilities.embedded;
      const profile = derived
        ? methodProfile(plan.graph, mode, factual, task.profile.centered)
        : methodProfile(plan.graph, 'scm', factual, task.profile.centered);
      const ratings = derived
        ? derivedRatings(items, Object.fromEntries(profile.values.map((v) => [v.value, v.counterfactual])))
        : await askPersona(gen, profile, mode, items, {
            batch: settings.questionnaireBatch,
            seed: `${settings.seed}|${task.key}`,
            temperature: settings.temperature ?? 0,
            signal: rt.signal,
            requestId,
          });
      const score = scoreRatings(items, ratings);
      const measured = Object.fromEntries(Object.entries(score.centered).map(([v, c]) => [v, likert(c)]));
      const missing = Object.keys(task.profile.likert5).filter((v) => !(v in measured));
      if (missing.length)
        throw new EvalInputError(
          `the item set has no item for ${missing.join(', ')} (profile ${task.profile.id})`,
        );
      const cmp = compareScores(task.profile.likert5, measured);
      const row: QuestionnaireRow = {
        kind: 'questionnaire',
        ...base,
        items: items.id,
        ratings,
        centered: score.centered,
        mrat: score.mrat,
        respondent: derived ? 'derived' : 'model',
        mae: cmp.mae,
        spearman: cmp.spearman,
        dimensions: cmp.dimensions,
        cost: costNow(),
        ms: Math.round(performance.now() - t0),
      };
      return row;
    } catch (err) {
      if (rt.signal?.aborted) return null; // interrupted: not a result, the rerun does it
      const failure = {
        ...base,
        mae: null,
        spearman: null,
        dimensions: [],
        cost: costNow(),
        ms: Math.round(performance.now() - t0),
        error: errorOf(err),
      };
      return task.protocol === 'answers'
        ? {
            kind: 'answer',
            ...failure,
            question: task.question!.id,
            answer: '',
            attempt: 0,
            servedModel: '',
            attributor: settings.attributor,
          }
        : {
            kind: 'questionnaire',
            ...failure,
            items: plan.items!.id,
            ratings: {},
            centered: {},
            mrat: null,
            respondent: gen.capabilities.embedded ? 'derived' : 'model',
          };
    }
  };

  let next = 0;
  const worker = async () => {
    while (!rt.signal?.aborted && next < todo.length) {
      const task = todo[next++]!;
      const row = await runOne(task);
      if (!row) continue;
      appendFileSync(rt.resultsPath, `${JSON.stringify(row)}\n`);
      file.rows.set(row.key, row);
      addUsage(cost.generator, row.cost.generator);
      addUsage(cost.judge, row.cost.judge);
      ran++;
      done++;
      if (row.error) failed++;
      progress(row);
    }
  };
  const limit = Math.max(1, Math.min(rt.concurrency ?? 4, todo.length || 1));
  await Promise.all(Array.from({ length: limit }, worker));

  const rows = tasks.flatMap((t) => {
    const r = file.rows.get(t.key);
    return r ? [r] : [];
  });
  return {
    total: tasks.length,
    skipped,
    ran,
    failed,
    interrupted: Boolean(rt.signal?.aborted) && done < tasks.length,
    cost,
    rows,
    meta,
    badLines: file.badLines,
  };
}
