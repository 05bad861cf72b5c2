/** `pluralign attribute`: read a value profile from a text (the learned or phrase detector, or an LLM). */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { attributeLearned, attributeText, attributeWithLlm } from '../../attribution/index.js';
import { loadConfig } from '../../config/index.js';
import { DEFAULT_GRAPH, resolveGraph } from '../../graphs/registry.js';
import { buildGenerators } from '../../generator/registry.js';
import { InputError, UsageError, printJson } from '../io.js';

export const help = `pluralign attribute — read a value profile from a text (SCM abduction from the concepts it expresses)

Usage:
  pluralign attribute --text "<text>" [--graph <file|id>] [--detector learned|phrases|llm] [--json]
  pluralign attribute --file answer.txt
  echo "<text>" | pluralign attribute

Options:
  --text <text>         the text
  --file <path>         read the text from a file (- for standard input; the default when no --text)
  --graph <file|id>     value system (default schwartz-10)
  --detector <name>     learned (embedded, default), phrases (embedded) or llm (needs OPENAI_BASE_URL)
  --json                JSON output (default: a table on a terminal, JSON otherwise)
  -h, --help            this help

Examples:
  pluralign attribute --text "Family comes first: I would help my brother and forgive him."
  pluralign attribute --file essay.txt --json

Exit codes: 0 ok, 1 upstream failure, 2 usage error, 3 invalid input.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      text: { type: 'string' },
      file: { type: 'string' },
      graph: { type: 'string' },
      detector: { type: 'string' },
      json: { type: 'boolean' },
    },
    strict: true,
  });
  const detector = values.detector ?? 'learned';
  if (detector !== 'learned' && detector !== 'phrases' && detector !== 'llm') {
    throw new UsageError('--detector must be learned, phrases or llm');
  }
  let text = values.text;
  if (text === undefined) {
    const path = values.file ?? '-';
    try {
      text = readFileSync(path === '-' ? 0 : path, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read ${path}: ${(err as Error).message}`);
    }
  }
  if (!text.trim()) throw new InputError('the text is empty');
  const entry = resolveGraph(values.graph ?? DEFAULT_GRAPH);
  let result;
  if (detector === 'llm') {
    const { generators } = buildGenerators(loadConfig(process.env).generator);
    const g = generators.get('openai');
    if (!g) throw new UsageError('--detector llm needs an OpenAI-compatible backend: set OPENAI_BASE_URL');
    result = await attributeWithLlm(entry, text, g);
  } else if (detector === 'phrases') result = attributeText(entry, text);
  else result = attributeLearned(entry, text);
  if (values.json || !process.stdout.isTTY) {
    printJson(result, true);
    return 0;
  }
  const rows = [...result.values].sort((a, b) => b.likert5 - a.likert5);
  console.log(
    `${result.graph.id} · ${result.detector} · ${result.words} words · ${result.evidenceNodes} concept(s) observed\n`,
  );
  for (const v of rows) {
    const bar = '█'.repeat(Math.round(v.likert5 * 4));
    console.log(
      `${v.label.padEnd(16)} ${v.likert5.toFixed(2)}  [${v.interval[0].toFixed(1)}–${v.interval[1].toFixed(1)}]  ${bar}`,
    );
  }
  const hits = result.concepts.filter((c) => c.status === 'present');
  const why = (c: (typeof hits)[number]) =>
    c.drivers
      ? `p ${c.probability!.toFixed(2)}: ${c.drivers.map((d) => d.text).join(', ')}`
      : c.phrases.join(', ');
  if (hits.length) console.log(`\nconcepts: ${hits.map((c) => `${c.label} (${why(c)})`).join('; ')}`);
  return 0;
}
