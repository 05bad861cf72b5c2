/**
 * Progress output for long runs, on stderr: a redrawn bar on a TTY, plain lines otherwise (at most one
 * every `intervalMs`, and the last one), so logs and CI output stay readable.
 */
import { usageLine } from './report.js';
import type { ProgressInfo } from './run.js';

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function progressText(p: ProgressInfo): string {
  const ran = p.done - p.skipped;
  const rate = p.elapsedMs > 0 ? (ran / p.elapsedMs) * 1000 : 0;
  const left = p.total - p.done;
  const eta = rate > 0 ? ` · ETA ${duration((left / rate) * 1000)}` : '';
  const pct = p.total ? Math.floor((p.done / p.total) * 100) : 100;
  return `${p.done}/${p.total} (${pct}%)${p.skipped ? ` · ${p.skipped} already done` : ''}${p.failed ? ` · ${p.failed} failed` : ''} · ${rate.toFixed(1)}/s${eta}`;
}

export interface ProgressReporter {
  update(p: ProgressInfo): void;
  finish(p: ProgressInfo | null): void;
}

export function progressReporter(
  stream: NodeJS.WriteStream = process.stderr,
  options: { tty?: boolean; intervalMs?: number; now?: () => number } = {},
): ProgressReporter {
  const tty = options.tty ?? Boolean(stream.isTTY);
  const now = options.now ?? Date.now;
  const interval = options.intervalMs ?? 5000;
  let lastLine = -Infinity;
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    update(p) {
      if (tty) {
        if (now() - lastDraw < 80 && p.done < p.total) return; // at most ~12 redraws a second
        lastDraw = now();
        const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 70));
        const filled = p.total ? Math.round((p.done / p.total) * width) : width;
        stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${progressText(p)}`);
        drawn = true;
      } else if (now() - lastLine >= interval || p.done === p.total) {
        lastLine = now();
        stream.write(`eval: ${progressText(p)}\n`);
      }
    },
    finish(p) {
      if (tty && drawn) stream.write('\n');
      if (p) stream.write(`eval: cost of this run: ${usageLine(p.cost)}\n`);
    },
  };
}
