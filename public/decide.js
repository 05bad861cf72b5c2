// The playground's "Rank actions" tab: builds a POST /v1/decisions request from its form and shows the
// ranking, each action's relevance to each value (with its sd), and why the top action won. Plain
// browser JavaScript, no framework; every number shown comes from the API's JSON.

const $ = (id) => document.getElementById(id);

const EXAMPLE = {
  graph: 'valuepilot-6',
  scenario:
    'You and your flatmate come home thirsty from a long walk. One bottle of cold lemonade is left in the fridge you share.',
  actions: [
    'Drink it all without asking',
    'Pour two glasses and share it equally',
    'Go out and buy another bottle for both of you',
    'Mix it with ginger and mint to invent a new drink',
  ],
  // A person who cares most about fairness and closeness (likert 1–5 = 1 + 4 × a 0–1 score).
  values: { curiosity: 2, energy: 2, safety: 3, happiness: 3, intimacy: 4, fairness: 5 },
};

const state = { values: [], lastBody: null };

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c);
  return node;
}

const signed = (x, d = 2) => {
  const s = Number(x).toFixed(d);
  if (s.startsWith('-')) return `−${s.slice(1)}`;
  return Number(s) === 0 ? s : `+${s}`;
};

function headers() {
  const h = { 'content-type': 'application/json' };
  const key = $('api-key')?.value.trim();
  if (key) h.authorization = `Bearer ${key}`;
  return h;
}

// ---------------------------------------------------------------------------------------------
// Tabs

function showTab(name) {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.dataset.tab === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !selected;
  }
}

// ---------------------------------------------------------------------------------------------
// The form

async function loadGraphs() {
  const res = await fetch('/v1/graphs', { headers: headers() });
  if (!res.ok) return;
  const { graphs } = await res.json();
  const select = $('d-graph');
  select.replaceChildren(...graphs.map((g) => el('option', { value: g.id, text: g.id })));
  select.value = graphs.some((g) => g.id === EXAMPLE.graph) ? EXAMPLE.graph : (graphs[0]?.id ?? '');
  await loadValues(select.value);
}

async function loadValues(id) {
  const res = await fetch(`/v1/graphs/${encodeURIComponent(id)}`, { headers: headers() });
  if (!res.ok) return;
  const graph = await res.json();
  state.values = graph.definition.nodes
    .filter((n) => n.kind === 'value')
    .map((n) => ({ id: n.id, label: n.label }));
  const box = $('d-values');
  box.replaceChildren(
    ...state.values.map((v) => {
      const select = el(
        'select',
        { id: `d-value-${v.id}`, 'data-value': v.id },
        el('option', { value: '', text: 'not set' }),
        ...[1, 2, 3, 4, 5].map((n) => el('option', { value: String(n), text: String(n) })),
      );
      if (id === EXAMPLE.graph && EXAMPLE.values[v.id] !== undefined)
        select.value = String(EXAMPLE.values[v.id]);
      return el('div', { class: 'field inline' }, el('label', { for: select.id, text: v.label }), select);
    }),
  );
  updateCurl();
}

function requestBody() {
  const values = {};
  for (const s of $('d-values').querySelectorAll('select'))
    if (s.value) values[s.dataset.value] = Number(s.value);
  const body = {
    scenario: $('d-scenario').value.trim(),
    actions: $('d-actions')
      .value.split('\n')
      .map((a) => a.trim())
      .filter(Boolean),
    target: { format: 'likert5', values },
    graph: $('d-graph').value,
  };
  if ($('d-method').value !== 'weighted-sum') body.method = $('d-method').value;
  if ($('d-mode').value !== 'embedded') body.mode = $('d-mode').value;
  return body;
}

const shellQuote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

function updateCurl() {
  const url = new URL('/v1/decisions', window.location.href).href;
  $('d-curl').textContent = [
    `curl -X POST ${shellQuote(url)}`,
    `-H 'content-type: application/json'`,
    `--data-raw ${shellQuote(JSON.stringify(requestBody()))}`,
  ].join(' \\\n  ');
}

