/**
 * A drawing of a value-system graph as a standalone SVG string: the values on a circle in the
 * theory's order (first at the top, clockwise), the latent higher-order dimensions inside (each pushed
 * towards the values it loads on positively), the behaviour concepts outside next to their parent
 * value(s), with radial labels. Edge width grows with |weight|; the sign is shown by colour AND dash
 * pattern (positive solid blue, negative dashed orange; nonlinear mechanisms dotted grey).
 *
 * Works for any graph file: nodes of an unknown placement fall back to even spacing. Pure and
 * deterministic (same input, same bytes): no randomness, coordinates rounded to 0.1.
 */
import type { GraphFile } from '../../schemas/graph.js';
import { GRID, INK, MUTED, NEGATIVE, NONLINEAR, POSITIVE } from './palette.js';
import { c, el, fixed, idSafe, signed, svgDocument, text, textLines, tip, wrapLabel } from './svg.js';

export interface DiagramOptions {
  /** Value ids in the theory's circle order; values not listed follow in file order. */
  order?: readonly string[];
  /** Draw the concept layer (default true). */
  concepts?: boolean;
  /** The visible title (default: the graph's title, or its id). */
  title?: string;
  /** Prefix of the element ids (`<prefix>-title`, `<prefix>-desc`). */
  idPrefix?: string;
}

type Node = GraphFile['nodes'][number];

interface Placed {
  node: Node;
  x: number;
  y: number;
  /** Angle from the centre (radians), for concepts and values. */
  angle: number;
}

const TAU = 2 * Math.PI;
const TOP = -Math.PI / 2;
/** Average glyph advance per pixel of font size (DejaVu Sans / Verdana are wide). */
const CHAR = 0.6;

const norm = (a: number) => ((a % TAU) + TAU) % TAU;

/** Weighted circular mean of angles; undefined when the weights cancel out. */
function circularMean(items: ReadonlyArray<{ angle: number; weight: number }>): number | undefined {
  let sx = 0;
  let sy = 0;
  for (const { angle, weight } of items) {
    sx += weight * Math.cos(angle);
    sy += weight * Math.sin(angle);
  }
  if (Math.hypot(sx, sy) < 1e-9) return undefined;
  return Math.atan2(sy, sx);
}

/**
 * Angles near `anchors` with at least `sep` between neighbours: clusters of crowded anchors are
 * spread around their mean (cut at the widest gap, merge overlapping clusters); when even spacing is
 * all that fits, spaced evenly and rotated to sit as close to the anchors as possible.
 */
export function spreadAngles(anchors: readonly number[], sep: number): number[] {
  const n = anchors.length;
  if (n === 0) return [];
  const order = anchors.map((a, i) => ({ a: norm(a), i })).sort((p, q) => p.a - q.a || p.i - q.i);
  const out = new Array<number>(n);
  const even = () => {
    const step = TAU / n;
    const offset = circularMean(order.map((p, k) => ({ angle: p.a - k * step, weight: 1 }))) ?? order[0]!.a;
    order.forEach((p, k) => (out[p.i] = offset + k * step));
    return out;
  };
  if (n * sep >= TAU - 1e-9) return even();
  // Cut the circle at the widest gap between consecutive anchors.
  let cut = 0;
  let widest = -1;
  for (let k = 0; k < n; k++) {
    const gap = k === 0 ? order[0]!.a + TAU - order[n - 1]!.a : order[k]!.a - order[k - 1]!.a;
    if (gap > widest) {
      widest = gap;
      cut = k;
    }
  }
  const seq = order.map((_, k) => {
    const p = order[(cut + k) % n]!;
    return { i: p.i, a: p.a + (cut + k >= n ? TAU : 0) };
  });
  interface Cluster {
    members: Array<{ i: number; a: number }>;
    centre: number;
  }
  const half = (cl: Cluster) => ((cl.members.length - 1) * sep) / 2;
  const stack: Cluster[] = [];
  for (const item of seq) {
    stack.push({ members: [item], centre: item.a });
    while (stack.length > 1) {
      const b = stack[stack.length - 1]!;
      const a = stack[stack.length - 2]!;
      if (a.centre + half(a) + sep <= b.centre - half(b) + 1e-12) break;
      const members = [...a.members, ...b.members];
      stack.splice(stack.length - 2, 2, {
        members,
        centre: members.reduce((s, m) => s + m.a, 0) / members.length,
      });
    }
  }
  const first = stack[0]!;
  const last = stack[stack.length - 1]!;
  if (stack.length > 1 && last.centre + half(last) + sep > first.centre - half(first) + TAU) return even();
  if (stack.length === 1 && 2 * half(first) + sep > TAU) return even();
  for (const cl of stack) {
    cl.members.forEach((m, k) => (out[m.i] = cl.centre - half(cl) + k * sep));
  }
  return out;
}

