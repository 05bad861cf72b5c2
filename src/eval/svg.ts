/**
 * A tiny, dependency-free, deterministic SVG grouped bar chart with optional interval whiskers: the
 * same input always gives the same bytes (fixed number formatting, no random ids, no dates).
 */
import { esc } from '../render/svg.js';

export interface Bar {
  series: string;
  value: number | null;
  lo?: number | null;
  hi?: number | null;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

export interface BarChartSpec {
  title: string;
  subtitle?: string;
  yLabel: string;
  series: string[];
  groups: BarGroup[];
  /** Force the y range to include these (e.g. [0, 4] for MAE, [-1, 1] for ρ). */
  yInclude?: number[];
}

/** Colour-blind-safe palette (Okabe–Ito). */
const PALETTE = ['#999999', '#E69F00', '#0072B2', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];

const fmt = (x: number) => {
  const r = Math.round(x * 100) / 100;
  return Object.is(r, -0) ? '0' : String(r);
};

/** Tick step of 1, 2 or 5 × 10^k giving about `target` ticks over `span`. */
export function niceStep(span: number, target = 5): number {
  if (!(span > 0)) return 1;
  const raw = span / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
}

export function barChart(spec: BarChartSpec): string {
  const nSeries = Math.max(1, spec.series.length);
  const barW = 14;
  const groupGap = 18;
  const groupW = nSeries * barW + groupGap;
  const labelRoom = Math.min(160, 8 + 6 * Math.max(0, ...spec.groups.map((g) => g.label.length)) * 0.7);
  const m = { top: 70, right: 20, bottom: Math.round(labelRoom) + 20, left: 60 };
  const plotW = Math.max(200, spec.groups.length * groupW);
  const plotH = 240;
  const width = m.left + plotW + m.right;
  const height = m.top + plotH + m.bottom;

  const numbers: number[] = [0, ...(spec.yInclude ?? [])];
  for (const g of spec.groups)
    for (const b of g.bars)
      for (const v of [b.value, b.lo, b.hi]) if (typeof v === 'number' && Number.isFinite(v)) numbers.push(v);
  let yMin = Math.min(...numbers);
  let yMax = Math.max(...numbers);
  if (yMax === yMin) yMax = yMin + 1;
  const step = niceStep(yMax - yMin);
  yMin = Math.floor(yMin / step + 1e-9) * step;
  yMax = Math.ceil(yMax / step - 1e-9) * step;
  const y = (v: number) => m.top + plotH - ((v - yMin) / (yMax - yMin)) * plotH;
  const colour = (s: string) => PALETTE[Math.max(0, spec.series.indexOf(s)) % PALETTE.length]!;

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
  );
  out.push(`<title>${esc(spec.title)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${m.left}" y="20" font-size="14" font-weight="bold">${esc(spec.title)}</text>`);
  if (spec.subtitle) out.push(`<text x="${m.left}" y="36" fill="#555555">${esc(spec.subtitle)}</text>`);
  // Legend.
  let lx = m.left;
  for (const s of spec.series) {
    out.push(`<rect x="${lx}" y="46" width="10" height="10" fill="${colour(s)}"/>`);
    out.push(`<text x="${lx + 14}" y="55">${esc(s)}</text>`);
    lx += 24 + s.length * 6.5;
  }
  // Axis, grid and ticks.
  for (let i = 0, v = yMin; v <= yMax + step / 2 && i < 100; i++, v = yMin + i * step) {
    const yy = fmt(y(v));
    out.push(
      `<line x1="${m.left}" x2="${m.left + plotW}" y1="${yy}" y2="${yy}" stroke="${Math.abs(v) < step / 1e6 ? '#333333' : '#e5e5e5'}"/>`,
    );
    out.push(`<text x="${m.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${fmt(v)}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + plotH}" stroke="#333333"/>`);
  out.push(
    `<text transform="translate(16 ${fmt(m.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`,
  );
  // Bars.
  spec.groups.forEach((g, gi) => {
    const gx = m.left + gi * groupW + groupGap / 2;
    g.bars.forEach((b) => {
      const si = Math.max(0, spec.series.indexOf(b.series));
      const x = gx + si * barW;
      if (b.value === null || !Number.isFinite(b.value)) {
        out.push(
          `<text x="${fmt(x + barW / 2)}" y="${fmt(y(0) - 3)}" text-anchor="middle" fill="#999999">–</text>`,
        );
        return;
      }
      const top = Math.min(y(b.value), y(0));
      const h = Math.abs(y(b.value) - y(0));
      out.push(
        `<rect x="${fmt(x + 1)}" y="${fmt(top)}" width="${barW - 2}" height="${fmt(h)}" fill="${colour(b.series)}"><title>${esc(
          `${g.label} · ${b.series}: ${b.value.toFixed(3)}${typeof b.lo === 'number' && typeof b.hi === 'number' ? ` [${b.lo.toFixed(3)}, ${b.hi.toFixed(3)}]` : ''}`,
        )}</title></rect>`,
      );
      if (typeof b.lo === 'number' && typeof b.hi === 'number' && b.hi - b.lo > 1e-9) {
        const cx = fmt(x + barW / 2);
        out.push(`<line x1="${cx}" x2="${cx}" y1="${fmt(y(b.lo))}" y2="${fmt(y(b.hi))}" stroke="#222222"/>`);
        for (const v of [b.lo, b.hi])
          out.push(
            `<line x1="${fmt(x + 3)}" x2="${fmt(x + barW - 3)}" y1="${fmt(y(v))}" y2="${fmt(y(v))}" stroke="#222222"/>`,
          );
      }
    });
    const tx = fmt(gx + (nSeries * barW) / 2);
    const ty = fmt(m.top + plotH + 12);
    out.push(`<text transform="translate(${tx} ${ty}) rotate(-35)" text-anchor="end">${esc(g.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
