/**
 * Build graphs/valuepilot-6.json: the six value dimensions of ValuePilot's decision study (curiosity,
 * energy, safety, happiness, intimacy, fairness) as an SCM on pluralign's graph format.
 *
 *   npx tsx scripts/build-valuepilot-graph.ts [--date YYYY-MM-DD]
 *
 * A THEORY PRIOR: nothing is fitted. Two latent dimensions borrowed from Schwartz's circle (openness ↔
 * conservation, self-transcendence ↔ self-enhancement) carry the six values; each value's behaviour
 * concepts are Touché23 level-1 values (the learned detector's labels), so the embedded detector reads
 * the graph without a mapping. docs/decisions.md relates each dimension to Schwartz's values.
 */
import { join } from 'node:path';
import type { GraphFile, GraphNode } from '../schemas/graph.js';
import type { ValueDef } from '../src/values/systems.js';
import {
  CONCEPT_LOADING,
  REPO_ROOT,
  conceptNodes,
  latentNode,
  round,
  today,
  valueNode,
  writeJson,
} from './lib/build.js';
import { TOUCHE_CONCEPTS } from './lib/touche.js';

const date = process.argv.includes('--date') ? process.argv[process.argv.indexOf('--date') + 1]! : today();

/** The six dimensions, their descriptions (written for pluralign) and their closest Schwartz values. */
const VALUES: Array<ValueDef & { loadings: Record<string, number>; concepts: string[] }> = [
  {
    id: 'curiosity',
    label: 'Curiosity',
    code: 'CU',
    description: 'Wanting to learn, explore and try what is new; interest in ideas and the unknown.',
    group: 'Openness',
    aliases: ['curious', 'exploration'],
    loadings: { openness_conservation: 0.6 },
    concepts: [
      'Be curious',
      'Be creative',
      'Have freedom of thought',
      'Be intellectual',
      'Have a varied life',
    ],
  },
  {
    id: 'energy',
    label: 'Energy',
    code: 'EN',
    description: 'Being active and vigorous: effort, movement, challenge and an intense, lively pace.',
    group: 'Openness',
    aliases: ['vitality', 'activity'],
    loadings: { openness_conservation: 0.5, transcendence_enhancement: -0.1 },
    concepts: ['Have an exciting life', 'Be daring', 'Be ambitious', 'Be courageous'],
  },
  {
    id: 'safety',
    label: 'Safety',
    code: 'SA',
    description: 'Avoiding danger and loss: health, security, stability and predictable outcomes.',
    group: 'Conservation',
    aliases: ['security', 'safe'],
    loadings: { openness_conservation: -0.6 },
    concepts: [
      'Have good health',
      'Have a safe country',
      'Have a stable society',
      'Have no debts',
      'Be compliant',
    ],
  },
  {
    id: 'happiness',
    label: 'Happiness',
    code: 'HA',
    description: 'Enjoyment and pleasure for oneself: comfort, fun and feeling good.',
    group: 'Self-enhancement',
    aliases: ['pleasure', 'enjoyment'],
    loadings: { openness_conservation: 0.3, transcendence_enhancement: -0.25 },
    concepts: [
      'Have pleasure',
      'Have a comfortable life',
      'Have life accepted as is',
      'Have a world of beauty',
    ],
  },
  {
    id: 'intimacy',
    label: 'Intimacy',
    code: 'IN',
    description: 'Closeness to the people one loves: affection, belonging, care and loyalty to them.',
    group: 'Self-transcendence',
    aliases: ['closeness', 'affection'],
    loadings: { transcendence_enhancement: 0.5 },
    concepts: [
      'Be loving',
      'Have a sense of belonging',
      'Have loyalty towards friends',
      'Have the own family secured',
      'Be helpful',
      'Be forgiving',
    ],
  },
  {
    id: 'fairness',
    label: 'Fairness',
    code: 'FA',
    description:
      'Treating people justly and equally: honesty, sharing and respecting what is owed to others.',
    group: 'Self-transcendence',
    aliases: ['justice', 'fair'],
    loadings: { transcendence_enhancement: 0.6 },
    concepts: ['Be just', 'Have equality', 'Be honest', 'Be responsible', 'Have the wisdom to accept others'],
  },
];