/** Push overlapping boxes (centres `xy`, sizes `box`) apart along the axis of least overlap, in place. */
function separateBoxes(
  xy: Array<{ x: number; y: number }>,
  box: ReadonlyArray<{ w: number; h: number }>,
  gap: number,
): void {
  for (let iter = 0; iter < 100; iter++) {
    let moved = false;
    for (let i = 0; i < xy.length; i++) {
      for (let j = i + 1; j < xy.length; j++) {
        const a = xy[i]!;
        const b = xy[j]!;
        const dx = b.x - a.x;
        const dy = b.y - a.y;
        const ox = (box[i]!.w + box[j]!.w) / 2 + gap - Math.abs(dx);
        const oy = (box[i]!.h + box[j]!.h) / 2 + gap - Math.abs(dy);
        if (ox <= 0 || oy <= 0) continue;
        moved = true;
        if (oy <= ox) {
          const s = (dy > 0 || (dy === 0 && i < j) ? 1 : -1) * (oy / 2 + 0.01);
          a.y -= s;
          b.y += s;
        } else {
          const s = (dx >= 0 ? 1 : -1) * (ox / 2 + 0.01);
          a.x -= s;
          b.x += s;
        }
      }
    }
    if (!moved) return;
  }
}

function weightOf(node: Node, parent: string): number | undefined {
  return node.mechanism.type === 'linear' ? node.mechanism.coefficients[parent] : undefined;
}

function textWidth(s: string, size: number): number {
  return s.length * size * CHAR;
}

