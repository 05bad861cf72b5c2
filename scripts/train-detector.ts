/**
 * Train the learned value detector and rewrite its artefact (graphs/detectors/value-detector.json).
 *
 *   npm run train:detector [-- --data <dir>] [--portrait <dir>] [--out <file>] [--report <file.md>] [--check]
 *
 * Data: `<dir>/arguments.train-validation.json` (Webis-ArgValues-22 train + validation parts; default
 * ../shared/data/argvalues). The model is fitted on the `train` part only, thresholds and calibration
 * by 5-fold cross-validation on it (folds by conclusion); the `validation` part is held out and only
 * measured. Deterministic (fixed seed, sorted vocabulary, fixed rounding): the same data gives the
 * same bytes. `--check` compares with the committed artefact instead of writing it (exit 1 if they
 * differ). Prints the figures (5-fold CV and train → validation, per category) for the detector and
 * the baselines (always-present; tf-idf logistic regression on words and word pairs with CV thresholds).
 *
 * Then the endorsement mapping (src/attribution/learned/portrait.ts) is fitted on Value Portrait's dev
 * part (`<portrait dir>/tagged-responses.dev.json`, default ../shared/data/valueportrait) with the
 * trained detector, and goes into the artefact with its provenance and nested grouped-CV figures.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DEFAULT_FIT,
  fitDetector,
  type Figures,
  type LabelSpec,
  type TrainingExample,
} from '../src/attribution/learned/fit.js';
import type { LexiconEntry } from '../src/attribution/learned/features.js';
import { bundledGraphsDir, loadGraphDir } from '../src/graphs/registry.js';
import { PORTRAIT_FILE, withPortrait } from './lib/value-portrait.js';

export const DETECTOR_VERSION = '1.0.0';

interface Argument {
  id: string;
  usage: string;
  conclusion: string;
  stance: string;
  premise: string;
  values: string[];
  categories: string[];
}

interface DataFile {
  valueNames: string[];
  categoryNames: string[];
  arguments: Argument[];
}

interface GraphConcept {
  kind: string;
  label: string;
  group?: string;
  phrases?: string[];
}

function parseArgs(argv: string[]) {
  const out = {
    data: resolve('../shared/data/argvalues'),
    portrait: resolve('../shared/data/valueportrait'),
    out: join(bundledGraphsDir(), 'detectors', 'value-detector.json'),
    report: undefined as string | undefined,
    check: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data') out.data = resolve(argv[++i]!);
    else if (a === '--portrait') out.portrait = resolve(argv[++i]!);
    else if (a === '--out') out.out = resolve(argv[++i]!);
    else if (a === '--report') out.report = resolve(argv[++i]!);
    else if (a === '--check') out.check = true;
    else
      throw new Error(
        `unknown argument ${a} (use --data <dir>, --portrait <dir>, --out <file>, --report <file>, --check)`,
      );
  }
  return out;
}

function example(a: Argument): TrainingExample {
  return {
    text: `${a.conclusion}. ${a.premise}`,
    stance: a.stance === 'against' ? 'against' : 'in favor of',
    group: a.conclusion,
    labels: [...a.values, ...a.categories],
  };
}

function table(title: string, rows: Array<[string, Figures | undefined]>): string {
  const present = rows.filter((r): r is [string, Figures] => r[1] !== undefined);
  const lines = [
    `### ${title}`,
    '',
    `| | ${present.map((r) => r[0]).join(' | ')} |`,
    `|---|${present.map(() => '---|').join('')}`,
  ];
  lines.push(
    `| **category macro F1** | ${present.map((r) => r[1].categoryMacroF1.toFixed(3)).join(' | ')} |`,
  );
  lines.push(`| **level-1 macro F1** | ${present.map((r) => r[1].valueMacroF1.toFixed(3)).join(' | ')} |`);
  const first = present[0]![1];
  first.perLabel.forEach((row, i) => {
    if (row.level !== 'category') return;
    const cells = present.map(([, f]) => {
      const r = f.perLabel[i]!;
      return `${r.precision.toFixed(2)} / ${r.recall.toFixed(2)} / ${r.f1.toFixed(2)}`;
    });
    lines.push(`| ${row.name} (${row.support}) | ${cells.join(' | ')} |`);
  });
  return `${lines.join('\n')}\n`;
}

export function main(argv = process.argv.slice(2)): void {
  const args = parseArgs(argv);
  const dataPath = join(args.data, 'arguments.train-validation.json');
  if (!existsSync(dataPath)) throw new Error(`no training data at ${dataPath} (give --data <dir>)`);
  const raw = readFileSync(dataPath);
  const data = JSON.parse(raw.toString('utf8')) as DataFile;
  const graph = JSON.parse(readFileSync(join(bundledGraphsDir(), 'schwartz-19.json'), 'utf8')) as {
    nodes: GraphConcept[];
  };
  const concepts = graph.nodes.filter((n) => n.kind === 'concept');
  const categoryOfValue = new Map(concepts.map((c) => [c.label, c.group ?? '']));
  const labels: LabelSpec[] = [
    ...data.valueNames.map((name) => {
      const category = categoryOfValue.get(name);
      if (!category) throw new Error(`value "${name}" is not a concept label of graphs/schwartz-19.json`);
      return { name, level: 'value' as const, category };
    }),
    ...data.categoryNames.map((name) => ({ name, level: 'category' as const })),
  ];
  const lexicon: LexiconEntry[] = concepts.map((c) => ({
    label: c.label,
    category: c.group ?? '',
    phrases: [...(c.phrases ?? [])],
  }));
  const train = data.arguments.filter((a) => a.usage === 'train').map(example);
  const heldOut = data.arguments.filter((a) => a.usage !== 'train').map(example);
  const provenance = {
    data: 'Webis-ArgValues-22 (Kiesel, Alshomary, Handke, Cai, Wachsmuth, Stein, ACL 2022): train part (4,240 arguments, USA), webis-de/acl22-identifying-the-human-values-behind-arguments at commit 85573caa65cc; lexicon: the concept labels and phrases of graphs/schwartz-19.json',
    licence: 'MIT (Copyright (c) 2022 Webis)',
    citation:
      'Johannes Kiesel, Milad Alshomary, Nicolas Handke, Xiaoni Cai, Henning Wachsmuth, Benno Stein. Identifying the Human Values behind Arguments. ACL 2022, pp. 4459–4471.',
    dataSha256: createHash('sha256').update(raw).digest('hex'),
    trainedBy: 'scripts/train-detector.ts (npm run train:detector)',
  };
  const started = Date.now();
  const result = fitDetector({ train, heldOut, labels, lexicon, provenance, version: DETECTOR_VERSION });
  const baseline = fitDetector({
    train,
    heldOut,
    labels,
    lexicon,
    provenance,
    version: DETECTOR_VERSION,
    options: { ...DEFAULT_FIT, kinds: ['w', 'b'] },
  });
  // The endorsement mapping on Value Portrait's dev part (when that data is there).
  const portraitDir = args.portrait;
  const artefact = existsSync(join(portraitDir, PORTRAIT_FILE))
    ? withPortrait(result.artefact, portraitDir, loadGraphDir().get('schwartz-10')!)
    : result.artefact;
  if (!artefact.portrait)
    process.stderr.write(`no ${PORTRAIT_FILE} in ${portraitDir}: no endorsement mapping\n`);
  const json = `${JSON.stringify(artefact, null, 1)}\n`;
  const report = [
    `## Value detector ${DETECTOR_VERSION}: ${train.length} training arguments, ${heldOut.length} held out, ${result.artefact.vocabulary.length} features, ${(Buffer.byteLength(json) / 1e6).toFixed(2)} MB, trained in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    '',
    'Cells: precision / recall / F1 (support).',
    '',
    table('5-fold cross-validation on the train part (folds by conclusion)', [
      ['learned detector', result.crossValidation],
      ['tf-idf LR (words + pairs), CV thresholds', baseline.crossValidation],
      ['always present', result.alwaysPresent.crossValidation],
    ]),
    table('train → validation part', [
      ['learned detector', result.heldOut],
      ['tf-idf LR (words + pairs), CV thresholds', baseline.heldOut],
      ['always present', result.alwaysPresent.heldOut],
    ]),
  ].join('\n');
  process.stdout.write(report);
  if (args.report) writeFileSync(args.report, report);
  if (args.check) {
    const current = existsSync(args.out) ? readFileSync(args.out, 'utf8') : '';
    if (current !== json) {
      process.stderr.write(`train:detector --check: ${args.out} differs from a fresh training run\n`);
      process.exitCode = 1;
    } else process.stdout.write(`\n${args.out} is reproduced byte for byte\n`);
    return;
  }
  writeFileSync(args.out, json);
  process.stdout.write(`\nwrote ${args.out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
