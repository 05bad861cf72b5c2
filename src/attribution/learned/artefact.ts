/**
 * The learned detector's artefact (`graphs/detectors/value-detector.json`): a versioned JSON file with
 * everything inference needs (vocabulary, idf, int16-quantised weights, bias, Platt calibration and
 * thresholds per label, the taxonomy lexicon) and its provenance (data, licence, a sha256 of the
 * training data, the training options and the cross-validated figures). `checksum` is the sha256 of
 * the canonical JSON of every other field, so a corrupted or hand-edited file is refused.
 *
 * Parsing is pure (zod + consistency checks → `DetectorArtefactError` naming what is wrong);
 * `readDetectorArtefact` adds the file name.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { canonicalJson } from '../../graphs/registry.js';
import type { LexiconEntry } from './features.js';

export const ARTEFACT_FORMAT = 'pluralign-value-detector';
export const ARTEFACT_FORMAT_VERSION = 1;

export class DetectorArtefactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DetectorArtefactError';
  }
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const Label = z
  .object({
    name: z.string().min(1),
    level: z.enum(['value', 'category']),
    /** The category of a level-1 value. */
    category: z.string().min(1).optional(),
    platt: z.object({ a: finite, b: finite }).strict(),
    /** P(label | one of its lexicon phrases is in the text), a floor for the probability then. */
    lexiconPrecision: z.number().min(0).max(1),
    threshold: z.number().gt(0).lt(1),
    /** Share of training arguments with the label. */
    prior: z.number().min(0).max(1),
  })
  .strict();

const Figures = z.record(z.string(), z.unknown());

const finiteList = z.array(finite);

/** The endorsement mapping fitted on Value Portrait's dev part (portrait.ts). */
const Portrait = z
  .object({
    provenance: z
      .object({
        data: z.string().min(1),
        licence: z.string().min(1),
        dataSha256: z.string().regex(/^[0-9a-f]{64}$/, 'dataSha256 must be 64 hex digits'),
        graph: z.string().min(1),
        responses: z.number().int().positive(),
        /** Nested grouped cross-validation on the dev part (the honest figures). */
        crossValidation: z.record(z.string(), z.unknown()),
      })
      .strict(),
    values: z.array(z.string().min(1)).min(2),
    center: z.object({ learned: finiteList, phrases: finiteList }).strict(),
    spread: z.object({ learned: finiteList, phrases: finiteList }).strict(),
    shiftSd: finiteList,
    labels: z
      .object({
        names: z.array(z.string().min(1)),
        center: finiteList,
        spread: finiteList,
        pool: z.array(finiteList),
        sd: finiteList,
      })
      .strict(),
    sources: z.object({ posterior: z.number().min(0), probabilities: z.number().min(0) }).strict(),
    mean: finiteList,
    sd: finiteList,
    kernel: z.array(finiteList),
    alpha: z.number().min(0).max(1),
    beta: z.number().min(0),
  })
  .strict();

export const DetectorArtefactSchema = z
  .object({
    format: z.literal(ARTEFACT_FORMAT),
    formatVersion: z.literal(ARTEFACT_FORMAT_VERSION),
    version: z.string().regex(/^\d+\.\d+\.\d+$/, 'version must be semver (x.y.z)'),
    provenance: z
      .object({
        data: z.string().min(1),
        licence: z.string().min(1),
        citation: z.string().min(1),
        dataSha256: z.string().regex(/^[0-9a-f]{64}$/, 'dataSha256 must be 64 hex digits'),
        examples: z.number().int().positive(),
        trainedBy: z.string().min(1),
        options: z.record(z.string(), z.unknown()),
      })
      .strict(),
    labels: z.array(Label).min(1),
    lexicon: z.array(
      z
        .object({ label: z.string().min(1), category: z.string().min(1), phrases: z.array(z.string()) })
        .strict(),
    ),
    vocabulary: z.array(z.string().min(1)).min(1),
    idf: z.array(finite),
    weights: z
      .object({
        encoding: z.literal('int16-base64'),
        /** Per label: weight = int16 × scale. */
        scale: z.array(z.number().positive()),
        data: z.string(),
      })
      .strict(),
    bias: z.array(finite),
    figures: Figures,
    portrait: Portrait.optional(),
    checksum: z.string().regex(/^[0-9a-f]{64}$/, 'checksum must be 64 hex digits'),
  })
  .strict();

export type DetectorArtefact = z.infer<typeof DetectorArtefactSchema>;
export type ArtefactLabel = z.infer<typeof Label>;

/** The decoded, ready-to-score form. */
export interface DetectorModel {
  artefact: DetectorArtefact;
  labels: ArtefactLabel[];
  lexicon: LexiconEntry[];
  vocabulary: Map<string, number>;
  idf: Float64Array;
  /** Feature-major: w[j·L + l]. */
  weights: Float32Array;
  bias: Float64Array;
  /** Label index by name. */
  byName: Map<string, number>;
}