/** The diagram of a graph as an SVG document (a string ending in a newline). */
export function graphDiagram(file: GraphFile, options: DiagramOptions = {}): string {
  const showConcepts = options.concepts ?? true;
  const byId = new Map(file.nodes.map((n) => [n.id, n]));
  const parents = new Map<string, string[]>();
  for (const [from, to] of file.edges) {
    const list = parents.get(to) ?? [];
    list.push(from);
    parents.set(to, list);
  }
  const label = (id: string) => byId.get(id)?.label ?? id;

  // --- Values, in the given order.
  const order = options.order ?? [];
  const pos = new Map(order.map((id, i) => [id, i]));
  const values = file.nodes
    .filter((n) => n.kind === 'value')
    .map((n, i) => ({ n, k: pos.get(n.id) ?? order.length + i }))
    .sort((a, b) => a.k - b.k)
    .map((x) => x.n);
  const latents = file.nodes.filter((n) => n.kind === 'latent');
  const concepts = showConcepts ? file.nodes.filter((n) => n.kind === 'concept') : [];

  const nV = values.length;
  // Wide enough that neighbouring value labels at the top and bottom of the circle do not touch.
  const Rv = Math.max(230, nV * 23);
  const Rl = Rv * 0.5;
  const Rc = Rv + 120;
  const conceptFont = 11;
  const conceptLabel = Math.max(0, ...concepts.map((n) => textWidth(n.label, conceptFont)));
  const half = Math.ceil(concepts.length ? Rc + 12 + conceptLabel + 16 : Rv + 90);
  const HEADER = 70;
  const FOOTER = 120;
  const W = Math.max(2 * half, 760);
  const CX = W / 2;
  const CY = HEADER + half;
  const H = HEADER + 2 * half + FOOTER;
  const at = (angle: number, r: number) => ({ x: CX + r * Math.cos(angle), y: CY + r * Math.sin(angle) });

  const placed = new Map<string, Placed>();
  values.forEach((n, i) => {
    const angle = TOP + (TAU * i) / Math.max(1, nV);
    placed.set(n.id, { node: n, angle, ...at(angle, nV === 1 ? 0 : Rv) });
  });

  // --- Latents: towards the values they load on positively.
  const valueAngle = (id: string) => placed.get(id)?.angle;
  const latentDirs = latents.map((l) => {
    const items: Array<{ angle: number; weight: number }> = [];
    for (const v of values) {
      const w = weightOf(v, l.id);
      const a = valueAngle(v.id);
      if (w !== undefined && a !== undefined && (parents.get(v.id) ?? []).includes(l.id)) {
        items.push({ angle: a, weight: w });
      }
    }
    return circularMean(items);
  });
  const latentAnchors = latents.map((_, k) => latentDirs[k] ?? TOP + (TAU * k) / Math.max(1, latents.length));
  const latentAngles =
    latents.length > 1
      ? spreadAngles(latentAnchors, Math.min(TAU / latents.length, 150 / Rl))
      : latentAnchors;
  const latentBoxes = latents.map((l) => {
    const lines = wrapLabel(l.label, 22, 3);
    return { lines, w: Math.max(...lines.map((t) => textWidth(t, 11))) + 16, h: lines.length * 14 + 10 };
  });
  const latentXY = latents.map((_, k) => {
    const r = latents.length === 1 && latentDirs[0] === undefined ? 0 : Rl;
    return at(latentAngles[k]!, r);
  });
  separateBoxes(latentXY, latentBoxes, 10);
  latents.forEach((l, k) => {
    placed.set(l.id, { node: l, angle: latentAngles[k]!, ...latentXY[k]! });
  });

  // --- Concepts: anchored at their placed parents (values and latents first, then other concepts).
  const anchors = new Map<string, number>();
  const anchorOf = (id: string): number | undefined => {
    const p = placed.get(id);
    if (p && (p.node.kind === 'value' || p.node.kind === 'latent')) return p.angle;
    return anchors.get(id);
  };
  for (let pass = 0; pass <= concepts.length; pass++) {
    let changed = false;
    for (const cn of concepts) {
      if (anchors.has(cn.id)) continue;
      const items: Array<{ angle: number; weight: number }> = [];
      for (const p of parents.get(cn.id) ?? []) {
        const a = anchorOf(p);
        if (a !== undefined) items.push({ angle: a, weight: Math.abs(weightOf(cn, p) ?? 1) || 1 });
      }
      const a = items.length ? (circularMean(items) ?? items[0]!.angle) : undefined;
      if (a !== undefined) {
        anchors.set(cn.id, a);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const conceptAnchors = concepts.map((cn, k) => anchors.get(cn.id) ?? TOP + (TAU * k) / concepts.length);
  const conceptAngles = spreadAngles(conceptAnchors, (conceptFont + 6) / Rc);
  concepts.forEach((cn, k) => {
    const angle = conceptAngles[k]!;
    placed.set(cn.id, { node: cn, angle, ...at(angle, Rc) });
  });

  // --- Edges.
  const edges = file.edges
    .filter(([a, b]) => placed.has(a) && placed.has(b))
    .map(([from, to]) => ({ from, to, w: weightOf(byId.get(to)!, from) }));
  const maxAbs = Math.max(1e-12, ...edges.map((e) => Math.abs(e.w ?? 0)));
  const hasNonlinear = edges.some((e) => e.w === undefined);
  let edgeSvg = '';
  for (const e of edges) {
    const a = placed.get(e.from)!;
    const b = placed.get(e.to)!;
    const style = e.w === undefined ? NONLINEAR : e.w >= 0 ? POSITIVE : NEGATIVE;
    const width = e.w === undefined ? 1 : 0.6 + (3.4 * Math.abs(e.w)) / maxAbs;
    const sign = e.w === undefined ? 'nonlinear' : e.w >= 0 ? 'positive' : 'negative';
    const weightText = e.w === undefined ? 'nonlinear mechanism' : `weight ${signed(e.w)}`;
    edgeSvg += el(
      'line',
      {
        class: `edge edge-${sign}`,
        'data-from': e.from,
        'data-to': e.to,
        x1: c(a.x),
        y1: c(a.y),
        x2: c(b.x),
        y2: c(b.y),
        stroke: style.colour,
        'stroke-width': fixed(width, 2),
        'stroke-dasharray': style.dash,
        'stroke-opacity': b.node.kind === 'concept' ? 0.75 : 0.9,
      },
      tip(`${label(e.from)} → ${label(e.to)}: ${weightText}`),
    );
    edgeSvg += '\n';
  }

  const causes = (n: Node) => {
    const ps = (parents.get(n.id) ?? []).map((p) => {
      const w = weightOf(n, p);
      return `${label(p)} ${w === undefined ? '(nonlinear)' : signed(w)}`;
    });
    return ps.length ? ` Caused by: ${ps.join(', ')}.` : ' A root (no causes in the graph).';
  };
  const nodeGroup = (n: Node, inner: string) =>
    el(
      'g',
      {
        class: `node node-${n.kind}`,
        id: `${options.idPrefix ?? 'diagram'}-node-${idSafe(n.id)}`,
        'data-node': n.id,
      },
      tip(
        `${n.label} (${n.kind === 'latent' ? 'latent dimension' : n.kind}${n.group ? `, ${n.group}` : ''}).${causes(n)}`,
      ),
      inner,
    ) + '\n';

  // --- Nodes.
  let nodeSvg = '';
  for (const [k, n] of latents.entries()) {
    const p = placed.get(n.id)!;
    const { lines, w, h } = latentBoxes[k]!;
    nodeSvg += nodeGroup(
      n,
      el('rect', {
        x: c(p.x - w / 2),
        y: c(p.y - h / 2),
        width: c(w),
        height: c(h),
        rx: 6,
        fill: '#fff8e5',
        stroke: '#9a6700',
        'stroke-width': 1.5,
      }) +
        textLines({ x: c(p.x), y: p.y + 4, 'text-anchor': 'middle', 'font-size': 11, fill: INK }, lines, 14),
    );
  }
  for (const n of values) {
    const p = placed.get(n.id)!;
    const lines = wrapLabel(n.label, 14, 2);
    const w = Math.max(...lines.map((l) => textWidth(l, 12))) + 18;
    const h = lines.length * 15 + 10;
    nodeSvg += nodeGroup(
      n,
      el('rect', {
        x: c(p.x - w / 2),
        y: c(p.y - h / 2),
        width: c(w),
        height: c(h),
        rx: c(Math.min(h / 2, 12)),
        fill: '#eef4fb',
        stroke: INK,
        'stroke-width': 1.5,
      }) +
        textLines(
          {
            x: c(p.x),
            y: p.y + 4,
            'text-anchor': 'middle',
            'font-size': 12,
            'font-weight': 'bold',
            fill: INK,
          },
          lines,
          15,
        ),
    );
  }
  for (const n of concepts) {
    const p = placed.get(n.id)!;
    const deg = (p.angle * 180) / Math.PI;
    const right = Math.cos(p.angle) >= 0;
    const lp = at(p.angle, Rc + 9);
    nodeSvg += nodeGroup(
      n,
      el('circle', { cx: c(p.x), cy: c(p.y), r: 3.5, fill: MUTED }) +
        text(
          {
            transform: `translate(${c(lp.x)} ${c(lp.y)}) rotate(${fixed(right ? deg : deg + 180, 1)})`,
            x: 0,
            y: 4,
            'text-anchor': right ? 'start' : 'end',
            'font-size': conceptFont,
            fill: INK,
          },
          n.label,
        ),
    );
  }

  // --- Header and legend.
  const title = options.title ?? file.title ?? file.id;
  const counts = `${latents.length} latent dimension${latents.length === 1 ? '' : 's'}, ${nV} value${nV === 1 ? '' : 's'}, ${file.nodes.filter((n) => n.kind === 'concept').length} behaviour concepts${showConcepts ? '' : ' (not drawn)'}, ${edges.length} edges drawn`;
  let header = text(
    { x: c(CX), y: 30, 'text-anchor': 'middle', 'font-size': 20, 'font-weight': 'bold', fill: INK },
    title,
  );
  header += text(
    { x: c(CX), y: 52, 'text-anchor': 'middle', 'font-size': 12, fill: MUTED },
    `${file.id} v${file.version}: ${counts}`,
  );

  const ly = H - FOOTER + 30;
  const lx = Math.max(20, CX - 360);
  let legend = text({ x: c(lx), y: c(ly), 'font-size': 12, 'font-weight': 'bold', fill: INK }, 'Nodes');
  legend += el('rect', {
    x: c(lx + 60),
    y: c(ly - 13),
    width: 52,
    height: 18,
    rx: 9,
    fill: '#eef4fb',
    stroke: INK,
    'stroke-width': 1.5,
  });
  legend += text({ x: c(lx + 118), y: c(ly), 'font-size': 12, fill: INK }, 'value (on the circle)');
  legend += el('rect', {
    x: c(lx + 270),
    y: c(ly - 13),
    width: 52,
    height: 18,
    rx: 6,
    fill: '#fff8e5',
    stroke: '#9a6700',
    'stroke-width': 1.5,
  });
  legend += text({ x: c(lx + 328), y: c(ly), 'font-size': 12, fill: INK }, 'latent dimension (inside)');
  legend += el('circle', { cx: c(lx + 524), cy: c(ly - 4), r: 3.5, fill: MUTED });
  legend += text({ x: c(lx + 534), y: c(ly), 'font-size': 12, fill: INK }, 'behaviour concept (outside)');
  const ey = ly + 30;
  legend += text({ x: c(lx), y: c(ey), 'font-size': 12, 'font-weight': 'bold', fill: INK }, 'Edges');
  const sample = (x: number, style: { colour: string; dash: string | undefined; label: string }, w: number) =>
    el('line', {
      x1: c(x),
      y1: c(ey - 4),
      x2: c(x + 46),
      y2: c(ey - 4),
      stroke: style.colour,
      'stroke-width': w,
      'stroke-dasharray': style.dash,
    }) + text({ x: c(x + 54), y: c(ey), 'font-size': 12, fill: INK }, style.label);
  legend += sample(lx + 60, POSITIVE, 3);
  legend += sample(lx + 270, NEGATIVE, 3);
  if (hasNonlinear) legend += sample(lx + 510, NONLINEAR, 1.5);
  legend += text(
    { x: c(lx), y: c(ey + 28), 'font-size': 12, fill: MUTED },
    `Line width grows with |weight| (thickest: |weight| = ${fixed(maxAbs === 1e-12 ? 0 : maxAbs, 2)}). Hover a node or an edge for its numbers.`,
  );

  const grid = el('circle', {
    cx: c(CX),
    cy: c(CY),
    r: c(Rv),
    fill: 'none',
    stroke: GRID,
    'stroke-width': 1,
    'stroke-dasharray': '3 5',
  });

  const latentDesc = latents
    .map((l) => {
      const pos = values.filter((v) => (weightOf(v, l.id) ?? 0) > 0).map((v) => v.label);
      const neg = values.filter((v) => (weightOf(v, l.id) ?? 0) < 0).map((v) => v.label);
      return `${l.label} (raises ${pos.join(', ') || 'none'}; lowers ${neg.join(', ') || 'none'})`;
    })
    .join('; ');
  const desc =
    `Causal graph ${file.id} version ${file.version}: ${counts}. ` +
    (nV
      ? `Values on a circle in the theory's order, clockwise from the top: ${values.map((v) => v.label).join(', ')}. `
      : '') +
    (latents.length ? `Latent dimensions inside the circle: ${latentDesc}. ` : '') +
    (concepts.length ? 'Behaviour concepts outside the circle, next to the values they depend on. ' : '') +
    'Edge width grows with the absolute weight; positive edges are solid blue, negative edges dashed orange' +
    (hasNonlinear ? ', nonlinear ones dotted grey.' : '.');

  const body =
    header +
    '\n' +
    el('g', { 'aria-hidden': 'true' }, grid) +
    '\n' +
    el('g', { class: 'edges' }, '\n' + edgeSvg) +
    '\n' +
    el('g', { class: 'nodes' }, '\n' + nodeSvg) +
    '\n' +
    el('g', { class: 'legend' }, legend) +
    '\n';

  return svgDocument({
    width: Math.round(W),
    height: Math.round(H),
    idPrefix: options.idPrefix ?? 'diagram',
    title: `Causal graph: ${title}`,
    desc,
    body,
    className: 'pluralign-diagram',
  });
}
