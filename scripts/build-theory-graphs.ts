/**
 * Build the theory-prior value systems: graphs/schwartz-19.json and graphs/mft-6.json.
 *
 *   npx tsx scripts/build-theory-graphs.ts [--date YYYY-MM-DD]
 *
 * No data is fitted here. schwartz-19 borrows location and spread from the fitted graphs/schwartz-10.json
 * (run scripts/fit-schwartz.ts first); its structure (angles) is the refined theory's circle. mft-6 is
 * a pure prior. Both say so in their provenance.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphFile, GraphNode } from '../schemas/graph.js';
import { procrustes2 } from '../src/values/stats.js';
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
import { MFT_CONCEPTS } from './lib/mft.js';
import { toucheConceptSpecs } from './lib/touche.js';

// The value metadata (labels, codes, aliases, higher-order groups) comes from the current graph files;
// a rebuild recomputes the numbers only.
const SCHWARTZ_19 = bundledSystem('schwartz-19');
const MFT_6 = bundledSystem('mft-6');

const date = process.argv.includes('--date') ? process.argv[process.argv.indexOf('--date') + 1]! : today();

/** The 10-value parent(s) each refined value borrows intercept, loading length and noise sd from. */
const PARENT_10: Record<string, string[]> = {
  self_direction_thought: ['self_direction'],
  self_direction_action: ['self_direction'],
  stimulation: ['stimulation'],
  hedonism: ['hedonism'],
  achievement: ['achievement'],
  power_dominance: ['power'],
  power_resources: ['power'],
  face: ['power', 'security'],
  security_personal: ['security'],
  security_societal: ['security'],
  tradition: ['tradition'],
  conformity_rules: ['conformity'],
  conformity_interpersonal: ['conformity'],
  humility: ['tradition'],
  benevolence_dependability: ['benevolence'],
  benevolence_caring: ['benevolence'],
  universalism_concern: ['universalism'],
  universalism_nature: ['universalism'],
  universalism_tolerance: ['universalism'],
};

/** Theory target for orienting the circle (same convention as schwartz-10). */
function target19(id: string): [number, number] {
  const g = SCHWARTZ_19.higherOrder.find((h) => h.members.includes(id))?.id;
  if (g === 'openness_to_change') return id === 'hedonism' ? [0.5, -0.5] : [1, 0];
  if (id === 'hedonism') return [0.5, -0.5];
  if (g === 'self_enhancement') return [0, -1];
  if (g === 'conservation') return [-1, 0];
  if (g === 'self_transcendence') return [0, 1];
  if (id === 'face') return [-0.5, -0.5];
  if (id === 'humility') return [-0.5, 0.5];
  throw new Error(`no target for ${id}`);
}

const LATENT_NODES: GraphNode[] = [
  latentNode(
    'openness_conservation',
    'Openness to change ↔ Conservation',
    'Higher-order dimension: positive = openness to change, negative = conservation. Standardised.',
  ),
  latentNode(
    'transcendence_enhancement',
    'Self-transcendence ↔ Self-enhancement',
    'Higher-order dimension: positive = self-transcendence, negative = self-enhancement. Standardised.',
  ),
];

