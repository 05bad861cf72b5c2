/**
 * Fit the default value system, graphs/schwartz-10.json, on human PVQ-21 profiles.
 *
 *   npx tsx scripts/fit-schwartz.ts <human-pvq21-centered.json> [--out graphs/schwartz-10.json] [--date YYYY-MM-DD]
 *
 * Input: Value Portrait's human profiles (holi-lab/ValuePortrait data/prolific/value/main/value.json,
 * MIT): { "<participant>": { "pvq": { "Self_Direction": <centered score>, … } } }. The data file is
 * read, never copied; only derived numbers are written.
 *
 * Method:
 *  1. X = the N × 10 matrix of MRAT-centered value scores; S its sample covariance.
 *  2. The two principal axes (src/values/axes.ts): the top two eigenvectors E (eigenvalues Λ) of S.
 *  3. Whitened component scores Z0 = (X − x̄) E Λ^(−1/2) (mean 0, sd 1, uncorrelated), then an
 *     orthogonal Procrustes rotation R of the loadings E Λ^(1/2) towards the theory target: openness to
 *     change (SD, ST; hedonism ½) = +1 and conservation (SE, CO, TR) = −1 on axis 1; self-transcendence
 *     (BE, UN) = +1 and self-enhancement (AC, PO; hedonism ½) = −1 on axis 2. Latent scores Z = Z0 R
 *     (still standardised and uncorrelated: rotation keeps the identity covariance).
 *  4. The engine's `fitGraph` regresses each value on the two latent scores by least squares:
 *     intercept, loadings, residual sd and R² per value.
 *  5. The concept layer (54 Touché23 level-1 values) is a documented prior, not fitted (scripts/lib/build.ts).
 */
import { join, resolve } from 'node:path';
import type { GraphFile, GraphNode } from '../schemas/graph.js';
import { fitGraph } from '../src/scm/index.js';
import { impliedCorrelation } from '../src/values/moments.js';
import { theoryAxes } from '../src/values/axes.js';
import { correlationMatrix, pearson, upperTriangle } from '../src/values/stats.js';
import {
  bundledSystem,
  valueSystemMeta,
  CONCEPT_LOADING,
  REPO_ROOT,
  conceptNodes,
  latentNode,
  round,
  today,
  valueNode,
  writeJson,
} from './lib/build.js';
import { readHumanProfiles } from './lib/data.js';
import { toucheConceptSpecs } from './lib/touche.js';

const LATENTS = ['openness_conservation', 'transcendence_enhancement'] as const;
// The value metadata (labels, codes, aliases, groups) comes from the current graph file; the fit
// recomputes the numbers only.
const SCHWARTZ_10 = bundledSystem('schwartz-10');
const VALUES = SCHWARTZ_10.values.map((v) => v.id);

/** Theory target for the rotation (rows in VALUES order). */
const THEORY_TARGET: Record<string, [number, number]> = {
  self_direction: [1, 0],
  stimulation: [1, 0],
  hedonism: [0.5, -0.5],
  achievement: [0, -1],
  power: [0, -1],
  security: [-1, 0],
  conformity: [-1, 0],
  tradition: [-1, 0],
  benevolence: [0, 1],
  universalism: [0, 1],
};

function parseArgs(argv: string[]) {
  const args = { data: '', out: join(REPO_ROOT, 'graphs', 'schwartz-10.json'), date: today() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--out') args.out = resolve(argv[++i]!);
    else if (a === '--date') args.date = argv[++i]!;
    else if (!args.data) args.data = resolve(a);
    else throw new Error(`unexpected argument ${a}`);
  }
  if (!args.data) {
    console.error(
      'usage: npx tsx scripts/fit-schwartz.ts <human-pvq21-centered.json> [--out file] [--date YYYY-MM-DD]',
    );
    process.exit(2);
  }
  return args;
}