const NOISE = 0.7;

/**
 * Everyday wording of the six dimensions added to the concepts' Touché phrases (written for pluralign):
 * decisions are about ordinary actions ("go for a run", "split the bill"), which argument-style phrases
 * miss. The phrase detector reads them; the learned detector keeps its own lexicon.
 */
const EXTRA_PHRASES: Record<string, string[]> = {
  'Be curious': [
    'explore',
    'discover',
    'learn',
    'find out',
    'investigate',
    'try something new',
    'try a new',
    'look into',
    'experiment',
    'unfamiliar',
    'ask questions',
  ],
  'Have a varied life': [
    'something different',
    'new place',
    'new dish',
    'new route',
    'for a change',
    'variety',
  ],
  'Have an exciting life': ['adventure', 'thrill', 'exciting', 'energetic', 'lively', 'dance', 'party'],
  'Be daring': ['climb', 'jump', 'extreme', 'dare', 'bold'],
  'Be ambitious': [
    'exercise',
    'work out',
    'workout',
    'training',
    'go for a run',
    'jog',
    'sport',
    'marathon',
    'push yourself',
    'hike',
    'cycle',
    'swim',
    'active',
    'effort',
  ],
  'Have good health': [
    'safe',
    'safely',
    'careful',
    'carefully',
    'helmet',
    'seatbelt',
    'doctor',
    'healthy',
    'first aid',
    'caution',
  ],
  'Have no debts': ['save money', 'saving', 'budget', 'cheaper'],
  'Be compliant': ['follow the rules', 'follow the instructions', 'as instructed'],
  'Have pleasure': [
    'enjoy',
    'fun',
    'treat yourself',
    'delicious',
    'relax',
    'favourite',
    'favorite',
    'happy',
    'laugh',
    'tasty',
  ],
  'Have a comfortable life': ['cozy', 'cosy', 'comfortable', 'comfort', 'rest', 'nap'],
  'Be loving': [
    'hug',
    'your partner',
    'your family',
    'spend time with',
    'call your',
    'visit your',
    'cuddle',
    'date night',
    'loved ones',
  ],
  'Have a sense of belonging': ['friends', 'join them', 'together', 'invite', 'with everyone', 'as a group'],
  'Be helpful': ['help', 'offer to', 'support', 'take care of'],
  'Be just': [
    'fair',
    'fairly',
    'share',
    'split',
    'take turns',
    'pay back',
    'return it',
    'ask first',
    'ask permission',
    'ask before',
  ],
  'Have equality': ['equally', 'evenly', 'equal share', 'everyone gets', 'same amount'],
  'Be honest': ['tell the truth', 'admit', 'confess', 'honest', 'apologize', 'apologise', 'own up'],
};