function buildSchwartz19(s10: GraphFile): GraphFile {
  const mech10 = new Map(s10.nodes.map((n) => [n.id, n.mechanism]));
  const borrowed = (ids: string[]) => {
    const stats = ids.map((id) => {
      const m = mech10.get(id);
      if (!m || m.type !== 'linear') throw new Error(`schwartz-10 has no linear value "${id}"`);
      const c = Object.values(m.coefficients);
      return { intercept: m.intercept, length: Math.hypot(...c), noiseSd: m.noiseSd };
    });
    const avg = (f: (s: (typeof stats)[number]) => number) =>
      stats.reduce((s, x) => s + f(x), 0) / stats.length;
    return {
      intercept: avg((s) => s.intercept),
      length: avg((s) => s.length),
      noiseSd: avg((s) => s.noiseSd),
    };
  };
  const k = SCHWARTZ_19.values.length;
  const step = 360 / k;
  // Equal spacing in circle order, clockwise (the direction of the theory order in these axes).
  const unit = SCHWARTZ_19.values.map((_, i) => {
    const a = (-i * step * Math.PI) / 180;
    return [Math.cos(a), Math.sin(a)];
  });
  const R = procrustes2(
    unit,
    SCHWARTZ_19.values.map((v) => target19(v.id)),
  );
  if (R[0]![0]! * R[1]![1]! - R[0]![1]! * R[1]![0]! < 0)
    throw new Error('the circle orientation needs a reflection');
  const angles: Record<string, number> = {};
  const valueNodes: GraphNode[] = SCHWARTZ_19.values.map((v, i) => {
    const [x, y] = [
      unit[i]![0]! * R[0]![0]! + unit[i]![1]! * R[1]![0]!,
      unit[i]![0]! * R[0]![1]! + unit[i]![1]! * R[1]![1]!,
    ];
    angles[v.id] = round((Math.atan2(y, x) * 180) / Math.PI, 1);
    const b = borrowed(PARENT_10[v.id]!);
    return valueNode(v, {
      intercept: round(b.intercept),
      coefficients: {
        openness_conservation: round(b.length * x),
        transcendence_enhancement: round(b.length * y),
      },
      noiseSd: round(b.noiseSd),
    });
  });
  const valueLayer: GraphFile = {
    id: 'schwartz-19',
    version: '1.0.0',
    nodes: [...LATENT_NODES, ...valueNodes],
    edges: valueNodes.flatMap((v) => LATENT_NODES.map((l): [string, string] => [l.id, v.id])),
  };
  const concepts = conceptNodes(valueLayer, toucheConceptSpecs('weights19'));
  return {
    id: 'schwartz-19',
    version: '1.0.0',
    title: 'Schwartz refined values (19): theory prior',
    description:
      'Refined theory of basic values (Schwartz et al. 2012): two latent higher-order dimensions → 19 values placed on the theory circle → the 54 Touché23-ValueEval level-1 values as behaviour concepts. A PRIOR: no 19-value data was fitted.',
    scale: 'centered',
    provenance: {
      source:
        'Structure: Schwartz et al. (2012), "Refining the theory of basic individual values", JPSP 103(4):663–688 (circle order of the 19 values; humility and face as boundary values). Location and spread borrowed from graphs/schwartz-10.json (fitted on Value Portrait human PVQ-21 data, MIT). Concepts: Touché23-ValueEval taxonomy (Kiesel et al., ACL 2022; CC BY 4.0); descriptions and phrases written for pluralign.',
      licence: 'Derived figures only. Touché23-ValueEval taxonomy: CC BY 4.0.',
      method:
        'scripts/build-theory-graphs.ts. THEORY PRIOR, NOT FITTED. Angles: the 19 values equally spaced (360/19 ≈ 18.95°) in circle order, rotated (orthogonal Procrustes, rotation only) so the higher-order groups point along the latent axes (openness +axis 1, conservation −axis 1, self-transcendence +axis 2, self-enhancement −axis 2; hedonism, face and humility halfway between their two groups). Each value: loading = (loading length of its 10-value parent in schwartz-10) × (cos θ, sin θ); intercept and noiseSd = those of its 10-value parent (face: mean of power and security; humility: tradition, as in the PVQ-RR 10-value key). Concepts: see conceptPrior.',
      date,
      notes:
        "Prior only: the implied correlations follow r ≈ ρ² cos Δθ / (ρ² + σ²), the sinusoid of the theory. The relative order of benevolence–dependability and benevolence–caring is uncertain (Touché lists caring first); we place dependability next to humility. Touché's 20th category, universalism: objectivity, has no value of its own: its two concepts split their weight between universalism–tolerance and self-direction–thought, its neighbours on the Touché continuum.",
      angleConvention: 'atan2(transcendence_enhancement, openness_conservation), degrees',
      anglesDeg: angles,
      conceptPrior: {
        fitted: false,
        loading: CONCEPT_LOADING,
        noiseSd: round(Math.sqrt(1 - CONCEPT_LOADING ** 2)),
        scale: 'standardised concept activation (model-implied mean 0, sd 1)',
        weights:
          "weight 1 on the concept's Touché category (= its refined value); universalism: objectivity → universalism_tolerance ½, self_direction_thought ½",
      },
    },
    valueSystem: valueSystemMeta(SCHWARTZ_19),
    nodes: [...valueLayer.nodes, ...concepts.nodes],
    edges: [...valueLayer.edges, ...concepts.edges],
  };
}

