// The pluralign playground: plain browser JavaScript, no framework, no build step.
// It builds a POST /v1/align request from the form, reads the server-sent events of the answer with
// fetch + ReadableStream (EventSource cannot POST), and shows the answer as it streams, the radar chart
// (rendered by the server: GET /v1/charts/radar.svg), the explanation and the verification.
// The API's JSON is the source of truth: every number shown comes from it.

import { renderDrivers } from './drivers.js';

const $ = (id) => document.getElementById(id);

const RUBRIC = {
  1: 'contradicted',
  2: 'absent',
  3: 'mentioned',
  4: 'present but not central',
  5: 'most important',
};
const DEFAULT_QUESTION = 'Should I take a well-paid job abroad, far from my family?';

const state = {
  /** Value nodes of the chosen graph, in the graph's (theory circle) order: {id, label}. */
  values: [],
  /** Node labels of the chosen graph, by id (for the causal paths). */
  labels: new Map(),
  controller: null,
  /** The explanation of the current answer. */
  explanation: null,
  attempt: 1,
};

// ---------------------------------------------------------------------------------------------
// Small helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

/**
 * Numbers for display: rounded to `d` decimals, with a real minus sign and never "−0.00" (float noise
 * such as −2.22e-16 shows as 0.00). The JSON keeps full precision; only what the page shows is rounded.
 */
function rounded(x, d) {
  const s = Number(x).toFixed(d);
  return Number(s) === 0 ? s.replace(/^-/, '') : s;
}
/** A number with fixed decimals and a real minus sign; `—` for none. */
export const fmt = (x, d = 2) => (x === null || x === undefined ? '—' : rounded(x, d).replace(/^-/, '−'));
export const signed = (x, d = 2) => {
  const s = rounded(x, d);
  if (s.startsWith('-')) return `−${s.slice(1)}`;
  return Number(s) === 0 ? s : `+${s}`;
};
/**
 * Server text (summaries, error messages, notes) with float noise rounded: a number written with more
 * than four decimals or in exponent form (0.4429371690000001, 2.22e-16) shows with two decimals.
 */
export const tidyNumbers = (text) =>
  String(text).replace(/-?\d+\.\d{5,}(?:e[-+]?\d+)?|-?\d+(?:\.\d+)?e[-+]?\d+/gi, (n) =>
    Number.isFinite(Number(n)) ? rounded(Number(n), 2) : n,
  );

function headers(json = true) {
  const h = {};
  if (json) h['content-type'] = 'application/json';
  const key = $('api-key').value.trim();
  if (key) h.authorization = `Bearer ${key}`;
  return h;
}

function setStatus(text) {
  $('status').textContent = text;
}

export function showError(error) {
  const box = $('error');
  box.replaceChildren();
  const code = error?.code ?? 'ERROR';
  box.append(
    el('strong', { text: `Error ${code}: ` }),
    document.createTextNode(tidyNumbers(error?.message ?? String(error))),
  );
  const details = (error?.details ?? []).filter((d) => d.message && d.message !== error.message);
  if (details.length) {
    box.append(
      el(
        'ul',
        {},
        ...details.map((d) =>
          el('li', { text: tidyNumbers(d.path ? `${d.path}: ${d.message}` : d.message) }),
        ),
      ),
    );
  }
  box.hidden = false;
  box.scrollIntoView({ block: 'nearest' });
}

export function clearError() {
  $('error').hidden = true;
  $('error').replaceChildren();
}

/** The error envelope of a failed response, or a stand-in when the body is not one. */
async function errorOf(res) {
  try {
    const body = await res.json();
    if (body && body.error) return body.error;
  } catch {
    // not JSON
  }
  return { code: `HTTP_${res.status}`, message: `the server answered ${res.status} ${res.statusText}` };
}

// ---------------------------------------------------------------------------------------------
// Graphs and the profile controls

