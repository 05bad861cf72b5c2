/**
 * The JSON nesting limit shared by request bodies (src/http) and batch lines (src/batch): checked on
 * the text, before parsing, so a deeply nested document never reaches JSON.parse's recursion.
 */
/** How deeply a JSON body may nest arrays and objects (graph files need about 5 levels). */
export const MAX_JSON_DEPTH = 64;

/** Does this JSON text nest deeper than `max`? One pass, strings skipped; no parsing. */
export function jsonDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}