/** mft-6 loadings on the individualizing ↔ binding latent: signs from theory, magnitudes illustrative. */
const MFT_LOADINGS: Record<string, number> = {
  care: 0.5,
  fairness: 0.5,
  loyalty: -0.5,
  authority: -0.5,
  sanctity: -0.5,
  liberty: 0.2,
};
const MFT_NOISE = 0.6;

function buildMft6(): GraphFile {
  const latent: GraphNode = latentNode(
    'individualizing_binding',
    'Individualizing ↔ Binding',
    'Higher-order dimension of the moral foundations: positive = the individualizing foundations (care, fairness) weigh more, negative = the binding foundations (loyalty, authority, sanctity) weigh more. Standardised.',
  );
  const valueNodes: GraphNode[] = MFT_6.values.map((v) =>
    valueNode(v, {
      intercept: 0,
      coefficients: { individualizing_binding: MFT_LOADINGS[v.id]! },
      noiseSd: MFT_NOISE,
    }),
  );
  const valueLayer: GraphFile = {
    id: 'mft-6',
    version: '1.0.0',
    nodes: [latent, ...valueNodes],
    edges: valueNodes.map((v): [string, string] => [latent.id, v.id]),
  };
  const concepts = conceptNodes(
    valueLayer,
    MFT_CONCEPTS.map((c) => ({
      id: c.id,
      label: c.label,
      description: c.description,
      group: MFT_6.values.find((v) => v.id === c.foundation)!.label,
      phrases: c.phrases,
      weights: { [c.foundation]: 1 },
    })),
  );
  return {
    id: 'mft-6',
    version: '1.0.0',
    title: 'Moral foundations (6): theory prior',
    description:
      'Moral Foundations Theory: one latent dimension (individualizing ↔ binding) → six foundations (care, fairness, loyalty, authority, sanctity, liberty) → 18 behaviour concepts. A PRIOR: nothing here is fitted.',
    scale: 'centered',
    provenance: {
      source:
        'Foundations: Graham et al. (2011, 2013), Haidt (2012); liberty: Iyer et al. (2012). Individualizing vs binding: Graham, Haidt & Nosek (2009). Concepts, descriptions and phrases written for pluralign.',
      licence: 'No third-party data.',
      method:
        "scripts/build-theory-graphs.ts. THEORY PRIOR, NOT FITTED. Values on a person-centered scale (a foundation's mean rating minus the person's mean over all foundations, in rating points of a 6-point scale such as the MFQ's 0–5; intercepts 0: no population means assumed). Loadings on the latent: +0.5 care and fairness, −0.5 loyalty, authority and sanctity (the individualizing/binding split), +0.2 liberty (weakly individualizing: an assumption, liberty relates weakly to the split); noiseSd 0.6. Magnitudes are illustrative round numbers (the latent explains about 40% of a classical foundation's variance), not estimates. Concepts: see conceptPrior.",
      date,
      notes:
        'Cross-system link (not modelled here): in a mini meta-analysis of 5 samples (N = 32,492) self-transcendence ↔ self-enhancement aligned with the individualizing foundations and conservation ↔ openness with the binding ones (Social Psychological and Personality Science, doi 10.1177/1948550620933434). Replace these priors with fitted numbers when MFQ data is available (scripts/fit-schwartz.ts shows the method).',
      conceptPrior: {
        fitted: false,
        loading: CONCEPT_LOADING,
        noiseSd: round(Math.sqrt(1 - CONCEPT_LOADING ** 2)),
        scale: 'standardised concept activation (model-implied mean 0, sd 1)',
        weights: 'each concept: weight 1 on its foundation',
      },
    },
    valueSystem: valueSystemMeta(MFT_6),
    nodes: [...valueLayer.nodes, ...concepts.nodes],
    edges: [...valueLayer.edges, ...concepts.edges],
  };
}

const s10 = JSON.parse(readFileSync(join(REPO_ROOT, 'graphs', 'schwartz-10.json'), 'utf8')) as GraphFile;
const s19 = buildSchwartz19(s10);
await writeJson(join(REPO_ROOT, 'graphs', 'schwartz-19.json'), s19);
console.log(`wrote graphs/schwartz-19.json (${s19.nodes.length} nodes); angles:`, s19.provenance!.anglesDeg);
const mft = buildMft6();
await writeJson(join(REPO_ROOT, 'graphs', 'mft-6.json'), mft);
console.log(`wrote graphs/mft-6.json (${mft.nodes.length} nodes)`);