async function loadGraphs() {
  const select = $('graph');
  const res = await fetch('/v1/graphs', { headers: headers(false) });
  if (!res.ok) {
    showError(await errorOf(res));
    return;
  }
  const { graphs } = await res.json();
  const previous = select.value || 'schwartz-10';
  select.replaceChildren(
    ...graphs.map((g) => el('option', { value: g.id, text: g.title ? `${g.id} — ${g.title}` : g.id })),
  );
  select.value = graphs.some((g) => g.id === previous) ? previous : (graphs[0]?.id ?? '');
  await loadGraph(select.value);
}

async function loadGraph(id) {
  if (!id) return;
  const res = await fetch(`/v1/graphs/${encodeURIComponent(id)}`, { headers: headers(false) });
  if (!res.ok) {
    showError(await errorOf(res));
    return;
  }
  clearError();
  const graph = await res.json();
  const nodes = graph.definition.nodes;
  state.values = nodes.filter((n) => n.kind === 'value').map((n) => ({ id: n.id, label: n.label }));
  state.labels = new Map(nodes.map((n) => [n.id, n.label]));
  buildSliders();
  buildRanking();
  const img = $('diagram');
  img.alt = `Causal graph of ${graph.title ?? id}: values on a circle, latent dimensions inside, behaviour concepts outside.`;
  img.dataset.src = `/v1/graphs/${encodeURIComponent(id)}/diagram.svg`;
  $('diagram-heading').textContent = `Causal graph of ${graph.title ?? id}`;
  if ($('diagram-dialog').open) img.src = img.dataset.src;
  updateCurl();
}

function sliderText(v) {
  return `${v} · ${RUBRIC[v]}`;
}

function buildSliders() {
  const box = $('sliders');
  box.replaceChildren(
    ...state.values.map((v) => {
      const setId = `set-${v.id}`;
      const sliderId = `slider-${v.id}`;
      const outId = `out-${v.id}`;
      const set = el('input', { type: 'checkbox', id: setId, class: 'set' });
      const slider = el('input', {
        type: 'range',
        id: sliderId,
        min: 1,
        max: 5,
        step: 1,
        value: 3,
        'aria-valuetext': 'not set',
        'aria-describedby': outId,
      });
      const out = el('output', { id: outId, for: sliderId, text: 'not set' });
      const row = el(
        'div',
        { class: 'slider-row unset', dataset: { value: v.id } },
        set,
        el('label', { for: setId, class: 'visually-hidden', text: `Set ${v.label}` }),
        el('label', { for: sliderId, class: 'value-label', text: v.label }),
        slider,
        out,
      );
      const sync = () => {
        row.classList.toggle('unset', !set.checked);
        const text = set.checked ? sliderText(Number(slider.value)) : 'not set';
        out.textContent = text;
        slider.setAttribute('aria-valuetext', text);
        updateCurl();
      };
      slider.addEventListener('input', () => {
        set.checked = true;
        sync();
      });
      set.addEventListener('change', sync);
      return row;
    }),
  );
}

function buildRanking() {
  const list = $('ranking');
  const items = state.values.map((v) => {
    const check = el('input', { type: 'checkbox', id: `rank-${v.id}` });
    const up = el('button', {
      type: 'button',
      class: 'small',
      'aria-label': `Move ${v.label} up`,
      text: '↑',
    });
    const down = el('button', {
      type: 'button',
      class: 'small',
      'aria-label': `Move ${v.label} down`,
      text: '↓',
    });
    const li = el(
      'li',
      { dataset: { value: v.id } },
      el('span', { class: 'rank-number' }),
      check,
      el('label', { for: `rank-${v.id}`, text: v.label }),
      el('span', { class: 'arrows' }, up, down),
    );
    up.addEventListener('click', () => {
      if (li.previousElementSibling) li.previousElementSibling.before(li);
      up.focus();
      numberRanking();
      updateCurl();
    });
    down.addEventListener('click', () => {
      if (li.nextElementSibling) li.nextElementSibling.after(li);
      down.focus();
      numberRanking();
      updateCurl();
    });
    check.addEventListener('change', () => {
      numberRanking();
      updateCurl();
    });
    return li;
  });
  list.replaceChildren(...items);
  numberRanking();
}

