/**
 * The attribution model of a graph, built once per graph version (cached by content hash): the value
 * and concept nodes with their prior moments, the scale of the value nodes, and the measurement
 * program the posterior is computed on.
 *
 * The measurement program is the graph itself plus, for every value node v, `R = replicas` leaf nodes
 * `__absent<r>__<v> = v + e_r`, e_r ~ N(0, (τ·σ_v)²·R/r) for r = 1…R: the absence reading of a text
 * worth r replicated readings of sd τ·σ_v·√R (see evidence.ts). A text observes exactly one of them
 * (observing r independent replicas at one level is the same evidence as one reading with 1/r of the
 * variance, and one observed node instead of r keeps the engine's conditioning small). Readings are
 * leaves: unobserved they change nothing, so a posterior without absence evidence is the plain graph's.
 * The engine's partial-evidence abduction does all the inference on this program.
 */
import type { GraphFile } from '../../schemas/graph.js';
import type { GraphEntry } from '../graphs/registry.js';
import { compile, counterfactual, type Program } from '../scm/index.js';
import { SCALE_IDS, convertScore, type Scale } from '../values/index.js';
import { AttributionError } from './errors.js';
import { EVIDENCE_MAPPING } from './evidence.js';

const ABSENCE = EVIDENCE_MAPPING.absence;

export interface ModelValue {
  id: string;
  label: string;
  priorMean: number;
  priorSd: number;
  /** Ids of the absence-reading nodes for 1…R readings (empty when the value has no prior variance). */
  readings: string[];
}

export interface ModelConcept {
  id: string;
  label: string;
  description: string | undefined;
  group: string | undefined;
  /** Value parents with their coefficients, largest |coefficient| first. */
  parents: Array<{ value: string; weight: number }>;
  /** Intercept plus the prior-mean contribution of any non-value parents: x_c = base + Σ w·value. */
  base: number;
  priorMean: number;
  priorSd: number;
}

export interface AttributionModel {
  hash: string;
  id: string;
  version: string;
  /** Scale of the value nodes (graph `scale`; `centered` when it names none we know). */
  scale: Scale;
  values: ModelValue[];
  concepts: ModelConcept[];
  /** The absence level on the value scale. */
  absenceLevel: number;
  program: Program;
}

const cache = new Map<string, AttributionModel>();
const CACHE_LIMIT = 32;

function graphScale(file: GraphFile): Scale {
  return (SCALE_IDS as readonly string[]).includes(file.scale ?? '') ? (file.scale as Scale) : 'centered';
}

/** Build (or fetch from the cache) the attribution model of a graph. */
export function attributionModel(entry: GraphEntry): AttributionModel {
  const hit = cache.get(entry.hash);
  if (hit) return hit;
  const { file, program } = entry;
  if (!program.linear) {
    throw new AttributionError(
      'ATTRIBUTION_UNSUPPORTED_GRAPH',
      `graph "${entry.id}" has nonlinear (expression) mechanisms; attribution needs partial-evidence abduction, which needs linear mechanisms`,
      { graph: entry.id },
    );
  }
  const valueNodes = file.nodes.filter((n) => n.kind === 'value');
  const conceptNodes = file.nodes.filter((n) => n.kind === 'concept');
  if (valueNodes.length === 0 || conceptNodes.length === 0) {
    throw new AttributionError(
      'ATTRIBUTION_UNSUPPORTED_GRAPH',
      `graph "${entry.id}" needs value nodes and concept nodes for attribution (it has ${valueNodes.length} and ${conceptNodes.length})`,
      { graph: entry.id },
    );
  }
  const prior = counterfactual(program, { evidence: {}, interventions: [] });
  const mean = (id: string) => prior.factual[program.index.get(id)!]!;
  const sd = (id: string) => prior.factualSd![program.index.get(id)!]!;
  const valueIds = new Set(valueNodes.map((v) => v.id));
  const taken = new Set(file.nodes.map((n) => n.id));

  const augmented: GraphFile = { ...file, nodes: [...file.nodes], edges: [...file.edges] };
  const values: ModelValue[] = valueNodes.map((v) => {
    const priorSd = sd(v.id);
    const readings: string[] = [];
    if (priorSd > 1e-9) {
      for (let r = 1; r <= ABSENCE.replicas; r++) {
        let id = `__absent${r}__${v.id}`.slice(0, 64);
        while (taken.has(id)) id = `_${id}`.slice(0, 64);
        taken.add(id);
        readings.push(id);
        augmented.nodes.push({
          id,
          kind: 'concept',
          label: `absence reading of ${v.label} (${r} of ${ABSENCE.replicas})`,
          mechanism: {
            type: 'linear',
            intercept: 0,
            coefficients: { [v.id]: 1 },
            noiseSd: ABSENCE.readingSd * priorSd * Math.sqrt(ABSENCE.replicas / r),
          },
        });
        augmented.edges.push([v.id, id]);
      }
    }
    return { id: v.id, label: v.label, priorMean: mean(v.id), priorSd, readings };
  });

  const concepts: ModelConcept[] = conceptNodes.map((c) => {
    // Linear (the program is linear); any non-value parent enters at its prior mean.
    const m = c.mechanism.type === 'linear' ? c.mechanism : { intercept: 0, coefficients: {} };
    let base = m.intercept;
    const parents: ModelConcept['parents'] = [];
    for (const [p, weight] of Object.entries(m.coefficients)) {
      if (valueIds.has(p)) parents.push({ value: p, weight });
      else base += weight * mean(p);
    }
    parents.sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
    return {
      id: c.id,
      label: c.label,
      description: c.description,
      group: c.group,
      parents,
      base,
      priorMean: mean(c.id),
      priorSd: sd(c.id),
    };
  });

  const scale = graphScale(file);
  const model: AttributionModel = {
    hash: entry.hash,
    id: entry.id,
    version: entry.version,
    scale,
    values,
    concepts,
    absenceLevel: convertScore(ABSENCE.likert, 'likert5', scale).value,
    program: compile(augmented),
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(entry.hash, model);
  return model;
}
