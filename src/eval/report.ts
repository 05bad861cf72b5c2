/**
 * The evaluation report: per method, per profile and per profile group, the mean MAE and the mean
 * Spearman ρ over questions (COUPLE averages its metrics over the evaluation questions; ρ is averaged
 * over the tasks where it is defined, and how many those are is reported), each with a seeded
 * percentile-bootstrap confidence interval (stats.ts). Overall and group figures resample *questions*
 * (a cluster bootstrap: all of a question's profiles go in or out together, since answers to one
 * question are not independent); per-profile figures resample that profile's questions. Paired
 * differences against a reference method (value-prompt by default) use the same resampling on the
 * (question, profile) pairs both methods answered. The questionnaire protocol has one result per
 * (method, profile); its overall figures resample profiles.
 * Written as JSON, a Markdown table and SVG bar charts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addUsage, emptyUsage } from './meter.js';
import { clusteredMean, fnv1a, type Interval } from './stats.js';
import { barChart, type BarGroup } from './svg.js';
import type {
  AnswerRow,
  EvalProfile,
  Method,
  QuestionnaireRow,
  ResultRow,
  RunSettings,
  TaskCost,
} from './types.js';

export interface StatOptions {
  resamples: number;
  level: number;
  seed: number;
}

export interface CellStats {
  /** Successful tasks. */
  n: number;
  errors: number;
  mae: Interval;
  /** ρ averaged over the `n` tasks where it is defined. */
  spearman: Interval & { n: number };
  /** The metrics whose interval has zero width (every resample gave the same value): no uncertainty measured. */
  degenerate: Array<'mae' | 'spearman'>;
}

export interface PairedStats {
  pairs: number;
  mae: Interval;
  spearman: Interval & { n: number };
  degenerate: Array<'mae' | 'spearman'>;
}

/** An interval of zero width: every bootstrap resample gave the same value. */
export function zeroWidth(i: Interval): boolean {
  return i.lo !== null && i.hi !== null && i.hi - i.lo <= 1e-12 * Math.max(1, Math.abs(i.hi));
}

const degenerateOf = (mae: Interval, spearman: Interval): Array<'mae' | 'spearman'> => [
  ...(zeroWidth(mae) ? (['mae'] as const) : []),
  ...(zeroWidth(spearman) ? (['spearman'] as const) : []),
];

/** What a report is: a measurement of a model, or (embedded generator) a check of the pipeline. */
export type ReportKind = 'measurement' | 'pipeline self-check';

export const SELF_CHECK_NOTE =
  'Pipeline self-check, not a measurement: the embedded template generator writes the graph’s own concept phrases from the plan and an embedded detector reads them back, and it writes the same answer to every question of a kind, so these figures check that the pipeline runs and is consistent. They say nothing about how well a language model follows value profiles.';

export interface ProtocolReport {
  overall: Record<string, CellStats>;
  byGroup: Record<string, Record<string, CellStats>>;
  byProfile: Record<string, Record<string, CellStats>>;
  /** Each method minus the reference method, on the pairs both answered. */
  paired: { reference: string; methods: Record<string, PairedStats> } | null;
}

export interface EvalReport {
  title: string;
  /** `pipeline self-check` when the answers came from the embedded (template) generator. */
  kind: ReportKind;
  generatedAt: string;
  settings: RunSettings;
  methods: Method[];
  profiles: Array<{ id: string; label: string; group: string | null; target: Record<string, number> }>;
  questions: number;
  items: string | null;
  statistics: {
    interval: 'percentile bootstrap';
    resamples: number;
    level: number;
    seed: number;
    resampled: string;
  };
  tasks: { total: number; succeeded: number; failed: number; missing: number };
  answers: ProtocolReport | null;
  questionnaire: ProtocolReport | null;
  /** Upstream use recorded in the rows (all runs that produced them), and by this invocation. */
  cost: { recorded: TaskCost; thisRun: TaskCost | null };
  errors: Array<{ key: string; code: string; message: string }>;
  /** Cells whose interval has zero width (`answers overall pluralign mae`…): they measure no uncertainty. */
  degenerateIntervals: string[];
  notes: string[];
}