/** sha256 of the artefact without its checksum. */
export function artefactChecksum(
  artefact: Omit<DetectorArtefact, 'checksum'> & { checksum?: string },
): string {
  const { checksum: _omit, ...rest } = artefact;
  void _omit;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

/** Quantise feature-major weights to int16 per label; returns the `weights` field. */
export function encodeWeights(weights: ArrayLike<number>, labels: number): DetectorArtefact['weights'] {
  const features = weights.length / labels;
  const scale: number[] = [];
  for (let l = 0; l < labels; l++) {
    let max = 0;
    for (let j = 0; j < features; j++) max = Math.max(max, Math.abs(weights[j * labels + l]!));
    scale.push(Number(((max || 1) / 32767).toPrecision(8)));
  }
  const q = new Int16Array(weights.length);
  for (let i = 0; i < weights.length; i++) q[i] = Math.round(weights[i]! / scale[i % labels]!);
  const data = Buffer.from(q.buffer, q.byteOffset, q.byteLength).toString('base64');
  return { encoding: 'int16-base64', scale, data };
}

function decodeWeights(w: DetectorArtefact['weights'], labels: number, features: number): Float32Array {
  const bytes = Buffer.from(w.data, 'base64');
  if (bytes.length !== labels * features * 2) {
    throw new DetectorArtefactError(
      `weights hold ${bytes.length / 2} numbers, but ${features} vocabulary entries × ${labels} labels need ${labels * features}`,
    );
  }
  const out = new Float32Array(labels * features);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(i * 2) * w.scale[i % labels]!;
  return out;
}

function checkPortrait(
  p: NonNullable<DetectorArtefact['portrait']>,
  byName: ReadonlyMap<string, number>,
): void {
  const V = p.values.length;
  const lists: Array<[string, number[]]> = [
    ['center.learned', p.center.learned],
    ['center.phrases', p.center.phrases],
    ['spread.learned', p.spread.learned],
    ['spread.phrases', p.spread.phrases],
    ['shiftSd', p.shiftSd],
    ['mean', p.mean],
    ['sd', p.sd],
    ['labels.sd', p.labels.sd],
    ...p.kernel.map((row, i): [string, number[]] => [`kernel.${i}`, row]),
  ];
  const bad = lists.find(([, l]) => l.length !== V);
  if (bad || p.kernel.length !== V || p.labels.pool.length !== V) {
    throw new DetectorArtefactError(
      `portrait.${bad ? bad[0] : p.kernel.length !== V ? 'kernel' : 'labels.pool'} must have ${V} entries (one per portrait value)`,
    );
  }
  const N = p.labels.names.length;
  const badLabels = (
    [
      ['labels.center', p.labels.center],
      ['labels.spread', p.labels.spread],
      ...p.labels.pool.map((row, i): [string, number[]] => [`labels.pool.${i}`, row]),
    ] as Array<[string, number[]]>
  ).find(([, l]) => l.length !== N);
  if (badLabels) {
    throw new DetectorArtefactError(
      `portrait.${badLabels[0]} must have ${N} entries (one per name in portrait.labels.names)`,
    );
  }
  const unknown = p.labels.names.find((n) => !byName.has(n));
  if (unknown !== undefined) {
    throw new DetectorArtefactError(`portrait.labels.names has "${unknown}", which is not a label`);
  }
  for (const [name, l] of [
    ['spread.learned', p.spread.learned],
    ['spread.phrases', p.spread.phrases],
    ['shiftSd', p.shiftSd],
    ['labels.spread', p.labels.spread],
    ['labels.sd', p.labels.sd],
  ] as const) {
    if (l.some((x) => !(x > 0))) throw new DetectorArtefactError(`portrait.${name} must be positive`);
  }
}

/** Validate and decode an artefact (throws DetectorArtefactError saying what is wrong). */
export function parseDetectorArtefact(json: unknown): DetectorModel {
  const parsed = DetectorArtefactSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new DetectorArtefactError(`not a valid value-detector artefact: ${issues}`);
  }
  const a = parsed.data;
  const expected = artefactChecksum(a);
  if (expected !== a.checksum) {
    throw new DetectorArtefactError(
      `checksum mismatch (file says ${a.checksum.slice(0, 12)}…, content hashes to ${expected.slice(0, 12)}…): the file is corrupt or was edited by hand; rerun npm run train:detector`,
    );
  }
  const L = a.labels.length;
  const F = a.vocabulary.length;
  if (a.idf.length !== F)
    throw new DetectorArtefactError(`idf has ${a.idf.length} entries for ${F} vocabulary entries`);
  if (a.bias.length !== L)
    throw new DetectorArtefactError(`bias has ${a.bias.length} entries for ${L} labels`);
  if (a.weights.scale.length !== L) {
    throw new DetectorArtefactError(`weights.scale has ${a.weights.scale.length} entries for ${L} labels`);
  }
  const byName = new Map<string, number>();
  a.labels.forEach((l, i) => {
    if (byName.has(l.name)) throw new DetectorArtefactError(`label "${l.name}" appears twice`);
    byName.set(l.name, i);
  });
  for (const l of a.labels) {
    if (l.level === 'value' && (!l.category || !byName.has(l.category))) {
      throw new DetectorArtefactError(
        `value "${l.name}" names category "${l.category ?? ''}", which is not a label`,
      );
    }
  }
  if (a.portrait) checkPortrait(a.portrait, byName);
  const vocabulary = new Map<string, number>();
  a.vocabulary.forEach((v, i) => vocabulary.set(v, i));
  if (vocabulary.size !== F) throw new DetectorArtefactError('the vocabulary has duplicate entries');
  return {
    artefact: a,
    labels: a.labels,
    lexicon: a.lexicon,
    vocabulary,
    idf: Float64Array.from(a.idf),
    weights: decodeWeights(a.weights, L, F),
    bias: Float64Array.from(a.bias),
    byName,
  };
}

/** Read and validate an artefact file; every error names the file. */
export function readDetectorArtefact(path: string): DetectorModel {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DetectorArtefactError(
      `cannot read the value-detector artefact ${path}: ${(err as Error).message}`,
    );
  }
  try {
    return parseDetectorArtefact(json);
  } catch (err) {
    if (err instanceof DetectorArtefactError) {
      throw new DetectorArtefactError(`value-detector artefact ${path}: ${err.message}`);
    }
    throw err;
  }
}
