// The words that drove each detected concept, highlighted in the attributed text. The learned detector
// (POST /v1/attributions) gives every present concept its `drivers`: character spans [start, end) with
// their weights. Spans of several concepts may overlap, so the text is cut at every span boundary and
// each piece is marked with the concepts whose drivers cover it.

/**
 * Cut `text` into pieces at every driver boundary; each piece lists the concepts (with the driver's
 * weight) whose spans cover it. Pure, exported for tests.
 * @param {string} text
 * @param {Array<{concept: string, label: string, status: string, drivers?: Array<{start: number, end: number, weight: number}>}>} concepts
 */
export function driverPieces(text, concepts) {
  const spans = [];
  for (const c of concepts) {
    if (c.status !== 'present') continue;
    for (const d of c.drivers ?? []) {
      if (d.end > d.start && d.start >= 0 && d.end <= text.length) spans.push({ ...d, concept: c });
    }
  }
  const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s.start, s.end])])].sort(
    (a, b) => a - b,
  );
  const pieces = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i], cuts[i + 1]];
    const by = spans.filter((s) => s.start <= start && s.end >= end);
    pieces.push({ start, end, text: text.slice(start, end), by });
  }
  return pieces;
}

/**
 * Render `text` into `box` with a <mark> per highlighted piece (data-concepts: the concept ids, title:
 * labels and weights), and a list of the detected concepts with their drivers.
 */
export function renderDrivers(box, text, attribution, el) {
  const concepts = attribution.concepts.filter((c) => c.status === 'present' && (c.drivers ?? []).length);
  const marked = el(
    'p',
    { class: 'attributed-text', id: 'drivers-text' },
    ...driverPieces(text, attribution.concepts).map((p) => {
      if (!p.by.length) return document.createTextNode(p.text);
      const ids = [...new Set(p.by.map((s) => s.concept.concept))];
      const title = p.by.map((s) => `${s.concept.label} (${s.weight.toFixed(2)})`).join(', ');
      return el('mark', {
        dataset: { concepts: ids.join(' '), start: String(p.start) },
        title,
        text: p.text,
      });
    }),
  );
  const list = el(
    'ul',
    { id: 'drivers-list' },
    ...concepts.map((c) =>
      el('li', {
        dataset: { concept: c.concept },
        text: `${c.label} (p ${c.probability?.toFixed(2) ?? '—'}): ${c.drivers.map((d) => d.text).join(', ')}`,
      }),
    ),
  );
  const note = concepts.length
    ? `Read by the ${attribution.detector} detector: the highlighted words drove the concepts it found.`
    : `The ${attribution.detector} detector found no concept in the answer.`;
  box.replaceChildren(el('p', { class: 'note', text: note }), marked, list);
}