/** Number the ticked values 1, 2, … in list order; unticked values get no number (they are not ranked). */
function numberRanking() {
  let n = 0;
  for (const li of $('ranking').children) {
    const ticked = li.querySelector('input[type="checkbox"]').checked;
    li.classList.toggle('ranked', ticked);
    li.querySelector('.rank-number').textContent = ticked ? `${++n}.` : '';
  }
}

function mode() {
  return document.querySelector('input[name="mode"]:checked').value;
}

/** The target profile from the controls, or null when nothing is set. */
function targetProfile() {
  if (mode() === 'ranking') {
    const ranking = [...$('ranking').children]
      .filter((li) => li.querySelector('input[type="checkbox"]').checked)
      .map((li) => li.dataset.value);
    return ranking.length ? { format: 'ranking', ranking } : null;
  }
  const values = {};
  for (const row of $('sliders').children) {
    if (row.querySelector('input.set').checked) {
      values[row.dataset.value] = Number(row.querySelector('input[type="range"]').value);
    }
  }
  return Object.keys(values).length ? { format: 'likert5', values } : null;
}

/** The request body, as the API takes it (the curl command shows the same body). */
function requestBody() {
  const body = {
    question: $('question').value.trim(),
    graph: $('graph').value,
    target: targetProfile() ?? { format: 'likert5', values: {} },
    action: $('action').value,
    stream: true,
  };
  if ($('generator').value) body.generator = $('generator').value;
  const refine = Number($('refine').value);
  if ($('verify').checked || refine > 0) body.verify = true;
  if (refine > 0) body.refine = refine;
  if (body.verify && $('attributor').value !== 'learned') body.attributor = $('attributor').value;
  return body;
}

// ---------------------------------------------------------------------------------------------
// curl

const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

function curlCommand() {
  const url = new URL('/v1/align', window.location.href).href;
  const lines = [`curl -N -X POST ${shellQuote(url)}`, `-H 'content-type: application/json'`];
  if ($('api-key').value.trim()) lines.push(`-H "authorization: Bearer $PLURALIGN_API_KEY"`);
  lines.push(`--data-raw ${shellQuote(JSON.stringify(requestBody()))}`);
  return lines.join(' \\\n  ');
}

function updateCurl() {
  $('curl').textContent = curlCommand();
}