// ---------------------------------------------------------------------------------------------
// Results

function showError(error) {
  const box = $('d-error');
  box.replaceChildren(
    el('strong', { text: `Error ${error.code ?? 'ERROR'}: ` }),
    document.createTextNode(error.message),
  );
  const details = (error.details ?? []).filter((d) => d.message && d.message !== error.message);
  if (details.length)
    box.append(el('ul', {}, ...details.map((d) => el('li', { text: `${d.path}: ${d.message}` }))));
  box.hidden = false;
}

function render(result) {
  const list = $('d-ranking');
  list.replaceChildren(
    ...result.ranking.map((i) => {
      const a = result.actions[i];
      const drivers = [...a.values]
        .filter((v) => Math.abs(v.contribution) >= 0.005)
        .sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution))
        .slice(0, 3)
        .map((v) => `${v.label} ${signed(v.relevance)}`)
        .join(', ');
      return el(
        'li',
        { 'data-index': String(i) },
        el('span', { class: 'action', text: a.action }),
        el('span', { class: 'score', text: ` score ${signed(a.score, 3)}` }),
        el('span', { class: 'note', text: drivers ? ` — ${drivers}` : '' }),
      );
    }),
  );
  $('d-explanation').textContent = result.explanation.text;
  const table = $('d-relevance');
  const head = el(
    'tr',
    {},
    el('th', { scope: 'col', text: 'Action' }),
    ...result.profile.values.map((v) =>
      el('th', { scope: 'col', text: `${v.label} (${v.likert5.toFixed(1)}, w ${v.weight.toFixed(2)})` }),
    ),
  );
  const rows = result.ranking.map((i) => {
    const a = result.actions[i];
    return el(
      'tr',
      {},
      el('th', { scope: 'row', text: a.action }),
      ...a.values.map((v) => el('td', { text: `${signed(v.relevance)} ± ${v.sd.toFixed(2)}` })),
    );
  });
  table.tHead.replaceChildren(head);
  table.tBodies[0].replaceChildren(...rows);
  table.hidden = false;
}

async function submit(event) {
  event.preventDefault();
  $('d-error').hidden = true;
  $('d-ranking').replaceChildren();
  $('d-explanation').textContent = '';
  $('d-relevance').hidden = true;
  const body = requestBody();
  state.lastBody = body;
  updateCurl();
  $('d-status').textContent = 'Ranking the actions…';
  $('d-submit').disabled = true;
  try {
    const res = await fetch('/v1/decisions', {
      method: 'POST',
      headers: headers(),
      body: JSON.stringify(body),
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) {
      showError(json?.error ?? { code: `HTTP_${res.status}`, message: res.statusText });
      $('d-status').textContent = 'The request failed.';
      return;
    }
    render(json);
    $('d-status').textContent = `Ranked ${json.actions.length} actions (${json.mode}, ${json.method}).`;
  } catch (err) {
    showError({ code: 'NETWORK', message: `the request failed: ${err.message ?? err}` });
    $('d-status').textContent = 'The request failed.';
  } finally {
    $('d-submit').disabled = false;
  }
}

function init() {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    tab.addEventListener('click', () => showTab(tab.dataset.tab));
  }
  $('d-scenario').value = EXAMPLE.scenario;
  $('d-actions').value = EXAMPLE.actions.join('\n');
  $('decide-form').addEventListener('submit', submit);
  $('decide-form').addEventListener('input', updateCurl);
  $('decide-form').addEventListener('change', updateCurl);
  $('d-graph').addEventListener('change', () => void loadValues($('d-graph').value));
  loadGraphs().catch((err) =>
    showError({ code: 'NETWORK', message: `cannot load the graphs: ${err.message}` }),
  );
}

init();
