import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { readDetectorArtefact } from '../../src/attribution/learned/artefact.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { main } from '../../scripts/train-detector.js';

const dir = mkdtempSync(join(tmpdir(), 'pluralign-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small data file in the shared data's format, with the taxonomy's real labels (from the graph). */
function writeData(): void {
  const concepts = loadGraphDir()
    .get('schwartz-19')!
    .file.nodes.filter((n) => n.kind === 'concept');
  const categories = [...new Set(concepts.map((c) => c.group!))];
  const args = Array.from({ length: 90 }, (_, i) => {
    const c = concepts[i % 6]!;
    return {
      id: `A${i}`,
      part: 'usa',
      usage: i % 10 === 0 ? 'validation' : 'train',
      conclusion: `Conclusion ${i % 9}`,
      stance: i % 2 ? 'against' : 'in favor of',
      premise: `${c.phrases?.[0] ?? c.label} matters for topic ${i % 9} and policy ${i % 5}`,
      values: [c.label],
      categories: [c.group],
    };
  });
  writeFileSync(
    join(dir, 'arguments.train-validation.json'),
    JSON.stringify({ valueNames: concepts.map((c) => c.label), categoryNames: categories, arguments: args }),
  );
}

describe('npm run train:detector', () => {
  it('writes a valid artefact, rewrites it byte for byte, and --check confirms it', () => {
    writeData();
    const out = join(dir, 'detector.json');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      main(['--data', dir, '--out', out, '--report', join(dir, 'report.md')]);
      const first = readFileSync(out);
      main(['--data', dir, '--out', out]);
      expect(readFileSync(out).equals(first)).toBe(true);
      process.exitCode = undefined;
      main(['--data', dir, '--out', out, '--check']);
      expect(process.exitCode).toBeUndefined();
    } finally {
      write.mockRestore();
    }
    const model = readDetectorArtefact(out);
    expect(model.labels).toHaveLength(54 + 20);
    expect(model.artefact.provenance.examples).toBe(81);
    expect(model.artefact.provenance.dataSha256).toMatch(/^[0-9a-f]{64}$/);
    const report = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(report).toContain('5-fold cross-validation on the train part');
    expect(report).toContain('tf-idf LR (words + pairs), CV thresholds');
    expect(report).toContain('always present');
  });

  it('a missing data folder is a clear error', () => {
    expect(() => main(['--data', join(dir, 'nowhere')])).toThrow(/no training data at .*nowhere/);
  });
});