const seedFor = (o: StatOptions, label: string) => parseInt(fnv1a(`${o.seed}|${label}`), 16);

/** Mean MAE and ρ of rows grouped by cluster id (question, or profile). */
function cell(
  rows: ResultRow[],
  clusterOf: (r: ResultRow) => string,
  o: StatOptions,
  label: string,
): CellStats {
  const ok = rows.filter((r) => !r.error && r.mae !== null);
  const group = (pick: (r: ResultRow) => number | null) => {
    const by = new Map<string, number[]>();
    for (const r of ok) {
      const v = pick(r);
      if (v === null) continue;
      const c = clusterOf(r);
      by.set(c, [...(by.get(c) ?? []), v]);
    }
    return [...by.keys()].sort().map((k) => by.get(k)!);
  };
  const opts = { resamples: o.resamples, level: o.level };
  const mae = clusteredMean(
    group((r) => r.mae),
    { ...opts, seed: seedFor(o, `${label}|mae`) },
  );
  const rho = clusteredMean(
    group((r) => r.spearman),
    { ...opts, seed: seedFor(o, `${label}|rho`) },
  );
  const { n: _n, ...maeInterval } = mae;
  return {
    n: ok.length,
    errors: rows.length - ok.length,
    mae: maeInterval,
    spearman: rho,
    degenerate: degenerateOf(maeInterval, rho),
  };
}

function paired(
  rows: ResultRow[],
  method: string,
  reference: string,
  pairOf: (r: ResultRow) => string,
  clusterOf: (r: ResultRow) => string,
  o: StatOptions,
  label: string,
): PairedStats {
  const ok = rows.filter((r) => !r.error && r.mae !== null);
  const ref = new Map(ok.filter((r) => r.method === reference).map((r) => [pairOf(r), r]));
  const mine = ok.filter((r) => r.method === method && ref.has(pairOf(r)));
  const diff = (pick: (r: ResultRow) => number | null) => {
    const by = new Map<string, number[]>();
    for (const r of mine) {
      const a = pick(r);
      const b = pick(ref.get(pairOf(r))!);
      if (a === null || b === null) continue;
      const c = clusterOf(r);
      by.set(c, [...(by.get(c) ?? []), a - b]);
    }
    return [...by.keys()].sort().map((k) => by.get(k)!);
  };
  const opts = { resamples: o.resamples, level: o.level };
  const { n: _n, ...mae } = clusteredMean(
    diff((r) => r.mae),
    { ...opts, seed: seedFor(o, `${label}|dmae`) },
  );
  const spearman = clusteredMean(
    diff((r) => r.spearman),
    { ...opts, seed: seedFor(o, `${label}|drho`) },
  );
  return { pairs: mine.length, mae, spearman, degenerate: degenerateOf(mae, spearman) };
}