async function copyCurl() {
  const text = curlCommand();
  $('curl').textContent = text;
  $('curl-box').open = true;
  try {
    await navigator.clipboard.writeText(text);
    setStatus('The curl command is copied to the clipboard.');
  } catch {
    // No clipboard permission: select the text so Ctrl+C copies it.
    const range = document.createRange();
    range.selectNodeContents($('curl'));
    const sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
    setStatus('Press Ctrl+C (⌘C) to copy the selected curl command.');
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering the results

function labelOf(id) {
  const latent = state.explanation?.latents?.find((l) => l.node === id);
  return latent?.label ?? state.labels.get(id) ?? id;
}

function pathText(v) {
  const p = v.paths?.[0];
  if (v.status === 'set') return 'set directly';
  if (!p) return '—';
  // Through a latent the structured action chose, the path is an inference (the server's `text` reads it backwards).
  return `${p.text ?? p.path.map(labelOf).join(' → ')} (${signed(p.amount)})`;
}

function renderExplanation(ex) {
  state.explanation = ex;
  $('summary').textContent = tidyNumbers(ex.summary);
  const tbody = $('values-table').tBodies[0];
  const rows = [...ex.values]
    .sort((a, b) => a.rank - b.rank)
    .map((v) =>
      el(
        'tr',
        { dataset: { value: v.value, status: v.status } },
        el('td', { class: 'num rank', text: String(v.rank) }),
        el('th', { scope: 'row', class: 'label', text: v.label }),
        el('td', { class: 'status' }, el('span', { class: `badge ${v.status}`, text: v.status })),
        el('td', { class: 'num factual', text: fmt(v.factual) }),
        el('td', { class: 'num target', text: fmt(v.target) }),
        el('td', { class: 'num counterfactual', text: fmt(v.counterfactual) }),
        el(
          'td',
          { class: 'num change' },
          signed(v.change),
          ...(v.sd > 0 ? [el('span', { class: 'sd', text: ` ± ${fmt(v.sd)}` })] : []),
        ),
        el('td', { class: 'path', text: pathText(v) }),
      ),
    );
  tbody.replaceChildren(...rows);
  $('values-table').hidden = false;

  const latents = ex.latents ?? [];
  $('latents').replaceChildren(
    ...(latents.length
      ? [
          el('h4', { text: 'Higher-order dimensions moved by the action' }),
          el(
            'ul',
            {},
            ...latents.map((l) =>
              el('li', {
                text: `${l.label}: ${fmt(l.from)} → ${fmt(l.to)}${l.sd ? ` (± ${fmt(l.sd)})` : ''}`,
              }),
            ),
          ),
        ]
      : []),
  );
  const express = ex.concepts?.express ?? [];
  const avoid = ex.concepts?.avoid ?? [];
  const conceptList = (title, items) =>
    items.length ? [el('h4', { text: title }), el('p', { text: items.map((c) => c.label).join(', ') })] : [];
  $('concepts').replaceChildren(
    ...conceptList('Concerns the answer should express', express),
    ...conceptList('Concerns it should leave out', avoid),
  );
}

function radarUrl(ex) {
  const pairs = (key) =>
    ex.values
      .filter((v) => v[key] !== null && v[key] !== undefined)
      .map((v) => `${v.value}:${Number(v[key]).toFixed(4)}`)
      .join(',');
  const q = new URLSearchParams({ graph: ex.graph.id });
  for (const key of ['factual', 'target', 'counterfactual']) {
    const p = pairs(key);
    if (p) q.set(key, p);
  }
  q.set('title', `Value profile on ${ex.graph.id}`);
  return `/v1/charts/radar.svg?${q}`;
}

async function renderChart(ex) {
  const box = $('chart');
  box.replaceChildren(el('p', { class: 'note', text: 'Drawing the chart…' }));
  const res = await fetch(radarUrl(ex), { headers: headers(false) });
  if (!res.ok) {
    const error = await errorOf(res);
    box.replaceChildren(
      el('p', { class: 'error', text: `The chart failed: ${error.code}: ${error.message}` }),
    );
    return;
  }
  const svg = new DOMParser().parseFromString(await res.text(), 'image/svg+xml').documentElement;
  if (svg.nodeName !== 'svg') {
    box.replaceChildren(el('p', { class: 'error', text: 'The chart could not be read.' }));
    return;
  }
  box.replaceChildren(document.importNode(svg, true));
}

function renderVerification(v) {
  const box = $('verification');
  if (!v) {
    box.replaceChildren(el('p', { class: 'note', text: 'No verification was asked for.' }));
    return;
  }
  const rho = v.spearman === null || v.spearman === undefined ? 'n/a' : fmt(v.spearman);
  const rows = (v.dimensions ?? []).map((d) =>
    el(
      'tr',
      { dataset: { value: d.value } },
      el('th', { scope: 'row', text: labelOf(d.value) }),
      el('td', { class: 'num', text: fmt(d.target) }),
      el('td', { class: 'num', text: fmt(d.attributed) }),
      el('td', { class: 'num', text: signed(d.error) }),
    ),
  );
  box.replaceChildren(
    el('p', {
      class: 'metrics',
      text: `Attempt ${v.attempt}: mean absolute error ${fmt(v.mae)}, Spearman ρ ${rho} (read back by the ${v.attributor} attributor).`,
    }),
    el(
      'table',
      { id: 'verification-table' },
      el('caption', { text: 'The values you set, and the level read back from the answer.' }),
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ...['Value', 'Target', 'Read from the answer', 'Error'].map((h) =>
            el('th', { scope: 'col', text: h }),
          ),
        ),
      ),
      el('tbody', {}, ...rows),
    ),
  );
}

