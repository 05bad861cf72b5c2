/**
 * `npm run bench:detector`: texts per second of CPU time on one core for the learned value detector vs the phrase
 * detector, measured in the same run, for 50- and 300-word texts: detection alone, and the whole
 * attribution (detection → evidence → the SCM posterior on schwartz-10). Target: a 300-word text is
 * attributed by the learned detector in ≤ 1 ms. Writes test/bench/results/detector.json and prints a
 * table; `npm run bench` runs it as its `detector` part.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  attributeLearned,
  attributeText,
  detectConcepts,
  detectLabels,
  valueDetector,
} from '../../src/attribution/index.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { mulberry32 } from './graphs.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
export const DETECTOR_TARGET_MS_300 = 1;

const SENTENCES = [
  'I think we should help our neighbours when they are in trouble, because a community that cares is a safer place to live.',
  'Taking the job abroad would be an exciting adventure, and I could learn new skills and meet people from other cultures.',
  'My parents taught me to respect tradition and to be honest with everyone, even when the truth is uncomfortable.',
  'Money matters, but success without freedom to choose my own path would not make me happy.',
  'The government must protect the environment and treat every citizen equally under the law.',
  'Working hard and being ambitious brings recognition, yet I do not want to sacrifice my health or my family for it.',
  'Rules exist for a reason, and breaking them hurts the people who trust us to behave properly.',
  'Enjoying life, good food and time with friends is as important as any career or any amount of wealth.',
];

/** A text of about `words` words, sentences drawn by a seeded generator. */
export function benchText(words: number, seed: number): string {
  const random = mulberry32(seed);
  const out: string[] = [];
  let n = 0;
  while (n < words) {
    const s = SENTENCES[Math.floor(random() * SENTENCES.length)]!;
    out.push(s);
    n += s.split(/\s+/).length;
  }
  return out.join(' ');
}

/**
 * Texts per second of `fn` by this process's CPU time (user + system), not wall time: on a shared
 * machine the wall clock counts other processes' turns on the core, the CPU time does not.
 */
function perSecond(fn: (i: number) => void): { perSecond: number; microseconds: number } {
  for (let i = 0; i < 200; i++) fn(i); // warm-up
  let iterations = 0;
  const start = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < SECONDS) {
    for (let k = 0; k < 32; k++) fn(iterations++);
    const d = process.cpuUsage(start);
    elapsed = (d.user + d.system) / 1e6;
  }
  return { perSecond: iterations / elapsed, microseconds: (elapsed / iterations) * 1e6 };
}

export interface DetectorRow {
  words: number;
  what: 'detection' | 'attribution';
  learnedPerSecond: number;
  learnedMicroseconds: number;
  phrasesPerSecond: number;
  phrasesMicroseconds: number;
  /** learned / phrases throughput. */
  ratio: number;
}

export function runDetectorBench(): DetectorRow[] {
  const entry = loadGraphDir().get('schwartz-10')!;
  const model = valueDetector();
  const rows: DetectorRow[] = [];
  for (const words of [50, 300]) {
    // 16 different texts per length, cycled (the stem cache warms up as in a running service).
    const texts = Array.from({ length: 16 }, (_, i) => benchText(words, 1000 * words + i));
    const pick = (i: number) => texts[i % texts.length]!;
    const cases = [
      {
        what: 'detection' as const,
        learned: (i: number) => detectLabels(model, pick(i)),
        phrases: (i: number) => detectConcepts(entry, pick(i)),
      },
      {
        what: 'attribution' as const,
        learned: (i: number) => attributeLearned(entry, pick(i)),
        phrases: (i: number) => attributeText(entry, pick(i)),
      },
    ];
    for (const c of cases) {
      const learned = perSecond(c.learned);
      const phrases = perSecond(c.phrases);
      rows.push({
        words,
        what: c.what,
        learnedPerSecond: learned.perSecond,
        learnedMicroseconds: learned.microseconds,
        phrasesPerSecond: phrases.perSecond,
        phrasesMicroseconds: phrases.microseconds,
        ratio: learned.perSecond / phrases.perSecond,
      });
    }
  }
  return rows;
}

export function detectorTable(rows: readonly DetectorRow[]): string {
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const lines = [
    '| words | what | learned texts/s | learned µs | phrases texts/s | phrases µs | learned / phrases |',
    '|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.words} | ${r.what} | ${fmt(r.learnedPerSecond)} | ${r.learnedMicroseconds.toFixed(0)} | ${fmt(r.phrasesPerSecond)} | ${r.phrasesMicroseconds.toFixed(0)} | ${r.ratio.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

/** Does the learned detector attribute a 300-word text in ≤ 1 ms? */
export function detectorTargetMet(rows: readonly DetectorRow[]): boolean {
  const r = rows.find((x) => x.words === 300 && x.what === 'attribution');
  return r !== undefined && r.learnedMicroseconds <= DETECTOR_TARGET_MS_300 * 1000;
}

function main() {
  const rows = runDetectorBench();
  const here = dirname(fileURLToPath(import.meta.url));
  const out = join(here, 'results', 'detector.json');
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model,
    secondsPerMeasurement: SECONDS,
    targetMs300: DETECTOR_TARGET_MS_300,
    targetMet: detectorTargetMet(rows),
    rows,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`Value detectors on one core (${process.version}, ${SECONDS}s per measurement)\n`);
  console.log(detectorTable(rows));
  console.log(
    `\n300-word attribution with the learned detector ≤ ${DETECTOR_TARGET_MS_300} ms: ${report.targetMet ? 'met' : 'MISSED'}`,
  );
  console.log(`written to ${out}`);
  if (process.env.BENCH_STRICT === '1' && !report.targetMet) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
