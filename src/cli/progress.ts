/**
 * Progress for long CLI runs (evaluations, benchmarks, batches), always on standard error so standard
 * output stays clean JSON. On a terminal: one bar redrawn in place
 * (`label [████████░░░░░░░░] 12/40  30%  eta 8s  note`); otherwise (a pipe, a CI log): plain lines,
 * one each time another `every` percent is done, and a last line at the end.
 *
 *   const bar = progress({ total: items.length, label: 'eval' });
 *   for (const item of items) { await work(item); bar.tick(1, item.id); }
 *   bar.done();
 */

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
  columns?: number | undefined;
}

export interface ProgressOptions {
  total: number;
  label?: string;
  /** Default `process.stderr`. */
  stream?: ProgressStream;
  /** Force the terminal (true) or plain-line (false) rendering; default: `stream.isTTY`. */
  tty?: boolean;
  /** Plain mode: print a line each time this many more percent are done (default 10). */
  every?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

export interface Progress {
  /** `n` more items done (default 1), with an optional note (the current item). */
  tick(n?: number, note?: string): void;
  /** Finish: the bar at its final count, then a newline (terminal) or a last line (plain). */
  done(note?: string): void;
  readonly count: number;
}

const WIDTH = 24;

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function progress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const total = Math.max(0, Math.floor(options.total));
  const label = options.label ?? 'progress';
  const every = options.every ?? 10;
  const now = options.now ?? Date.now;
  const started = now();
  let count = 0;
  let lastStep = 0;
  let finished = false;

  const line = (note?: string): string => {
    const fraction = total === 0 ? 1 : Math.min(1, count / total);
    const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
    const elapsed = now() - started;
    const eta =
      !finished && count > 0 && count < total ? `  eta ${seconds((elapsed / count) * (total - count))}` : '';
    const tail = `${count}/${total} ${pct}${eta}${note ? `  ${note}` : ''}`;
    if (!tty) return `${label}: ${tail}`;
    const filled = Math.round(fraction * WIDTH);
    const text = `${label} [${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}] ${tail}`;
    const cols = stream.columns ?? 80;
    return text.length > cols - 1 ? text.slice(0, cols - 1) : text;
  };

  const render = (note?: string): void => {
    if (tty) {
      stream.write(`\r\x1b[2K${line(note)}`);
      return;
    }
    const step = total === 0 ? 100 : Math.floor(((count / total) * 100) / every);
    if (step > lastStep) {
      lastStep = step;
      stream.write(`${line(note)}\n`);
    }
  };

  return {
    get count() {
      return count;
    },
    tick(n = 1, note?: string) {
      if (finished) return;
      count = Math.min(total, count + n);
      render(note);
    },
    done(note?: string) {
      if (finished) return;
      finished = true;
      if (tty) {
        stream.write(`\r\x1b[2K${line(note ?? `done in ${seconds(now() - started)}`)}\n`);
      } else if (lastStep < Math.floor(100 / every) || count < total) {
        stream.write(`${line(note ?? `done in ${seconds(now() - started)}`)}\n`);
      }
    },
  };
}

/** A plain text table (columns padded; numbers right-aligned). */
export function table(
  header: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const fmt = (r: readonly string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(fmt)].join('\n');
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return String(n);
  return n.toFixed(Math.abs(n) >= 100 ? 1 : 3);
}