/** The response's `notes` (warnings about the request), shown above the answer. */
function renderNotes(notes) {
  const list = $('notes');
  list.replaceChildren(...(notes ?? []).map((n) => el('li', { text: tidyNumbers(n) })));
  list.hidden = !notes?.length;
}

/** Read the answer back with the learned detector and highlight the words that drove each concept. */
async function readDrivers(text, graph) {
  const box = $('drivers');
  try {
    const res = await fetch('/v1/attributions', {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ text, graph, detector: 'learned' }),
    });
    if (!res.ok) {
      const e = await errorOf(res);
      box.replaceChildren(el('p', { class: 'note', text: `No highlights: ${e.code}: ${e.message}` }));
      return;
    }
    renderDrivers(box, text, await res.json(), el);
  } catch (err) {
    box.replaceChildren(el('p', { class: 'note', text: `No highlights: ${err.message}` }));
  }
}

function resetResults() {
  clearError();
  renderNotes([]);
  $('drivers').replaceChildren();
  state.explanation = null;
  state.attempt = 1;
  $('answer').textContent = '';
  $('generator-note').textContent = '';
  $('revision-note').hidden = true;
  $('summary').textContent = '';
  $('values-table').hidden = true;
  $('values-table').tBodies[0].replaceChildren();
  $('latents').replaceChildren();
  $('concepts').replaceChildren();
  $('chart').replaceChildren();
  $('verification').replaceChildren();
}

// ---------------------------------------------------------------------------------------------
// The stream

/** Split a server-sent-events buffer into complete events; returns [events, rest]. */
export function parseSse(buffer) {
  const events = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) events.push({ event, data: data.join('\n') });
  }
  return [events, rest];
}

function handleEvent(event, data) {
  switch (event) {
    case 'profile': {
      const g = data.generator;
      $('generator-note').textContent =
        `Generator: ${g.name} (${g.model})${g.note ? ` — ${g.note}` : ''}. Factual profile: ${data.factual?.kind === 'prior' ? 'the graph’s population prior' : (data.factual?.preset ?? data.factual?.kind ?? 'default')}.`;
      renderNotes(data.notes);
      renderExplanation(data.explanation);
      void renderChart(data.explanation);
      setStatus('Writing the answer…');
      return false;
    }
    case 'delta': {
      if (data.attempt !== state.attempt) {
        state.attempt = data.attempt;
        $('answer').textContent = '';
      }
      $('answer').textContent += data.text;
      return false;
    }
    case 'revision': {
      state.attempt = data.attempt;
      $('answer').textContent = '';
      $('revision-note').textContent = tidyNumbers(`Attempt ${data.attempt}: ${data.reason}`);
      $('revision-note').hidden = false;
      setStatus(`Rewriting the answer (attempt ${data.attempt})…`);
      return false;
    }
    case 'verification':
      renderVerification(data);
      return false;
    case 'done': {
      $('answer').textContent = data.answer;
      renderNotes(data.notes);
      if (data.answer) void readDrivers(data.answer, $('graph').value);
      renderVerification(data.verification);
      const tokens = data.usage?.completionTokens ? `, ${data.usage.completionTokens} tokens` : '';
      setStatus(`Done: attempt ${data.attempt}, model ${data.servedModel}${tokens}.`);
      return true;
    }
    case 'error':
      showError(data.error ?? data);
      setStatus('The answer failed.');
      return true;
    default:
      return false;
  }
}

