/** `pluralign align`: answer a question from a target value profile, locally (no server). */
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { DEFAULT_GRAPH, loadGraphDir, resolveGraph } from '../../graphs/registry.js';
import { buildGenerators } from '../../generator/registry.js';
import { alignEvents, generatorInfo, type AlignRequest } from '../../pipeline/align.js';
import type { Profile } from '../../values/index.js';
import { InputError, UsageError, parseNumber, printJson, readJsonArg } from '../io.js';

export const help = `pluralign align — answer a question from a target value profile (the whole pipeline, locally)

Usage:
  pluralign align --question "<text>" --target '<json>' [options]

Options:
  --question <text>     the question
  --target <json>       the target profile: {"benevolence": 5, "security": 4} (likert5), or a full
                        profile {"format": "ranking", "ranking": [...]}; JSON, @file.json or -
  --graph <id|file>     value system: a bundled graph id or a graph file (default ${DEFAULT_GRAPH})
  --preset <id>         the factual profile (default: the backend model's, else human:mean, when it is
                        for the graph; else the graph's own population prior)
  --action <mode>       structured (default) or do
  --mode <mode>         prompt (default: one conditioned call) or rewrite (COUPLE: the model drafts an
                        answer, its values are read back as the factual, the draft is rewritten)
  --verify              attribute the answer back and report MAE / Spearman
  --refine <n>          regenerate up to n times (1–3) on the dimensions that missed
  --generator <name>    template (embedded) or openai (needs OPENAI_BASE_URL)
  --json                print the whole response as JSON (default: the answer as it streams, then a summary)
  -h, --help            this help

Examples:
  pluralign align --question "Should I lend money to my brother?" --target '{"benevolence":5,"security":4}'
  OPENAI_BASE_URL=http://127.0.0.1:11434/v1 OPENAI_MODEL=llama3.1 \\
    pluralign align --question "Is ambition a virtue?" --target '{"achievement":5,"benevolence":2}' --verify

Exit codes: 0 ok, 1 upstream failure, 2 usage error, 3 invalid input.`;

function toProfile(raw: unknown): Profile {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(
      '--target: give an object {"value": score} or a profile {"format", "values"|"ranking"}',
    );
  }
  const o = raw as Record<string, unknown>;
  if ('format' in o || 'values' in o || 'ranking' in o) return o as unknown as Profile;
  return { format: 'likert5', values: o as Record<string, number> };
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      question: { type: 'string' },
      target: { type: 'string' },
      graph: { type: 'string' },
      preset: { type: 'string' },
      action: { type: 'string' },
      mode: { type: 'string' },
      verify: { type: 'boolean' },
      refine: { type: 'string' },
      generator: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  if (!values.question?.trim()) throw new UsageError('--question is required');
  if (!values.target) throw new UsageError('--target is required, e.g. \'{"benevolence": 5}\'');
  if (values.action && values.action !== 'structured' && values.action !== 'do') {
    throw new UsageError('--action must be structured or do');
  }
  if (values.mode && values.mode !== 'prompt' && values.mode !== 'rewrite') {
    throw new UsageError('--mode must be prompt or rewrite');
  }
  if (values.mode === 'rewrite' && values.preset) {
    throw new UsageError('--mode rewrite reads the factual profile from the draft: remove --preset');
  }
  const refine = parseNumber(values.refine, '--refine');
  const config = loadConfig(process.env);
  const setup = buildGenerators(config.generator);
  const graphs = loadGraphDir(config.graphsDir);
  // A graph file (any graph, with its own value system) is used like a bundled one.
  const entry = values.graph === undefined ? undefined : resolveGraph(values.graph, graphs);
  if (entry) graphs.set(entry.id, entry);
  const req: AlignRequest = {
    question: values.question,
    target: toProfile(readJsonArg(values.target, '--target')),
    graph: entry?.id,
    factual: values.preset ? { preset: values.preset } : undefined,
    action: values.action as 'structured' | 'do' | undefined,
    mode: values.mode as 'prompt' | 'rewrite' | undefined,
    verify: values.verify,
    refine,
    generator: values.generator,
  };
  const live = !values.json;
  let out: Record<string, unknown> = {};
  for await (const ev of alignEvents({ ...setup, graphs }, req)) {
    if (ev.type === 'profile') {
      out = {
        graph: ev.explanation.graph,
        generator: generatorInfo(ev.generator),
        factual: ev.factual,
        explanation: ev.explanation,
      };
      if (live) console.error(`# ${ev.generator.name} (${ev.generator.model}) · ${ev.explanation.summary}\n`);
    } else if (ev.type === 'stage' && live) {
      console.error(
        ev.stage === 'draft'
          ? `# draft:\n${ev.draft}\n`
          : ev.stage === 'attribution'
            ? `# the draft read back by the ${ev.attributor} attributor: the factual profile\n`
            : `\n# the rewrite failed (${ev.error.code}): ${ev.error.message}; the answer is the draft`,
      );
    } else if (ev.type === 'delta' && live) process.stdout.write(ev.text);
    else if (ev.type === 'revision' && live) console.error(`\n# revision ${ev.attempt}: ${ev.reason}\n`);
    else if (ev.type === 'verification' && live) {
      const v = ev.verification;
      console.error(
        'error' in v
          ? `\n# verification failed (${v.error.code}): ${v.error.message}`
          : `\n# verification: MAE ${v.mae.toFixed(2)}, Spearman ${v.spearman?.toFixed(2) ?? 'n/a'}`,
      );
    } else if (ev.type === 'done') {
      out = {
        ...out,
        answer: ev.answer,
        attempt: ev.attempt,
        verification: ev.verification,
        usage: ev.usage,
        servedModel: ev.servedModel,
        ...(ev.rewrite ? { rewrite: ev.rewrite } : {}),
      };
    }
  }
  if (values.json) printJson(out, true);
  else process.stdout.write('\n');
  return 0;
}