function build(): GraphFile {
  const latents: GraphNode[] = [
    latentNode(
      'openness_conservation',
      'Openness ↔ Safety',
      'Higher-order dimension (Schwartz: openness to change ↔ conservation): positive = curiosity and energy weigh more, negative = safety weighs more. Standardised.',
    ),
    latentNode(
      'transcendence_enhancement',
      'Others ↔ Self',
      'Higher-order dimension (Schwartz: self-transcendence ↔ self-enhancement): positive = intimacy and fairness weigh more, negative = one’s own happiness and energy weigh more. Standardised.',
    ),
  ];
  const valueNodes = VALUES.map((v) =>
    valueNode(v, { intercept: 0, coefficients: v.loadings, noiseSd: NOISE }),
  );
  const valueLayer: GraphFile = {
    id: 'valuepilot-6',
    version: '1.0.0',
    nodes: [...latents, ...valueNodes],
    edges: VALUES.flatMap((v) => Object.keys(v.loadings).map((h): [string, string] => [h, v.id])),
  };
  const byLabel = new Map(TOUCHE_CONCEPTS.map((c) => [c.label, c]));
  const concepts = conceptNodes(
    valueLayer,
    VALUES.flatMap((v) =>
      v.concepts.map((label) => {
        const c = byLabel.get(label);
        if (!c) throw new Error(`no Touché concept "${label}"`);
        return {
          id: c.id,
          label: c.label,
          description: c.description,
          group: v.label,
          // Everyday wording first, then the Touché phrases, at most 20 (the graph format's convention).
          phrases: [...new Set([...(EXTRA_PHRASES[label] ?? []), ...c.phrases])].slice(0, 20),
          weights: { [v.id]: 1 },
        };
      }),
    ),
  );
  return {
    id: 'valuepilot-6',
    version: '1.0.0',
    title: 'ValuePilot (6): theory prior',
    description:
      'The six value dimensions of ValuePilot’s decision study (curiosity, energy, safety, happiness, intimacy, fairness) under two latent dimensions borrowed from Schwartz’s circle → 29 Touché23 behaviour concepts. A PRIOR: nothing here is fitted.',
    scale: 'centered',
    provenance: {
      source:
        'Dimensions: Luo et al., ValuePilot: A Two-Phase Framework for Value-Driven Decision-Making (NeurIPS 2025 workshop; arXiv 2503.04569 / 2512.13716). Higher-order dimensions: Schwartz (1992, 2012). Concepts: Touché23-ValueEval level-1 values (Kiesel et al. 2022). Descriptions and loadings written for pluralign.',
      licence: 'No third-party data.',
      method:
        'scripts/build-valuepilot-graph.ts. THEORY PRIOR, NOT FITTED. Values on the centered scale (likert5 1…5 ↔ −2.5…+2.5); intercepts 0. Loadings: curiosity +0.6, energy +0.5, happiness +0.3 and safety −0.6 on openness ↔ safety; intimacy +0.5, fairness +0.6, happiness −0.25 and energy −0.1 on others ↔ self; noiseSd 0.7. Round illustrative numbers following the Schwartz circle (curiosity ≈ self-direction/stimulation, energy ≈ stimulation/achievement, safety ≈ security, happiness ≈ hedonism, intimacy ≈ benevolence, fairness ≈ universalism), not estimates. Concepts: see conceptPrior.',
      date,
      notes:
        'See docs/decisions.md for the relation of each dimension to Schwartz’s values. Replace these priors with fitted numbers when profiles scored on the six dimensions are available (scripts/fit-schwartz.ts shows the method).',
      conceptPrior: {
        fitted: false,
        loading: CONCEPT_LOADING,
        noiseSd: round(Math.sqrt(1 - CONCEPT_LOADING ** 2)),
        scale: 'standardised concept activation (model-implied mean 0, sd 1)',
        weights: 'each concept: weight 1 on its dimension',
      },
    },
    valueSystem: {
      label: 'ValuePilot (6)',
      higherOrder: [
        { id: 'openness', label: 'Openness', members: ['curiosity', 'energy'] },
        { id: 'conservation', label: 'Conservation', members: ['safety'] },
        { id: 'self_transcendence', label: 'Self-transcendence', members: ['intimacy', 'fairness'] },
        { id: 'self_enhancement', label: 'Self-enhancement', members: ['happiness'] },
      ],
      bipolar: [
        {
          id: 'openness_conservation',
          label: 'Openness ↔ Safety',
          positive: 'openness',
          negative: 'conservation',
        },
        {
          id: 'transcendence_enhancement',
          label: 'Others ↔ Self',
          positive: 'self_transcendence',
          negative: 'self_enhancement',
        },
      ],
    },
    nodes: [...valueLayer.nodes, ...concepts.nodes],
    edges: [...valueLayer.edges, ...concepts.edges],
  };
}

const graph = build();
await writeJson(join(REPO_ROOT, 'graphs', 'valuepilot-6.json'), graph);
console.log(`wrote graphs/valuepilot-6.json (${graph.nodes.length} nodes)`);