function protocolReport(
  rows: ResultRow[],
  methods: readonly Method[],
  profiles: readonly EvalProfile[],
  o: StatOptions,
  kind: 'answers' | 'questionnaire',
  reference: string | null,
): ProtocolReport {
  // Answers: clusters are questions. Questionnaire: one row per profile, so clusters are profiles.
  const clusterOf = (r: ResultRow) => (r.kind === 'answer' ? r.question : r.profile);
  const pairOf = (r: ResultRow) => (r.kind === 'answer' ? `${r.question}|${r.profile}` : r.profile);
  const groups = [...new Set(profiles.map((p) => p.group ?? 'other'))];
  const groupOf = new Map(profiles.map((p) => [p.id, p.group ?? 'other']));
  const overall: Record<string, CellStats> = {};
  const byGroup: Record<string, Record<string, CellStats>> = {};
  const byProfile: Record<string, Record<string, CellStats>> = {};
  for (const m of methods) {
    const mine = rows.filter((r) => r.method === m);
    overall[m] = cell(mine, clusterOf, o, `${kind}|${m}`);
    if (groups.length > 1) {
      for (const g of groups)
        (byGroup[g] ??= {})[m] = cell(
          mine.filter((r) => groupOf.get(r.profile) === g),
          clusterOf,
          o,
          `${kind}|${m}|group:${g}`,
        );
    }
    for (const p of profiles)
      (byProfile[p.id] ??= {})[m] = cell(
        mine.filter((r) => r.profile === p.id),
        // Within one profile, answers are one per question; questionnaire cells have a single row.
        (r) => (r.kind === 'answer' ? r.question : r.key),
        o,
        `${kind}|${m}|${p.id}`,
      );
  }
  const ref = reference && methods.includes(reference as Method) ? reference : null;
  return {
    overall,
    byGroup,
    byProfile,
    paired: ref
      ? {
          reference: ref,
          methods: Object.fromEntries(
            methods
              .filter((m) => m !== ref)
              .map((m) => [m, paired(rows, m, ref, pairOf, clusterOf, o, `${kind}|${m}-${ref}`)]),
          ),
        }
      : null,
  };
}

export interface ReportInput {
  title: string;
  settings: RunSettings;
  methods: Method[];
  questionnaireMethods: Method[];
  profiles: EvalProfile[];
  questions: number;
  items: string | null;
  rows: ResultRow[];
  totalTasks: number;
  thisRun: TaskCost | null;
  stats: StatOptions;
  /** Default value-prompt when it is among the methods, else raw. */
  reference?: string;
  notes?: string[];
  /** The answers came from an embedded generator (the template): the report is a pipeline self-check. */
  selfCheck?: boolean;
}

/** Every zero-width interval of a protocol's report, named. */
function degenerateCells(name: string, r: ProtocolReport | null): string[] {
  if (!r) return [];
  const out: string[] = [];
  const add = (where: string, c: { degenerate: Array<'mae' | 'spearman'> }) =>
    c.degenerate.forEach((m) => out.push(`${name} ${where} ${m}`));
  for (const [m, c] of Object.entries(r.overall)) add(`overall ${m}`, c);
  for (const [g, row] of Object.entries(r.byGroup))
    for (const [m, c] of Object.entries(row)) add(`group ${g} ${m}`, c);
  for (const [p, row] of Object.entries(r.byProfile))
    for (const [m, c] of Object.entries(row)) add(`profile ${p} ${m}`, c);
  if (r.paired) for (const [m, c] of Object.entries(r.paired.methods)) add(`${m} − ${r.paired.reference}`, c);
  return out;
}

export function buildReport(input: ReportInput): EvalReport {
  const answers = input.rows.filter((r): r is AnswerRow => r.kind === 'answer');
  const questionnaire = input.rows.filter((r): r is QuestionnaireRow => r.kind === 'questionnaire');
  const reference =
    input.reference ??
    (input.methods.includes('value-prompt') ? 'value-prompt' : input.methods.includes('raw') ? 'raw' : null);
  const recorded: TaskCost = { generator: emptyUsage(), judge: emptyUsage() };
  for (const r of input.rows) {
    addUsage(recorded.generator, r.cost.generator);
    addUsage(recorded.judge, r.cost.judge);
  }
  const failed = input.rows.filter((r) => r.error);
  const answersReport = answers.length
    ? protocolReport(answers, input.methods, input.profiles, input.stats, 'answers', reference)
    : null;
  const questionnaireReport = questionnaire.length
    ? protocolReport(
        questionnaire,
        input.questionnaireMethods,
        input.profiles,
        input.stats,
        'questionnaire',
        reference,
      )
    : null;
  const kind: ReportKind = input.selfCheck ? 'pipeline self-check' : 'measurement';
  return {
    title: input.selfCheck ? `Pipeline self-check — ${input.title}` : input.title,
    kind,
    generatedAt: new Date().toISOString(),
    settings: input.settings,
    methods: input.methods,
    profiles: input.profiles.map((p) => ({
      id: p.id,
      label: p.label,
      group: p.group ?? null,
      target: p.likert5,
    })),
    questions: input.questions,
    items: input.items,
    statistics: {
      interval: 'percentile bootstrap',
      resamples: input.stats.resamples,
      level: input.stats.level,
      seed: input.stats.seed,
      resampled:
        'answers: questions (all profiles of a question together; per profile: that profile’s questions); questionnaire: profiles',
    },
    tasks: {
      total: input.totalTasks,
      succeeded: input.rows.length - failed.length,
      failed: failed.length,
      missing: input.totalTasks - input.rows.length,
    },
    answers: answersReport,
    questionnaire: questionnaireReport,
    cost: { recorded, thisRun: input.thisRun },
    errors: failed.map((r) => ({ key: r.key, code: r.error!.code, message: r.error!.message })),
    degenerateIntervals: [
      ...degenerateCells('answers', answersReport),
      ...degenerateCells('questionnaire', questionnaireReport),
    ],
    notes: [...(input.selfCheck ? [SELF_CHECK_NOTE] : []), ...(input.notes ?? [])],
  };
}

