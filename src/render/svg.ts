/**
 * Small helpers for writing SVG as text: XML escaping, fixed-precision numbers (no floating-point
 * noise such as `0.30000000000000004` or `-0.0` ever reaches the output) and element builders.
 * Pure: no I/O, no DOM.
 */

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Characters XML 1.0 does not allow at all (C0 controls except tab, newline, carriage return). */
// eslint-disable-next-line no-control-regex
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** Text or an attribute value made safe for XML (markup escaped, invalid characters dropped). */
export function esc(text: string): string {
  return text.replace(INVALID_XML_CHARS, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** `x` with exactly `digits` decimals; `-0.0` is written `0.0`. Throws on a non-finite number. */
export function fixed(x: number, digits = 1): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot draw a non-finite number (${x})`);
  const s = x.toFixed(digits);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

/** A coordinate: one decimal. */
export const c = (x: number): string => fixed(x, 1);

/** A signed number for labels: `+0.32`, `−0.48` (a real minus sign), `0.00`. */
export function signed(x: number, digits = 2): string {
  const s = fixed(x, digits);
  if (s.startsWith('-')) return `−${s.slice(1)}`;
  return /^0\.?0*$/.test(s) ? s : `+${s}`;
}

export type Attrs = Record<string, string | number | undefined>;

/** ` name="value"` pairs in the given order (undefined values are left out; numbers as given). */
export function attrs(a: Attrs): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    out += ` ${k}="${esc(String(v))}"`;
  }
  return out;
}

/** An element: self-closing when it has no children. */
export function el(name: string, a: Attrs, ...children: string[]): string {
  const body = children.join('');
  return body ? `<${name}${attrs(a)}>${body}</${name}>` : `<${name}${attrs(a)}/>`;
}

/** A `<title>` child: the tooltip and accessible name of its parent element. */
export function tip(text: string): string {
  return `<title>${esc(text)}</title>`;
}

/** A `<text>` element (content escaped). */
export function text(a: Attrs, content: string): string {
  return `<text${attrs(a)}>${esc(content)}</text>`;
}

/** A multi-line `<text>`: one `<tspan>` per line, `lineHeight` apart, vertically centred on `y`. */
export function textLines(
  a: Attrs & { x: string; y: number },
  lines: readonly string[],
  lineHeight: number,
): string {
  const { y, ...rest } = a;
  const top = y - ((lines.length - 1) * lineHeight) / 2;
  const spans = lines
    .map((line, i) => `<tspan${attrs({ x: rest.x, y: c(top + i * lineHeight) })}>${esc(line)}</tspan>`)
    .join('');
  return `<text${attrs(rest)}>${spans}</text>`;
}

/**
 * Split a label into at most `maxLines` lines of about `width` characters, at spaces, en dashes,
 * arrows and slashes (a hyphenated word such as "Self-direction" stays whole).
 */
export function wrapLabel(label: string, width: number, maxLines = 2): string[] {
  if (label.length <= width) return [label];
  // Break points: after a space (dropped), after a dash (kept on the first line).
  const words: string[] = [];
  let cur = '';
  for (const ch of label) {
    if (ch === ' ') {
      if (cur) words.push(cur);
      cur = '';
    } else {
      cur += ch;
      if (ch === '–' || ch === '↔' || ch === '/') {
        words.push(cur);
        cur = '';
      }
    }
  }
  if (cur) words.push(cur);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    const joiner = line === '' || /[–/]$/.test(line) ? '' : ' ';
    if (line && (line + joiner + w).length > width && lines.length < maxLines - 1) {
      lines.push(line);
      line = w;
    } else {
      line += joiner + w;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export const FONT = 'DejaVu Sans, Verdana, Arial, sans-serif';

/** The root `<svg>` with its accessible name and description. */
export function svgDocument(opts: {
  width: number;
  height: number;
  idPrefix: string;
  title: string;
  desc: string;
  body: string;
  className?: string;
}): string {
  const { width, height, idPrefix, title, desc, body } = opts;
  const titleId = `${idPrefix}-title`;
  const descId = `${idPrefix}-desc`;
  return (
    `<svg${attrs({
      xmlns: 'http://www.w3.org/2000/svg',
      class: opts.className,
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'aria-labelledby': `${titleId} ${descId}`,
      'font-family': FONT,
    })}>\n` +
    `<title id="${esc(titleId)}">${esc(title)}</title>\n` +
    `<desc id="${esc(descId)}">${esc(desc)}</desc>\n` +
    `<rect width="${width}" height="${height}" fill="#ffffff"/>\n` +
    body +
    '</svg>\n'
  );
}

/** A valid XML id fragment from free text (ids are also used in CSS selectors by the page). */
export function idSafe(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9_-]/g, '-');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `x${cleaned}`;
}
