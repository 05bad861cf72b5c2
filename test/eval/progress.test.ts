/** Progress output: a redrawn bar on a TTY, throttled plain lines otherwise. */
import { describe, expect, it } from 'vitest';
import { progressReporter, progressText, type ProgressInfo } from '../../src/eval/index.js';

const info = (done: number, over: Partial<ProgressInfo> = {}): ProgressInfo => ({
  total: 10,
  done,
  skipped: 0,
  failed: 0,
  elapsedMs: 2000,
  cost: {
    generator: { calls: 0, failedCalls: 0, promptTokens: 0, completionTokens: 0 },
    judge: { calls: 0, failedCalls: 0, promptTokens: 0, completionTokens: 0 },
  },
  ...over,
});

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = {
    isTTY,
    columns: 100,
    write: (s: string) => chunks.push(s) > 0,
  } as unknown as NodeJS.WriteStream;
  return { stream, chunks };
}

describe('progress', () => {
  it('text: done/total, skipped, failed, rate of the tasks run now, ETA', () => {
    expect(progressText(info(4, { skipped: 2, failed: 1 }))).toBe(
      '4/10 (40%) · 2 already done · 1 failed · 1.0/s · ETA 6s',
    );
    expect(progressText(info(0, { elapsedMs: 0 }))).toBe('0/10 (0%) · 0.0/s');
  });

  it('a TTY gets one redrawn line and a newline at the end', () => {
    let t = 0;
    const { stream, chunks } = sink(true);
    const r = progressReporter(stream, { now: () => (t += 100) });
    for (let d = 1; d <= 10; d++) r.update(info(d));
    r.finish(null);
    expect(chunks.every((c, i) => (i === chunks.length - 1 ? c === '\n' : c.startsWith('\r\x1b[2K[')))).toBe(
      true,
    );
    expect(chunks.at(-2)).toContain('[' + '#'.repeat(30) + '] 10/10 (100%)');
  });

  it('otherwise: plain lines, at most one per interval, always the last', () => {
    let t = 0;
    const { stream, chunks } = sink(false);
    const r = progressReporter(stream, { now: () => (t += 1000), intervalMs: 5000 });
    for (let d = 1; d <= 10; d++) r.update(info(d));
    r.finish(info(10));
    expect(chunks.filter((c) => c.startsWith('eval: ') && c.includes('/10'))).toHaveLength(3); // 1st, 6th, last
    expect(chunks.at(-1)).toBe(
      'eval: cost of this run: no upstream calls (embedded template generator and embedded attributor)\n',
    );
  });
});