const f = (x: number | null, d = 3) => (x === null ? '–' : x.toFixed(d).replace(/^-(0\.0*)$/, '$1'));
/** The mark of a zero-width interval in the tables. */
const ZERO_WIDTH = ' ⚠ zero width';

const ci = (i: Interval, d = 2) =>
  i.estimate === null
    ? '–'
    : i.lo === null
      ? f(i.estimate)
      : `${f(i.estimate)} [${f(i.lo, d)}, ${f(i.hi, d)}]${zeroWidth(i) ? ZERO_WIDTH : ''}`;
const signed = (i: Interval, d = 3) => {
  if (i.estimate === null) return '–';
  const s = (x: number | null) => (x === null ? '–' : `${x > 0 ? '+' : ''}${x.toFixed(d)}`);
  return i.lo === null
    ? s(i.estimate)
    : `${s(i.estimate)} [${s(i.lo)}, ${s(i.hi)}]${zeroWidth(i) ? ZERO_WIDTH : ''}`;
};

export function usageLine(c: TaskCost): string {
  const one = (u: TaskCost['generator']) =>
    `${u.calls} call${u.calls === 1 ? '' : 's'}${u.failedCalls ? ` (+${u.failedCalls} failed)` : ''}, ${u.promptTokens.toLocaleString('en-US')} prompt + ${u.completionTokens.toLocaleString('en-US')} completion tokens`;
  if (c.generator.calls + c.generator.failedCalls + c.judge.calls + c.judge.failedCalls === 0)
    return 'no upstream calls (embedded template generator and embedded attributor)';
  return `generator ${one(c.generator)}; judge ${one(c.judge)}`;
}