function skeleton(): GraphFile {
  const latentNodes: GraphNode[] = [
    latentNode(
      'openness_conservation',
      'Openness to change ↔ Conservation',
      'Higher-order dimension: positive = openness to change (self-direction, stimulation, hedonism), negative = conservation (security, conformity, tradition). Standardised principal-axis score.',
    ),
    latentNode(
      'transcendence_enhancement',
      'Self-transcendence ↔ Self-enhancement',
      'Higher-order dimension: positive = self-transcendence (benevolence, universalism), negative = self-enhancement (achievement, power). Standardised principal-axis score.',
    ),
  ];
  const valueNodes: GraphNode[] = SCHWARTZ_10.values.map((v) =>
    valueNode(v, {
      intercept: 0,
      coefficients: { openness_conservation: 0, transcendence_enhancement: 0 },
      noiseSd: 1,
    }),
  );
  return {
    id: 'schwartz-10',
    version: '1.0.0',
    nodes: [...latentNodes, ...valueNodes],
    edges: VALUES.flatMap((v) => LATENTS.map((l): [string, string] => [l, v])),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const X = readHumanProfiles(args.data);
  const n = X.length;
  const axes = theoryAxes(
    X,
    VALUES.map((v) => THEORY_TARGET[v]!),
  );
  const Z = axes.scores;
  const R = axes.rotation;
  // Standardise (they already are, up to rounding): mean 0, sd 1.
  for (let k = 0; k < 2; k++) {
    const m = Z.reduce((s, r) => s + r[k]!, 0) / n;
    const sd = Math.sqrt(Z.reduce((s, r) => s + (r[k]! - m) ** 2, 0) / (n - 1));
    for (const r of Z) r[k] = (r[k]! - m) / sd;
  }
  const zCorr = correlationMatrix(Z)[0]![1]!;

  const table = X.map((row, r) => {
    const rec: Record<string, number> = {
      openness_conservation: Z[r]![0]!,
      transcendence_enhancement: Z[r]![1]!,
    };
    VALUES.forEach((v, j) => (rec[v] = row[j]!));
    return rec;
  });
  const fitted = fitGraph(skeleton(), table, { nodes: VALUES });
  const r2: Record<string, number> = {};
  const nodes = fitted.graph.nodes.map((node): GraphNode => {
    if (node.mechanism.type !== 'linear') return node;
    const f = fitted.fits.find((x) => x.node === node.id)!;
    r2[node.id] = round(f.r2!, 4);
    return {
      ...node,
      mechanism: {
        type: 'linear',
        intercept: round(f.intercept!),
        coefficients: Object.fromEntries(Object.entries(f.coefficients!).map(([k, b]) => [k, round(b)])),
        noiseSd: round(f.sd),
      },
    };
  });
  const valueLayer: GraphFile = { ...fitted.graph, nodes };

  // Fit statistics of the value layer (from the rounded numbers written to the file).
  const implied = impliedCorrelation(valueLayer, VALUES);
  const human = correlationMatrix(X);
  const a = upperTriangle(implied);
  const b = upperTriangle(human);
  const matrixCorrelation = pearson(a, b);
  const rmse = Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0) / a.length);
  const angles: Record<string, number> = {};
  for (const node of nodes) {
    if (node.mechanism.type !== 'linear') continue;
    const c = node.mechanism.coefficients;
    angles[node.id] = round(
      (Math.atan2(c.transcendence_enhancement!, c.openness_conservation!) * 180) / Math.PI,
      1,
    );
  }

  // Concept layer: the prior.
  const concepts = conceptNodes(valueLayer, toucheConceptSpecs('weights10'));

  const graph: GraphFile = {
    id: 'schwartz-10',
    version: '1.0.0',
    title: 'Schwartz basic values (10), fitted on human PVQ-21 profiles',
    description:
      'Two latent higher-order dimensions (openness to change ↔ conservation, self-transcendence ↔ self-enhancement) → the 10 basic values (MRAT-centered PVQ scores; fitted) → 54 behaviour concepts, the level-1 values of the Touché23-ValueEval taxonomy (prior, not fitted). The default value system.',
    scale: 'centered',
    provenance: {
      source:
        'Value layer: Value Portrait human data (Han et al., "Value Portrait", ACL 2025; github.com/holi-lab/ValuePortrait, data/prolific/value/main/value.json: Prolific participants, PVQ-21, MRAT-centered). Concept layer: Touché23-ValueEval level-1 value names and categories (Kiesel et al., ACL 2022; Mirzakhmedova et al., LREC-COLING 2024); descriptions and phrases written for pluralign.',
      licence:
        'Value Portrait data: MIT (only derived figures are stored here). Touché23-ValueEval taxonomy: CC BY 4.0.',
      method:
        "scripts/fit-schwartz.ts. Value layer: the two principal axes (top eigenvectors of the covariance of the N × 10 centered profiles); whitened component scores rotated (orthogonal Procrustes, reflection allowed) so the loadings best match the theory target (axis 1: SD, ST = +1, HE = +0.5, SE, CO, TR = −1; axis 2: BE, UN = +1, AC, PO = −1, HE = −0.5), giving standardised, uncorrelated latent scores (mean 0, sd 1); then each value regressed on the two latent scores by least squares with the engine's fitGraph (intercept, loadings, residual sd as noiseSd). Latents: root N(0, 1) by construction. Concept layer: a prior (see conceptPrior).",
      n,
      date: args.date,
      notes:
        "Centered scores: a value's mean rating minus the person's mean rating over all 21 items (PVQ 1–6 points). The data is ipsative (Σ_v k_v x_v = 0 for every person, k_v = 2 items per value, 3 for universalism), so one eigenvalue is 0 and the implied correlations (independent value noise) are less negative on average than the human ones (−1/(k−1) forced by centering). Loadings from principal components are somewhat larger than common-factor loadings: the implied correlations follow the human pattern closely (matrix correlation) but are about 1.3× stronger. Security sits between benevolence and tradition rather than between conformity and power (a known displacement with the 2-item ESS/PVQ-21 scales). The concept layer is a theory prior, NOT fitted: see conceptPrior.",
      fit: {
        valueOrder: VALUES,
        eigenvalues: axes.eigenvalues.map((x) => round(x, 4)),
        varianceExplained: round(axes.varianceExplained, 4),
        rotation: R.map((row) => row.map((x) => round(x))),
        latentScoreCorrelation: round(zCorr, 6),
        r2,
        loadingAnglesDeg: angles,
        angleConvention: 'atan2(transcendence_enhancement loading, openness_conservation loading), degrees',
        impliedVsHumanCorrelation: {
          matrixCorrelation: round(matrixCorrelation, 4),
          rmse: round(rmse, 4),
          pairs: a.length,
        },
      },
      conceptPrior: {
        fitted: false,
        loading: CONCEPT_LOADING,
        noiseSd: round(Math.sqrt(1 - CONCEPT_LOADING ** 2)),
        scale:
          'standardised concept activation: model-implied mean 0, sd 1 in the human population the value layer describes',
        mechanism:
          'concept = λ · (Σ_v w_v (x_v − μ_v)/σ_v) / s + u, u ~ N(0, 1 − λ²); μ_v, σ_v the model-implied mean and sd of value v, s the implied sd of the weighted composite; coefficients λ w_v /(σ_v s), intercept −Σ coefficient_v μ_v',
        weights:
          "w from the taxonomy: weight 1 on the 10-value parent of the concept's Touché category in the PVQ-RR 10-value key (self-direction thought/action → self_direction, power dominance/resources → power, security personal/societal → security, conformity rules/interpersonal → conformity, humility → tradition, benevolence caring/dependability → benevolence, universalism concern/nature/tolerance → universalism). Categories outside that key sit between their two neighbours on the value continuum and split equally: face → power ½, security ½; universalism: objectivity → universalism ½, self_direction ½.",
      },
    },
    valueSystem: valueSystemMeta(SCHWARTZ_10),
    nodes: [...valueLayer.nodes, ...concepts.nodes],
    edges: [...valueLayer.edges, ...concepts.edges],
  };
  await writeJson(args.out, graph);

  console.log(`schwartz-10: N = ${n}; eigenvalues ${axes.eigenvalues.map((x) => x.toFixed(3)).join(' ')}`);
  console.log(`two axes explain ${(100 * axes.varianceExplained).toFixed(1)}% of the variance`);
  for (const v of VALUES)
    console.log(`  ${v.padEnd(15)} R² ${r2[v]!.toFixed(3)}  angle ${angles[v]!.toFixed(1)}°`);
  console.log(
    `implied vs human correlations: matrix r = ${matrixCorrelation.toFixed(4)}, RMSE = ${rmse.toFixed(4)}`,
  );
  console.log(`wrote ${args.out} (${graph.nodes.length} nodes, ${graph.edges.length} edges)`);
}

await main();
