/**
 * Derive the profile presets from the Value Portrait data into graphs/presets/.
 *
 *   npx tsx scripts/derive-presets.ts <valueportrait dir> [--date YYYY-MM-DD]
 *   npx tsx scripts/derive-presets.ts <human-pvq21-centered.json> <llm-default-profiles.json>
 *
 * Writes graphs/presets/human.json (human:mean, human:cluster-1…5, the rank curve used to turn
 * rankings into scores) and graphs/presets/llm.json (llm:<model> for every model). Only derived figures
 * are written; the data files are not copied.
 *
 * Clusters: k-means (k = 5; Lloyd's algorithm, k-means++ starts, seed 20250101, 50 restarts, lowest
 * within-cluster sum of squares kept) on the 569 centered 10-value profiles, Euclidean distance;
 * numbered by size, largest first; each described by its top and bottom values.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HUMAN_RANK_CURVE } from '../src/values/ranking.js';
import { columnMeans, kmeans } from '../src/values/stats.js';
import { bundledSystem, REPO_ROOT, round, today, writeJson } from './lib/build.js';
import { VALUES_10, readHumanProfiles, readLlmProfiles } from './lib/data.js';

const K = 5;
const SEED = 20250101;
const RESTARTS = 50;

const VALUE_PORTRAIT =
  'Value Portrait (Han, Choi, Song, Lee & Jo, ACL 2025, pp. 17119–17159, arXiv 2505.01015; github.com/holi-lab/ValuePortrait, MIT licence)';

function parseArgs(argv: string[]) {
  let date = today();
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--date') date = argv[++i]!;
    else paths.push(resolve(argv[i]!));
  }
  if (paths.length === 1 && statSync(paths[0]!).isDirectory()) {
    return {
      date,
      human: join(paths[0]!, 'human-pvq21-centered.json'),
      llm: join(paths[0]!, 'llm-default-profiles.json'),
    };
  }
  if (paths.length !== 2) {
    console.error(
      'usage: npx tsx scripts/derive-presets.ts <valueportrait dir> | <human.json> <llm.json> [--date YYYY-MM-DD]',
    );
    process.exit(2);
  }
  return { date, human: paths[0]!, llm: paths[1]! };
}

const SCHWARTZ_10 = bundledSystem('schwartz-10');
const label = (id: string) => SCHWARTZ_10.values.find((v) => v.id === id)!.label.toLowerCase();
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(2)}`;

function sortedIds(values: Record<string, number>): string[] {
  return [...VALUES_10].sort((a, b) => values[b]! - values[a]!);
}

function topBottom(values: Record<string, number>, top = 3, bottom = 2) {
  const ids = sortedIds(values);
  return { top: ids.slice(0, top), bottom: ids.slice(-bottom).reverse() };
}

function list(ids: string[], values: Record<string, number>): string {
  return ids.map((id) => `${label(id)} ${signed(values[id]!)}`).join(', ');
}

function toRecord(row: readonly number[], digits = 4): Record<string, number> {
  return Object.fromEntries(VALUES_10.map((v, j) => [v, round(row[j]!, digits)]));
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const X = readHumanProfiles(args.human);
  const n = X.length;
  const mean = toRecord(columnMeans(X));
  const rankCurve = columnMeans(X.map((r) => [...r].sort((a, b) => b - a))).map((x) => round(x, 4));
  const humanSource = `${VALUE_PORTRAIT}: ${n} Prolific participants' PVQ-21 profiles, MRAT-centered`;

  const mb = topBottom(mean);
  const presets = [
    {
      id: 'human:mean',
      label: 'Average person',
      description: `Mean centered profile of ${n} people (PVQ-21). Top values: ${list(mb.top, mean)}; bottom: ${list(mb.bottom, mean)}.`,
      system: 'schwartz-10',
      format: 'centered' as const,
      values: mean,
      source: humanSource,
    },
  ];

  const km = kmeans(X, K, { seed: SEED, restarts: RESTARTS });
  const order = km.sizes.map((s, c) => ({ s, c })).sort((a, b) => b.s - a.s || a.c - b.c);
  const clusters = order.map(({ s, c }, rank) => {
    const values = toRecord(km.centroids[c]!);
    const diff = Object.fromEntries(VALUES_10.map((v) => [v, values[v]! - mean[v]!]));
    const tb = topBottom(values);
    const dd = topBottom(diff, 2, 2);
    const id = `human:cluster-${rank + 1}`;
    // Named by how the centre differs from the mean (not by its own top values, which most people share).
    const name = `more ${label(dd.top[0]!)} & ${label(dd.top[1]!)}, less ${label(dd.bottom[0]!)} than the average person`;
    return {
      preset: {
        id,
        label: `Human cluster ${rank + 1}: ${name}`,
        description: `Cluster ${rank + 1} of ${K} (k-means) of ${n} people's PVQ-21 profiles: n = ${s} (${Math.round((100 * s) / n)}%). Top values: ${list(tb.top, values)}; bottom: ${list(tb.bottom, values)}. Compared with the average person: higher on ${list(dd.top, diff)}; lower on ${list(dd.bottom, diff)}.`,
        system: 'schwartz-10',
        format: 'centered' as const,
        values,
        source: `${humanSource}; k-means cluster centre (scripts/derive-presets.ts)`,
      },
      summary: { id, size: s, top: tb.top, bottom: tb.bottom, aboveAverage: dd.top, belowAverage: dd.bottom },
    };
  });
  presets.push(...clusters.map((c) => c.preset));

  await writeJson(join(REPO_ROOT, 'graphs', 'presets', 'human.json'), {
    provenance: {
      source: humanSource,
      licence: 'MIT (Value Portrait); derived figures only',
      method: `scripts/derive-presets.ts. human:mean = column means of the ${n} × 10 centered profiles. Clusters: k-means, k = ${K}, Lloyd's algorithm with k-means++ starts (seed ${SEED}, ${RESTARTS} restarts, lowest within-cluster sum of squares), Euclidean distance on the centered scores; numbered by size. rankCurve = mean centered score of each person's 1st … 10th most important value (used to turn rankings into scores, src/values/ranking.ts).`,
      n,
      date: args.date,
      kmeans: { k: K, seed: SEED, restarts: RESTARTS, inertia: round(km.inertia, 4) },
      clusters: clusters.map((c) => c.summary),
    },
    rankCurve,
    presets,
  });

  const llm = readLlmProfiles(args.llm);
  const llmPresets = llm.map((p) => {
    const values = Object.fromEntries(VALUES_10.map((v) => [v, round(p.centered[v]!, 4)]));
    const tb = topBottom(values);
    return {
      id: `llm:${p.model}`,
      label: `${p.model} (default profile)`,
      description: `Default value profile of ${p.model} as measured by Value Portrait. Top values: ${list(tb.top, values)}; bottom: ${list(tb.bottom, values)}.`,
      system: 'schwartz-10',
      format: 'centered' as const,
      values,
      source: `${VALUE_PORTRAIT}: centered_mean per value of the model's ratings of Value Portrait items`,
    };
  });
  await writeJson(join(REPO_ROOT, 'graphs', 'presets', 'llm.json'), {
    provenance: {
      source: VALUE_PORTRAIT,
      licence: 'MIT (Value Portrait); derived figures only',
      method:
        'scripts/derive-presets.ts: each model\'s centered_mean per value, as published (rounded to 4 decimals). Value Portrait asks the model how much each of its human-validated response items is "like me" (6-point scale, 6 = very much like me); a value\'s original_mean is the mean rating over the items that measure it, and centered_mean subtracts one constant per model (original_mean − centered_mean is the same for all 10 values of a model).',
      n: llm.length,
      date: args.date,
      notes:
        "These centered means are relative to a per-model constant (Value Portrait's centering of the model's ratings), not MRAT over PVQ items: they are in the same rating points as the human centered profiles but spread less (the models discriminate less between values). Per-value item counts differ (10–64 items).",
    },
    presets: llmPresets,
  });

  const curveMatches = rankCurve.every((x, i) => Math.abs(x - HUMAN_RANK_CURVE[i]!) < 5e-5);
  console.log(`human: N = ${n}; mean ${JSON.stringify(mean)}`);
  console.log(
    `rank curve ${JSON.stringify(rankCurve)}${curveMatches ? '' : '  <-- update HUMAN_RANK_CURVE in src/values/ranking.ts'}`,
  );
  for (const c of clusters) console.log(`${c.preset.label}\n   ${c.preset.description}`);
  console.log(`llm: ${llm.length} models; wrote graphs/presets/human.json and graphs/presets/llm.json`);
}

await main();
