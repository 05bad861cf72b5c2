/**
 * A small, strict XML parser for the tests (the project has no XML dependency): it rejects anything
 * that is not well-formed — unbalanced or mismatched tags, unquoted or duplicate attributes, a raw `<`
 * or a bare `&` in text or attribute values, unknown entities, text outside the root, several roots.
 * Enough to check that the SVG we write is valid XML and to query it.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  parent: XmlElement | null;
}
export type XmlNode = XmlElement | string;

const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export class XmlError extends Error {}

function decode(raw: string, where: number): string {
  if (raw.includes('<')) throw new XmlError(`raw "<" in character data near offset ${where}`);
  return raw.replace(/&([^;]*);?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new XmlError(`bare "&" near offset ${where}`);
    if (body in ENTITIES) return ENTITIES[body]!;
    if (/^#[0-9]+$/.test(body)) return String.fromCodePoint(Number(body.slice(1)));
    if (/^#x[0-9A-Fa-f]+$/.test(body)) return String.fromCodePoint(parseInt(body.slice(2), 16));
    throw new XmlError(`unknown entity "&${body};" near offset ${where}`);
  });
}

export function parseXml(src: string): XmlElement {
  let i = 0;
  const skipMisc = () => {
    for (;;) {
      const ws = /^\s*/.exec(src.slice(i))![0];
      i += ws.length;
      if (src.startsWith('<?', i)) {
        const end = src.indexOf('?>', i);
        if (end < 0) throw new XmlError('unterminated processing instruction');
        i = end + 2;
      } else if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i);
        if (end < 0) throw new XmlError('unterminated comment');
        i = end + 3;
      } else return;
    }
  };
  skipMisc();
  let root: XmlElement | null = null;
  const stack: XmlElement[] = [];
  while (i < src.length) {
    if (stack.length === 0 && root) {
      skipMisc();
      if (i < src.length) throw new XmlError(`content after the root element at offset ${i}`);
      break;
    }
    if (src.startsWith('<!--', i)) {
      const end = src.indexOf('-->', i);
      if (end < 0) throw new XmlError('unterminated comment');
      i = end + 3;
      continue;
    }
    if (src.startsWith('</', i)) {
      const m = NAME.exec(src.slice(i + 2));
      if (!m) throw new XmlError(`bad closing tag at offset ${i}`);
      const top = stack.pop();
      if (!top || top.name !== m[0]) {
        throw new XmlError(`closing tag </${m[0]}> does not match <${top?.name ?? '(none)'}> at offset ${i}`);
      }
      i += 2 + m[0].length;
      const ws = /^\s*>/.exec(src.slice(i));
      if (!ws) throw new XmlError(`bad closing tag at offset ${i}`);
      i += ws[0].length;
      continue;
    }
    if (src[i] === '<') {
      const m = NAME.exec(src.slice(i + 1));
      if (!m) throw new XmlError(`bad tag at offset ${i}`);
      const el: XmlElement = { name: m[0], attrs: {}, children: [], parent: stack.at(-1) ?? null };
      i += 1 + m[0].length;
      for (;;) {
        const ws = /^\s*/.exec(src.slice(i))![0];
        i += ws.length;
        if (src.startsWith('/>', i)) {
          i += 2;
          if (el.parent) el.parent.children.push(el);
          else if (root) throw new XmlError('a second root element');
          else root = el;
          break;
        }
        if (src[i] === '>') {
          i += 1;
          if (el.parent) el.parent.children.push(el);
          else if (root) throw new XmlError('a second root element');
          else root = el;
          stack.push(el);
          break;
        }
        if (!ws) throw new XmlError(`attributes must be separated by whitespace at offset ${i}`);
        const a = NAME.exec(src.slice(i));
        if (!a) throw new XmlError(`bad attribute at offset ${i} in <${el.name}>`);
        i += a[0].length;
        const eq = /^\s*=\s*(["'])/.exec(src.slice(i));
        if (!eq) throw new XmlError(`attribute ${a[0]} of <${el.name}> is not quoted`);
        i += eq[0].length;
        const end = src.indexOf(eq[1]!, i);
        if (end < 0) throw new XmlError(`unterminated attribute ${a[0]}`);
        if (a[0] in el.attrs) throw new XmlError(`duplicate attribute ${a[0]} in <${el.name}>`);
        el.attrs[a[0]] = decode(src.slice(i, end), i);
        i = end + 1;
      }
      continue;
    }
    const next = src.indexOf('<', i);
    const raw = src.slice(i, next < 0 ? src.length : next);
    if (stack.length === 0) {
      if (raw.trim()) throw new XmlError(`text outside the root element at offset ${i}`);
    } else {
      stack.at(-1)!.children.push(decode(raw, i));
    }
    i = next < 0 ? src.length : next;
  }
  if (stack.length) throw new XmlError(`unclosed element <${stack.at(-1)!.name}>`);
  if (!root) throw new XmlError('no root element');
  return root;
}

/** Every element below (and including) `el`, in document order. */
export function elements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [el];
  for (const c of el.children) if (typeof c !== 'string') out.push(...elements(c));
  return out;
}

export function byName(el: XmlElement, name: string): XmlElement[] {
  return elements(el).filter((e) => e.name === name);
}

export function hasClass(el: XmlElement, cls: string): boolean {
  return (el.attrs.class ?? '').split(/\s+/).includes(cls);
}

/** The concatenated text of an element (its `<title>` children included unless `skipTitles`). */
export function textOf(el: XmlElement, skipTitles = false): string {
  return el.children
    .map((c) => (typeof c === 'string' ? c : skipTitles && c.name === 'title' ? '' : textOf(c, skipTitles)))
    .join('');
}