function protocolMarkdown(
  r: ProtocolReport,
  rep: EvalReport,
  title: string,
  methods: readonly string[],
): string[] {
  const lvl = Math.round(rep.statistics.level * 100);
  const lines: string[] = [`## ${title}`, ''];
  lines.push(
    `| method | n | MAE ↓ [${lvl}% CI] | Spearman ρ ↑ [${lvl}% CI] | ρ defined | failed |`,
    '|---|---:|---|---|---:|---:|',
  );
  for (const m of methods) {
    const c = r.overall[m];
    if (!c) continue;
    lines.push(`| ${m} | ${c.n} | ${ci(c.mae)} | ${ci(c.spearman)} | ${c.spearman.n} | ${c.errors} |`);
  }
  if (r.paired) {
    lines.push(
      '',
      `Paired differences against **${r.paired.reference}** (negative ΔMAE and positive Δρ are better):`,
      '',
    );
    lines.push(`| method | pairs | ΔMAE [${lvl}% CI] | Δρ [${lvl}% CI] |`, '|---|---:|---|---|');
    for (const [m, p] of Object.entries(r.paired.methods))
      lines.push(`| ${m} | ${p.pairs} | ${signed(p.mae)} | ${signed(p.spearman)} |`);
  }
  const groups = Object.keys(r.byGroup);
  if (groups.length) {
    lines.push(
      '',
      `By profile group (MAE / ρ):`,
      '',
      `| group | ${methods.join(' | ')} |`,
      `|---|${methods.map(() => '---').join('|')}|`,
    );
    for (const g of groups)
      lines.push(
        `| ${g} | ${methods
          .map((m) => {
            const c = r.byGroup[g]![m];
            return c ? `${f(c.mae.estimate)} / ${f(c.spearman.estimate)}` : '–';
          })
          .join(' | ')} |`,
      );
  }
  lines.push(
    '',
    `By profile (MAE [CI] / ρ [CI]):`,
    '',
    `| profile | ${methods.join(' | ')} |`,
    `|---|${methods.map(() => '---').join('|')}|`,
  );
  for (const p of rep.profiles) {
    const row = r.byProfile[p.id];
    if (!row) continue;
    lines.push(
      `| ${p.id} | ${methods.map((m) => (row[m] ? `${ci(row[m].mae)} / ${ci(row[m].spearman)}` : '–')).join(' | ')} |`,
    );
  }
  lines.push('');
  return lines;
}

export function renderMarkdown(rep: EvalReport, questionnaireMethods: readonly string[]): string {
  const s = rep.settings;
  const lines: string[] = [`# ${rep.title}`, ''];
  if (rep.kind === 'pipeline self-check') lines.push(`> **${SELF_CHECK_NOTE}**`, '');
  if (rep.degenerateIntervals.length)
    lines.push(
      `> ⚠ ${rep.degenerateIntervals.length} interval${rep.degenerateIntervals.length === 1 ? ' has' : 's have'} zero width (marked “${ZERO_WIDTH.trim()}”): every bootstrap resample gave the same value, because the answers did not vary across the resampled questions (or there is only one). Such an interval measures no uncertainty; do not read it as precision.`,
      '',
    );
  lines.push(
    `- generator: \`${s.generator}\` (model \`${s.model}\`)${s.generator === 'template' ? ' — the embedded template writer, not a language model: it ignores the question, so offline figures are a deterministic check of the pipeline, not a measurement of a model' : ''}`,
    `- attributor: ${s.attributor === 'llm' ? `LLM judge (\`${s.judge}\`, sees the question), concept ratings` : s.attributor === 'phrases' ? 'embedded phrase detector' : 'embedded learned detector (calibrated concept probabilities)'}`,
    `- scoring: ${s.scoring === 'scm' ? 'SCM posterior (values the answer does not touch are imputed through the graph, the structure pluralign steers with: favours pluralign)' : 'direct per-value readings of the concept evidence, no SCM imputation (a value the answer does not touch reads 2, “absent”)'}`,
    `- graph \`${s.graph}\`; factual profile ${s.factual ? `\`${s.factual}\`` : 'the backend model’s preset when known, else `human:mean`'}; refine ${s.refine} for pluralign+refine`,
    `- ${rep.questions} questions × ${rep.profiles.length} profiles × ${rep.methods.length} methods${rep.items ? `; questionnaire items \`${rep.items}\`` : ''}`,
    `- tasks: ${rep.tasks.succeeded} succeeded, ${rep.tasks.failed} failed, ${rep.tasks.missing} not run yet (of ${rep.tasks.total})`,
    `- intervals: ${Math.round(rep.statistics.level * 100)}% percentile bootstrap, ${rep.statistics.resamples} resamples, seed ${rep.statistics.seed}; resampled: ${rep.statistics.resampled}`,
    `- metrics on each profile's set dimensions, COUPLE's 1–5 scale: MAE (lower is better) and Spearman ρ with average ranks for ties (higher is better)`,
    `- cost recorded: ${usageLine(rep.cost.recorded)}`,
    '',
  );
  if (rep.answers)
    lines.push(
      ...protocolMarkdown(rep.answers, rep, 'Answers protocol (align → attribute → compare)', rep.methods),
    );
  if (rep.questionnaire)
    lines.push(
      ...protocolMarkdown(
        rep.questionnaire,
        rep,
        'Questionnaire protocol (persona rates portraits → MRAT → compare)',
        questionnaireMethods,
      ),
    );
  if (rep.notes.length) lines.push('## Notes', '', ...rep.notes.map((n) => `- ${n}`), '');
  if (rep.errors.length) {
    lines.push(
      '## Failed tasks',
      '',
      ...rep.errors
        .slice(0, 20)
        .map((e) => `- \`${e.key}\`: ${e.code}: ${e.message.replace(/\s+/g, ' ').slice(0, 200)}`),
    );
    if (rep.errors.length > 20) lines.push(`- … and ${rep.errors.length - 20} more (report.json)`);
    lines.push('');
  }
  return lines.join('\n');
}

