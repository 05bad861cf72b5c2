/**
 * Value Portrait's dev part (Han et al., ACL 2025, MIT) as rows for the endorsement mapping: each
 * response's posterior levels from the learned and the phrase detector on schwartz-10, the learned
 * detector's probabilities of the labels the graph's concepts pool onto the values, and its truth
 * (how much people high on each value endorse it). Read at build time only; never copied into the repo.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { attributeLearned, attributeText, type Attribution } from '../../src/attribution/index.js';
import {
  artefactChecksum,
  parseDetectorArtefact,
  type DetectorArtefact,
  type DetectorModel,
} from '../../src/attribution/learned/artefact.js';
import { detectLabels } from '../../src/attribution/learned/detect.js';
import {
  choosePortrait,
  crossValidatePortrait,
  fitPortrait,
  graphPooling,
  type PortraitRow,
  type PortraitSetup,
} from '../../src/attribution/learned/portrait.js';
import type { GraphEntry } from '../../src/graphs/registry.js';
import { VALUES_10 } from './data.js';

export const PORTRAIT_FILE = 'tagged-responses.dev.json';

export interface PortraitData {
  rows: Array<PortraitRow & { text: string }>;
  /** The values, the label pooling (from the graph's concepts) and the readings of an empty text. */
  setup: PortraitSetup;
  /** The raw file (for its sha256). */
  raw: Buffer;
}

const levels = (a: Attribution) => VALUES_10.map((v) => a.values.find((x) => x.value === v)!.likert5);

/** The label pooling of the schwartz-10 `entry`'s concepts, restricted to `detector`'s labels. */
export function portraitPooling(entry: GraphEntry, detector: DetectorModel) {
  const concepts = entry.file.nodes
    .filter((n) => n.kind === 'concept')
    .map((n) => ({
      label: n.label,
      group: n.group,
      coefficients: n.mechanism.type === 'linear' ? n.mechanism.coefficients : {},
    }));
  return graphPooling(VALUES_10, concepts, (name) => detector.byName.has(name));
}

/** Read the dev part and attribute every response with `detector` on the schwartz-10 `entry`. */
export function readPortraitRows(dir: string, entry: GraphEntry, detector: DetectorModel): PortraitData {
  const labels = portraitPooling(entry, detector);
  const index = labels.names.map((n) => detector.byName.get(n)!);
  const probabilities = (text: string) => {
    const d = detectLabels(detector, text);
    return index.map((l) => d.labels[l]!.probability);
  };
  const raw = readFileSync(join(dir, PORTRAIT_FILE));
  const data = JSON.parse(raw.toString('utf8')) as Array<{
    outputs: Array<{ content: string; correlations: Array<[string, number]> }>;
  }>;
  const rows: PortraitData['rows'] = [];
  data.forEach((prompt, group) => {
    for (const o of prompt.outputs) {
      const t = new Map(o.correlations.map(([k, v]) => [k.toLowerCase(), v]));
      rows.push({
        text: o.content,
        group,
        truth: VALUES_10.map((v) => t.get(v)!),
        learned: levels(attributeLearned(entry, o.content, { detector, endorsement: false })),
        phrases: levels(attributeText(entry, o.content)),
        probabilities: probabilities(o.content),
      });
    }
  });
  const empty = {
    learned: levels(attributeLearned(entry, '', { detector, endorsement: false })),
    phrases: levels(attributeText(entry, '')),
    probabilities: probabilities(''),
  };
  return { rows, setup: { values: VALUES_10, labels, empty }, raw };
}

export const PORTRAIT_SEED = 14;

/**
 * The artefact with its endorsement mapping: α chosen by grouped CV on the whole dev part,
 * the mapping fitted on it, and the nested grouped 5-fold CV figures (the choice made inside each outer
 * training part) recorded as its provenance. The checksum is recomputed.
 */
export function withPortrait(artefact: DetectorArtefact, dir: string, entry: GraphEntry): DetectorArtefact {
  const { portrait: _old, ...rest } = artefact;
  void _old;
  const base = { ...rest, checksum: artefactChecksum(rest) };
  const data = readPortraitRows(dir, entry, parseDetectorArtefact(base));
  const values = attributeText(entry, '').values.map((v) => v.value);
  if (values.join() !== VALUES_10.join())
    throw new Error(`${entry.id} values are not the ten Schwartz values`);
  const cv = crossValidatePortrait(data.setup, data.rows, 5, PORTRAIT_SEED);
  const mapping = fitPortrait(
    data.setup,
    data.rows,
    choosePortrait(data.setup, data.rows, PORTRAIT_SEED + 1),
  );
  const r3 = (x: number) => Number(x.toFixed(3));
  const portrait = {
    provenance: {
      data: `Value Portrait (Han et al., ACL 2025): the dev part (${PORTRAIT_FILE}), responses with the correlations between respondents' Schwartz values and their endorsement`,
      licence: 'MIT',
      dataSha256: createHash('sha256').update(data.raw).digest('hex'),
      graph: entry.id,
      responses: data.rows.length,
      crossValidation: {
        method:
          'nested 5-fold CV grouped by prompt (α chosen by an inner 4-fold CV on each outer training part by the across-response figure; both readings; β fixed, see portrait.ts)',
        perResponseSpearman: r3(cv.score.perResponse),
        acrossResponseSpearman: r3(cv.score.across),
        chosen: cv.chosen,
      },
    },
    ...mapping,
  };
  const out = { ...rest, portrait };
  return { ...out, checksum: artefactChecksum(out) };
}
