/**
 * A radar chart of a value profile: factual vs target vs counterfactual, one axis per value in the
 * theory's circle order (first axis at the top, clockwise), as a standalone SVG string.
 *
 * Pure and deterministic: the same input gives the same bytes (coordinates rounded to 0.1, numbers in
 * text with fixed decimals). Accessible: `role="img"` with a `<title>` and a `<desc>` that lists every
 * number, a `<title>` on every point, text labels on every axis, and series told apart by dash pattern
 * and marker shape as well as colour, with a text legend.
 */
import {
  GRID,
  INK,
  MUTED,
  SERIES,
  SERIES_IDS,
  type Marker,
  type SeriesId,
  type SeriesStyle,
} from './palette.js';
import { c, el, fixed, svgDocument, text, textLines, tip, wrapLabel } from './svg.js';

export interface RadarValue {
  id: string;
  label: string;
  factual: number | null;
  /** The target the caller set, or null when this value was not set. */
  target: number | null;
  counterfactual: number | null;
}

export interface RadarOptions {
  values: readonly RadarValue[];
  /** The scale of the numbers (default COUPLE's likert 1–5); `min` is drawn at the centre. */
  scale?: { min: number; max: number; label?: string };
  title: string;
  /** Axis order (value ids, e.g. the theory circle); values not listed follow in their given order. */
  order?: readonly string[];
  /** Prefix of the element ids (`<prefix>-title`, `<prefix>-desc`): distinct per chart on one page. */
  idPrefix?: string;
  /** Decimals of the numbers in the description and tooltips (default 2). */
  digits?: number;
}

const W = 720;
const H = 660;
const CX = 360;
const CY = 330;
const R = 200;

export const DEFAULT_SCALE = { min: 1, max: 5, label: '1–5 importance' } as const;

/** Values sorted by `order` (stable for the ones it does not list). */
export function orderValues<T extends { id: string }>(values: readonly T[], order?: readonly string[]): T[] {
  if (!order) return [...values];
  const pos = new Map(order.map((id, i) => [id, i]));
  return values
    .map((v, i) => ({ v, k: pos.get(v.id) ?? order.length + i }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.v);
}

function ticksOf(min: number, max: number): number[] {
  const span = max - min;
  if (Number.isInteger(min) && Number.isInteger(max) && span >= 1 && span <= 10) {
    return Array.from({ length: span + 1 }, (_, i) => min + i);
  }
  return [0, 1, 2, 3, 4].map((i) => min + (span * i) / 4);
}

function marker(shape: Marker, x: number, y: number, s: SeriesStyle, label: string): string {
  const common = { fill: s.colour, stroke: '#ffffff', 'stroke-width': 1 };
  if (shape === 'circle') return el('circle', { cx: c(x), cy: c(y), r: 4, ...common }, tip(label));
  if (shape === 'square') {
    return el('rect', { x: c(x - 4), y: c(y - 4), width: 8, height: 8, ...common }, tip(label));
  }
  const d = 6.5;
  const points = `${c(x)},${c(y - d)} ${c(x + d)},${c(y)} ${c(x)},${c(y + d)} ${c(x - d)},${c(y)}`;
  return el('path', { d: `M${points.replace(/ /g, ' L')}Z`, ...common }, tip(label));
}

/**
 * Runs of consecutive indices whose flag is set (wrapping around when `cyclic`), each of 2+ indices;
 * a run that goes all the way round is not closed (the caller draws a polygon for that).
 */
export function runs(flags: readonly boolean[], cyclic: boolean): number[][] {
  const n = flags.length;
  const out: number[][] = [];
  if (flags.every(Boolean)) {
    out.push(flags.map((_, i) => i));
    return out;
  }
  // Start just after an unset index so a run crossing the end is kept whole.
  const start = cyclic ? flags.findIndex((f, i) => !f && flags[(i + 1) % n]) + 1 : 0;
  let run: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = cyclic ? (start + k) % n : k;
    if (flags[i]) run.push(i);
    else {
      if (run.length >= 2) out.push(run);
      run = [];
    }
  }
  if (run.length >= 2) out.push(run);
  return out;
}