function chartGroups(
  r: ProtocolReport,
  rep: EvalReport,
  methods: readonly string[],
  metric: 'mae' | 'spearman',
): BarGroup[] {
  const bars = (row: Record<string, CellStats> | undefined) =>
    methods.map((m) => {
      const c = row?.[m];
      const i = c?.[metric];
      return { series: m, value: i?.estimate ?? null, lo: i?.lo ?? null, hi: i?.hi ?? null };
    });
  return [
    { label: 'overall', bars: bars(r.overall) },
    ...Object.keys(r.byGroup).map((g) => ({ label: g, bars: bars(r.byGroup[g]) })),
    ...rep.profiles.map((p) => ({ label: p.id, bars: bars(r.byProfile[p.id]) })),
  ];
}

export function renderCharts(
  rep: EvalReport,
  questionnaireMethods: readonly string[],
): Array<{ name: string; svg: string }> {
  const out: Array<{ name: string; svg: string }> = [];
  const lvl = Math.round(rep.statistics.level * 100);
  const selfCheck = rep.kind === 'pipeline self-check' ? ' (pipeline self-check)' : '';
  const add = (name: string, r: ProtocolReport | null, methods: readonly string[], what: string) => {
    if (!r) return;
    out.push({
      name: `${name}-mae.svg`,
      svg: barChart({
        title: `${what}: MAE vs target (lower is better)`,
        subtitle: `${rep.settings.generator} ${rep.settings.model}${selfCheck} · whiskers: ${lvl}% bootstrap CI`,
        yLabel: 'MAE (1–5 scale)',
        series: [...methods],
        groups: chartGroups(r, rep, methods, 'mae'),
        yInclude: [0, 1],
      }),
    });
    out.push({
      name: `${name}-spearman.svg`,
      svg: barChart({
        title: `${what}: Spearman ρ with target (higher is better)`,
        subtitle: `${rep.settings.generator} ${rep.settings.model}${selfCheck} · whiskers: ${lvl}% bootstrap CI`,
        yLabel: 'Spearman ρ',
        series: [...methods],
        groups: chartGroups(r, rep, methods, 'spearman'),
        yInclude: [-1, 1],
      }),
    });
  };
  add('answers', rep.answers, rep.methods, 'Answers');
  add('questionnaire', rep.questionnaire, questionnaireMethods, 'Questionnaire');
  return out;
}

/** Write report.json, report.md and the charts into `dir`; returns the paths written. */
export function writeReport(dir: string, rep: EvalReport, questionnaireMethods: readonly string[]): string[] {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  const put = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    paths.push(p);
  };
  put('report.json', `${JSON.stringify(rep, null, 2)}\n`);
  put('report.md', renderMarkdown(rep, questionnaireMethods));
  for (const c of renderCharts(rep, questionnaireMethods)) put(c.name, c.svg);
  return paths;
}
