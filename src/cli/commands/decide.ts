/** `pluralign decide`: rank candidate actions for a value profile (the use case of POST /v1/decisions). */
import { parseArgs } from 'node:util';
import { DecisionRequest } from '../../../schemas/decisions.js';
import { loadConfig } from '../../config/index.js';
import { decide, type DecisionResult } from '../../decisions/decide.js';
import { buildGenerators } from '../../generator/registry.js';
import { DEFAULT_GRAPH, resolveGraph } from '../../graphs/registry.js';
import { InputError, printJson, readJsonArg } from '../io.js';

export const help = `pluralign decide — rank candidate actions for a value profile (same as POST /v1/decisions)

Usage:
  pluralign decide --scenario "<text>" --action "<a>" --action "<b>" [...] --target <json> [options]
  pluralign decide --request @decision.json          (a POST /v1/decisions body)

Options:
  --scenario <text>     the situation
  --action <text>       a candidate action (repeat: 2–20)
  --target <json>       the value profile: {"fairness": 5, "curiosity": 2} (likert5) or a full profile
                        {"format": "pvq6", "values": {...}}; inline, @file.json or - for stdin
  --graph <file|id>     value system (default schwartz-10), e.g. valuepilot-6
  --method <name>       weighted-sum (default), topsis or promethee
  --mode <name>         embedded (default) or llm (one call to OPENAI_BASE_URL's model)
  --request <json>      the whole request body instead of the flags above
  --json                JSON output (default: a table on a terminal, JSON otherwise)
  -h, --help            this help

Examples:
  pluralign decide --graph valuepilot-6 --scenario "One bottle of lemonade is left in the shared fridge." \\
    --action "Drink it all without asking" --action "Share it equally" --target '{"fairness": 5, "happiness": 2}'
  pluralign decide --request @decision.json --json

Exit codes: 0 ok, 1 upstream failure, 2 usage error, 3 invalid input.`;

/** The request from the flags (or --request), validated by the API's schema; messages name the field. */
function requestOf(values: Record<string, unknown>): ReturnType<typeof DecisionRequest.parse> {
  let raw: Record<string, unknown>;
  if (values.request !== undefined) {
    raw = readJsonArg(values.request as string, '--request') as Record<string, unknown>;
  } else {
    const target = values.target === undefined ? undefined : readJsonArg(values.target as string, '--target');
    const shorthand =
      target &&
      typeof target === 'object' &&
      !('values' in target) &&
      !('ranking' in target) &&
      !('format' in target);
    raw = {
      scenario: values.scenario,
      actions: values.action ?? [],
      target: shorthand ? { values: target } : target,
      ...(values.graph !== undefined ? { graph: values.graph } : {}),
      ...(values.method !== undefined ? { method: values.method } : {}),
      ...(values.mode !== undefined ? { mode: values.mode } : {}),
    };
  }
  const parsed = DecisionRequest.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const flag = values.request !== undefined ? '--request' : '--';
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const name = flag === '--' ? `--${path.slice(1).replace(/^actions/, 'action')}` : `${flag}${path}`;
  throw new InputError(`${name}: ${issue.message}`);
}

function table(r: DecisionResult): string {
  const lines = [`${r.graph.id} · ${r.mode} · ${r.method}`, ''];
  for (const [rank, a] of r.ranking.entries()) {
    const act = r.actions[a]!;
    const top = [...act.values]
      .filter((v) => Math.abs(v.relevance) >= 0.1)
      .sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution))
      .slice(0, 3)
      .map((v) => `${v.label} ${v.relevance > 0 ? '+' : ''}${v.relevance.toFixed(2)}`)
      .join(', ');
    lines.push(
      `${String(rank + 1).padStart(2)}. ${act.score.toFixed(3).padStart(7)}  ${act.action}${top ? `  (${top})` : ''}`,
    );
  }
  lines.push('', r.explanation.text);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      action: { type: 'string', multiple: true },
      target: { type: 'string' },
      graph: { type: 'string' },
      method: { type: 'string' },
      mode: { type: 'string' },
      request: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const req = requestOf(values);
  const entry = resolveGraph(req.graph ?? DEFAULT_GRAPH);
  const generators =
    req.mode === 'llm' ? buildGenerators(loadConfig(process.env).generator).generators : new Map();
  const result = await decide(
    { graphs: new Map([[entry.id, entry]]), generators },
    { ...req, graph: entry.id },
  );
  if (values.json || !process.stdout.isTTY) printJson(result, true);
  else console.log(table(result));
  return 0;
}