function legendSample(id: SeriesId, x: number, y: number): string {
  const s = SERIES[id];
  return (
    el('line', {
      x1: c(x),
      y1: c(y),
      x2: c(x + 34),
      y2: c(y),
      stroke: s.colour,
      'stroke-width': s.width,
      'stroke-dasharray': s.dash,
    }) + marker(s.marker, x + 17, y, s, s.label)
  );
}

/** The radar chart as an SVG document (a string ending in a newline). */
export function radarChart(options: RadarOptions): string {
  const scale = options.scale ?? DEFAULT_SCALE;
  const digits = options.digits ?? 2;
  const idPrefix = options.idPrefix ?? 'radar';
  if (!(scale.max > scale.min) || !Number.isFinite(scale.min) || !Number.isFinite(scale.max)) {
    throw new RangeError(`the scale must have min < max (got ${scale.min}–${scale.max})`);
  }
  const values = orderValues(options.values, options.order);
  const n = values.length;
  if (n === 0) throw new RangeError('a radar chart needs at least one value');
  for (const v of values) {
    for (const id of SERIES_IDS) {
      const x = v[id];
      if (x !== null && !Number.isFinite(x)) throw new RangeError(`${v.id}.${id} is not a finite number`);
    }
  }

  const angle = (i: number) => -Math.PI / 2 + (2 * Math.PI * i) / n;
  const radius = (x: number) =>
    (R * (Math.min(scale.max, Math.max(scale.min, x)) - scale.min)) / (scale.max - scale.min);
  const point = (i: number, x: number) => {
    const r = radius(x);
    return { x: CX + r * Math.cos(angle(i)), y: CY + r * Math.sin(angle(i)) };
  };
  const num = (x: number | null) => (x === null ? 'not set' : fixed(x, digits));
  const present = SERIES_IDS.filter((id) => values.some((v) => v[id] !== null));
  // At most 2 decimals, trailing zeros dropped ("2.5", "−1.25", "3"); a real minus sign.
  const short = (x: number) => String(Number(fixed(x, 2))).replace(/^-/, '−');
  const scaleText = `${short(scale.min)} (centre) to ${short(scale.max)} (outer ring)`;

  let body = '';
  // Title (visible; the accessible name is the <title> element).
  const titleLines = wrapLabel(options.title, 64, 2);
  body += textLines(
    {
      x: c(CX),
      y: titleLines.length > 1 ? 34 : 30,
      'text-anchor': 'middle',
      'font-size': 17,
      'font-weight': 'bold',
      fill: INK,
    },
    titleLines,
    20,
  );
  body += '\n';

  // Grid: rings at the ticks, spokes, tick labels along the first axis.
  let grid = '';
  const ticks = ticksOf(scale.min, scale.max);
  for (const t of ticks) {
    const r = radius(t);
    if (r <= 0) continue;
    grid += el('circle', { cx: c(CX), cy: c(CY), r: c(r), fill: 'none', stroke: GRID, 'stroke-width': 1 });
  }
  for (let i = 0; i < n; i++) {
    const p = point(i, scale.max);
    grid += el('line', { x1: c(CX), y1: c(CY), x2: c(p.x), y2: c(p.y), stroke: GRID, 'stroke-width': 1 });
  }
  // Tick labels halfway between the first two axes, clear of the markers on the axes.
  const tickAngle = -Math.PI / 2 + Math.PI / Math.max(n, 2);
  for (const t of ticks) {
    const r = radius(t);
    if (r <= 0) continue;
    const label = short(t);
    grid += text(
      {
        x: c(CX + r * Math.cos(tickAngle)),
        y: c(CY + r * Math.sin(tickAngle) + 4),
        'text-anchor': 'middle',
        'font-size': 11,
        fill: MUTED,
      },
      label,
    );
  }
  body += el('g', { class: 'grid', 'aria-hidden': 'true' }, grid) + '\n';

  // Axis labels.
  let labels = '';
  for (let i = 0; i < n; i++) {
    const a = angle(i);
    const cos = Math.cos(a);
    const sin = Math.sin(a);
    const lx = CX + (R + 14) * cos;
    const ly = CY + (R + 14) * sin;
    const anchor = cos > 0.25 ? 'start' : cos < -0.25 ? 'end' : 'middle';
    const lines = wrapLabel(values[i]!.label, 16, 2);
    const lineHeight = 15;
    // Push the block away from the circle vertically at the top and bottom.
    const shift = ((lines.length - 1) * lineHeight) / 2;
    const y = ly + 4.5 + (sin > 0.5 ? 8 + shift : sin < -0.5 ? -4 - shift : 0);
    labels += textLines(
      {
        x: c(lx),
        y,
        'text-anchor': anchor,
        'font-size': 13,
        fill: INK,
        class: 'axis-label',
        'data-value': values[i]!.id,
      },
      lines,
      lineHeight,
    );
  }
  body += el('g', { class: 'axis-labels' }, labels) + '\n';

  // Series: a closed polygon when every axis has a number; otherwise open lines joining only
  // neighbouring axes that both have one (a partial target is never drawn through unset axes).
  // A marker with a tooltip on every point.
  const drawOrder: SeriesId[] = ['factual', 'counterfactual', 'target'];
  for (const id of drawOrder) {
    if (!present.includes(id)) continue;
    const s = SERIES[id];
    const pts = values.map((v, i) => {
      const x = v[id];
      return x === null ? null : { ...point(i, x), label: `${v.label}: ${s.name} ${num(x)}` };
    });
    const stroke = {
      stroke: s.colour,
      'stroke-width': s.width,
      'stroke-dasharray': s.dash,
      'stroke-linejoin': 'round',
    };
    let shape = '';
    if (n >= 3 && pts.every((p) => p !== null)) {
      shape = el('polygon', {
        class: `series-shape series-${id}`,
        points: pts.map((p) => `${c(p!.x)},${c(p!.y)}`).join(' '),
        fill: s.fillOpacity > 0 ? s.colour : 'none',
        'fill-opacity': s.fillOpacity > 0 ? s.fillOpacity : undefined,
        ...stroke,
      });
    } else {
      const d = runs(
        pts.map((p) => p !== null),
        n >= 3,
      )
        .map((run) => run.map((i, k) => `${k === 0 ? 'M' : 'L'}${c(pts[i]!.x)},${c(pts[i]!.y)}`).join(' '))
        .join(' ');
      if (d) shape = el('path', { class: `series-shape series-${id}`, d, fill: 'none', ...stroke });
    }
    const markers = pts
      .filter((p) => p !== null)
      .map((p) => marker(s.marker, p.x, p.y, s, p.label))
      .join('');
    body +=
      el(
        'g',
        { class: `series series-${id}`, 'data-series': id, 'aria-label': s.label },
        shape,
        el('g', { class: 'markers' }, markers),
      ) + '\n';
  }

  // Legend: line sample + marker + text, one per present series, centred as a row.
  let legend = '';
  const widths = present.map((id) => 42 + SERIES[id].label.length * 12 * 0.52 + 20);
  let x0 = CX - widths.reduce((a, b) => a + b, 0) / 2;
  present.forEach((id, k) => {
    legend += legendSample(id, x0, 606);
    legend += text({ x: c(x0 + 42), y: c(610.5), 'font-size': 12, fill: INK }, SERIES[id].label);
    x0 += widths[k]!;
  });
  legend += text(
    { x: c(CX), y: 638, 'text-anchor': 'middle', 'font-size': 11, fill: MUTED },
    `Scale: ${scale.label ?? 'score'}, ${scaleText}. Axes in the theory's circle order, clockwise from the top.`,
  );
  body += el('g', { class: 'legend' }, legend) + '\n';

  const rows = values.map(
    (v) => `${v.label}: ${present.map((id) => `${SERIES[id].name} ${num(v[id])}`).join(', ')}.`,
  );
  const desc =
    `Radar chart of ${n} value${n === 1 ? '' : 's'} on the ${scale.label ?? 'score'} scale, ${scaleText}, ` +
    `axes in the theory's circle order clockwise from the top. Series: ${present
      .map((id) => `${SERIES[id].label} drawn as a ${SERIES[id].line} line with ${SERIES[id].marker} markers`)
      .join('; ')}. ` +
    rows.join(' ');

  return svgDocument({
    width: W,
    height: H,
    idPrefix,
    title: options.title,
    desc,
    body,
    className: 'pluralign-radar',
  });
}