async function submit(event) {
  event.preventDefault();
  const body = requestBody();
  if (!body.question) {
    showError({ code: 'NO_QUESTION', message: 'Type a question first.' });
    $('question').focus();
    return;
  }
  if (!targetProfile()) {
    showError({
      code: 'NO_TARGET',
      message:
        mode() === 'ranking'
          ? 'Tick at least one value to rank.'
          : 'Set at least one value: move its slider (or tick its box).',
    });
    return;
  }
  resetResults();
  updateCurl();
  const controller = new AbortController();
  state.controller = controller;
  $('submit').disabled = true;
  $('stop').disabled = false;
  $('answer').setAttribute('aria-busy', 'true');
  setStatus('Computing the counterfactual profile…');
  let finished = false;
  try {
    const res = await fetch('/v1/align', {
      method: 'POST',
      headers: { ...headers(), accept: 'text/event-stream' },
      body: JSON.stringify(body),
      signal: controller.signal,
    });
    if (!res.ok || !(res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      showError(res.ok ? { code: 'BAD_RESPONSE', message: 'expected an event stream' } : await errorOf(res));
      setStatus('The request failed.');
      finished = true;
      return;
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const [events, rest] = parseSse(buffer);
      buffer = rest;
      for (const e of events) {
        let data;
        try {
          data = JSON.parse(e.data);
        } catch {
          continue;
        }
        if (handleEvent(e.event, data)) finished = true;
      }
    }
    if (!finished) {
      showError({ code: 'STREAM_ENDED', message: 'the stream ended before the answer was complete' });
      setStatus('The answer is incomplete.');
    }
  } catch (err) {
    if (controller.signal.aborted) setStatus('Stopped.');
    else {
      showError({ code: 'NETWORK', message: `the request failed: ${err.message ?? err}` });
      setStatus('The request failed.');
    }
  } finally {
    state.controller = null;
    $('submit').disabled = false;
    $('stop').disabled = true;
    $('answer').setAttribute('aria-busy', 'false');
  }
}

// ---------------------------------------------------------------------------------------------
// Wiring

function init() {
  if (!$('question').value) $('question').value = DEFAULT_QUESTION;
  $('align-form').addEventListener('submit', submit);
  $('align-form').addEventListener('input', updateCurl);
  // An error is about the request that was sent: once the form changes (another generator, value,
  // question…) it no longer applies, so it goes (a request in flight keeps its status).
  $('align-form').addEventListener('change', () => {
    if (!state.controller) {
      clearError();
      if ($('status').textContent.endsWith('failed.')) setStatus('');
    }
    updateCurl();
  });
  $('graph').addEventListener('change', () => void loadGraph($('graph').value));
  $('api-key').addEventListener('change', () => void loadGraphs());
  $('stop').addEventListener('click', () => state.controller?.abort());
  $('copy-curl').addEventListener('click', () => void copyCurl());
  $('clear-sliders').addEventListener('click', () => {
    for (const row of $('sliders').children) {
      const set = row.querySelector('input.set');
      set.checked = false;
      set.dispatchEvent(new Event('change'));
    }
  });
  for (const radio of document.querySelectorAll('input[name="mode"]')) {
    radio.addEventListener('change', () => {
      $('sliders-box').hidden = mode() !== 'sliders';
      $('ranking-box').hidden = mode() !== 'ranking';
      updateCurl();
    });
  }
  $('show-diagram').addEventListener('click', () => {
    const img = $('diagram');
    if (img.dataset.src && img.getAttribute('src') !== img.dataset.src) img.src = img.dataset.src;
    $('diagram-dialog').showModal();
  });
  $('close-diagram').addEventListener('click', () => $('diagram-dialog').close());
  loadGraphs().catch((err) =>
    showError({ code: 'NETWORK', message: `cannot load the graphs: ${err.message}` }),
  );
}

init();
