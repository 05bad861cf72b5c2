import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DetectorArtefactError,
  parseDetectorArtefact,
  readDetectorArtefact,
  type DetectorArtefact,
} from '../../../src/attribution/learned/artefact.js';
import { bundledDetectorPath, checkDetectorCoverage } from '../../../src/attribution/learned/registry.js';
import { loadGraphDir, makeEntry } from '../../../src/graphs/registry.js';
import { killAll, spawnServer, waitForExit } from '../../fixtures/server-process.js';
import { fitSynthetic } from './synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'pluralign-detector-'));
afterAll(() => {
  killAll();
  rmSync(dir, { recursive: true, force: true });
});

const good = fitSynthetic().artefact;
const copy = (): DetectorArtefact => JSON.parse(JSON.stringify(good)) as DetectorArtefact;

describe('the artefact is validated before use', () => {
  it('a valid artefact loads, and the bundled one is small and covers the bundled graphs', () => {
    expect(parseDetectorArtefact(good).labels).toHaveLength(5);
    const path = bundledDetectorPath();
    const bundled = readDetectorArtefact(path);
    expect(bundled.labels.filter((l) => l.level === 'value')).toHaveLength(54);
    expect(bundled.labels.filter((l) => l.level === 'category')).toHaveLength(20);
    expect(JSON.stringify(bundled.artefact).length).toBeLessThan(5_000_000);
    expect(() => checkDetectorCoverage(bundled, loadGraphDir().values(), path)).not.toThrow();
  });

  it('an edited weight breaks the checksum: refused, saying how to fix it', () => {
    const a = copy();
    a.bias[0] = a.bias[0]! + 1;
    expect(() => parseDetectorArtefact(a)).toThrow(/checksum mismatch.*npm run train:detector/);
  });

  it('a schema violation names the field', () => {
    const a = copy() as unknown as Record<string, unknown>;
    delete a['vocabulary'];
    expect(() => parseDetectorArtefact(a)).toThrow(/vocabulary/);
    expect(() => parseDetectorArtefact({ ...copy(), formatVersion: 2 })).toThrow(/formatVersion/);
  });

  it('weights that do not fit the vocabulary are refused even with a matching checksum', async () => {
    const { artefactChecksum } = await import('../../../src/attribution/learned/artefact.js');
    const a = copy();
    a.vocabulary = a.vocabulary.slice(1);
    a.idf = a.idf.slice(1);
    a.checksum = artefactChecksum(a);
    expect(() => parseDetectorArtefact(a)).toThrow(DetectorArtefactError);
    expect(() => parseDetectorArtefact(a)).toThrow(/weights hold \d+ numbers/);
  });

  it('a file that is not JSON: the error names the file', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{"format": "pluralign-value-detector",');
    expect(() => readDetectorArtefact(path)).toThrow(
      new RegExp(`cannot read the value-detector artefact ${path}`),
    );
  });

  it('an artefact that covers only part of a graph’s concepts does not match it', () => {
    const model = parseDetectorArtefact(good);
    const graph = makeEntry(
      {
        id: 'half',
        version: '1',
        nodes: [
          { id: 'v', kind: 'value', label: 'V', mechanism: { type: 'root', mean: 0, sd: 1 } },
          {
            id: 'c1',
            kind: 'concept',
            label: 'Be brave',
            mechanism: { type: 'linear', intercept: 0, coefficients: { v: 1 }, noiseSd: 1 },
          },
          {
            id: 'c2',
            kind: 'concept',
            label: 'Be sneaky',
            mechanism: { type: 'linear', intercept: 0, coefficients: { v: 1 }, noiseSd: 1 },
          },
        ],
        edges: [
          ['v', 'c1'],
          ['v', 'c2'],
        ],
      },
      'half.json',
    );
    expect(() => checkDetectorCoverage(model, [graph], 'x.json')).toThrow(
      /x\.json does not match graph "half".*"Be sneaky"/,
    );
  });
});

describe('a corrupt or mismatched artefact stops the boot with a message naming the file', () => {
  it.each([
    ['corrupt', (a: DetectorArtefact) => ({ ...a, bias: a.bias.map((b) => b + 1) }), /checksum mismatch/],
    ['mismatched', (a: DetectorArtefact) => a, /the MFT concept "[a-z_]+" maps to label\(s\) it lacks/],
  ])('%s artefact → exit 1', async (name, change, message) => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(change(copy())));
    const { child, err } = spawnServer({ VALUE_DETECTOR_FILE: path, GENERATOR: 'template' });
    expect(await waitForExit(child)).toBe(1);
    expect(err()).toContain(path);
    expect(err()).toMatch(message);
    expect(err()).not.toMatch(/at .*\.ts:\d+/);
  });
});
