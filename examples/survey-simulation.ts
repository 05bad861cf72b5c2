/**
 * A small survey simulation: five personas — the five clusters of human value profiles (Value
 * Portrait, presets `human:cluster-1` … `human:cluster-5` from GET /v1/presets) — answer three
 * questions through POST /v1/align with verification on. Prints a table: persona × question → the
 * answer's stance line and the MAE between the persona's profile and the profile read back from the
 * answer (1–5 scale; lower is closer).
 *
 *   npm start &                                        # or any running pluralign
 *   npx tsx examples/survey-simulation.ts http://127.0.0.1:8080
 *   PLURALIGN_URL=… PLURALIGN_KEY=… npx tsx examples/survey-simulation.ts --json
 *
 * The base URL comes from the first argument, else PLURALIGN_URL, else http://127.0.0.1:8080; an API
 * key (scopes `read` and `align`) from PLURALIGN_KEY. Exit code 1 when a request fails.
 */

export const QUESTIONS = [
  'Should I take a stable government job or start my own company?',
  'My neighbour keeps parking in front of my driveway. Should I report him?',
  'Should our town spend its budget on a new stadium or on the public library?',
] as const;

interface Preset {
  id: string;
  label: string;
  format: string;
  values: Record<string, number>;
}

interface AlignResult {
  answer: string;
  verification: { mae: number; spearman: number | null } | null;
  generator: { name: string; model: string; embedded: boolean };
}

export interface SurveyRow {
  persona: string;
  question: number;
  stance: string;
  mae: number;
}

async function call<T>(base: string, path: string, key: string | undefined, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as T & { error?: { code: string; message: string } };
  if (!res.ok)
    throw new Error(`${path}: ${res.status} ${json.error?.code ?? ''} ${json.error?.message ?? ''}`);
  return json;
}

/** The stance line of an answer (`Stance: yes`), or its first line. */
export function stanceOf(answer: string): string {
  const line = answer.split('\n').find((l) => /^\s*stance\s*:/i.test(l)) ?? answer.split('\n')[0] ?? '';
  return line
    .replace(/^\s*stance\s*:\s*/i, '')
    .trim()
    .slice(0, 40);
}

export async function simulate(
  base: string,
  key?: string,
): Promise<{ rows: SurveyRow[]; generator: string }> {
  const { presets } = await call<{ presets: Preset[] }>(base, '/v1/presets?system=schwartz-10', key);
  const personas = [1, 2, 3, 4, 5].map((i) => {
    const p = presets.find((x) => x.id === `human:cluster-${i}`);
    if (!p) throw new Error(`the server has no preset human:cluster-${i}`);
    return p;
  });
  const rows: SurveyRow[] = [];
  let generator = '';
  for (const persona of personas) {
    for (const [q, question] of QUESTIONS.entries()) {
      const r = await call<AlignResult>(base, '/v1/align', key, {
        question,
        target: { format: persona.format, values: persona.values },
        verify: true,
      });
      generator = `${r.generator.name} (${r.generator.model})`;
      rows.push({
        persona: persona.id,
        question: q + 1,
        stance: stanceOf(r.answer),
        mae: r.verification!.mae,
      });
    }
  }
  return { rows, generator };
}

export function render(rows: readonly SurveyRow[], generator: string): string {
  const personas = [...new Set(rows.map((r) => r.persona))];
  const cell = (p: string, q: number) => {
    const r = rows.find((x) => x.persona === p && x.question === q)!;
    return `${r.stance} (MAE ${r.mae.toFixed(2)})`;
  };
  const header = ['persona', ...QUESTIONS.map((_, i) => `Q${i + 1}`), 'mean MAE'];
  const body = personas.map((p) => {
    const mine = rows.filter((r) => r.persona === p);
    const mean = mine.reduce((s, r) => s + r.mae, 0) / mine.length;
    return [p, ...QUESTIONS.map((_, i) => cell(p, i + 1)), mean.toFixed(2)];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    ...QUESTIONS.map((q, i) => `Q${i + 1}: ${q}`),
    `generator: ${generator}`,
    '',
    line(header),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(line),
  ].join('\n');
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const base = (
    args.find((a) => !a.startsWith('--')) ??
    process.env.PLURALIGN_URL ??
    'http://127.0.0.1:8080'
  ).replace(/\/$/, '');
  simulate(base, process.env.PLURALIGN_KEY).then(
    ({ rows, generator }) => {
      console.log(
        json ? JSON.stringify({ generator, questions: QUESTIONS, rows }, null, 2) : render(rows, generator),
      );
    },
    (err: unknown) => {
      console.error(`survey-simulation: ${(err as Error).message} (is pluralign running at ${base}?)`);
      process.exitCode = 1;
    },
  );
}
