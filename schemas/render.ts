/**
 * Schemas of the picture routes: `GET /v1/graphs/{id}/diagram.svg` (a drawing of a graph) and
 * `GET /v1/charts/radar.svg` (a radar chart of a value profile). Same conventions as schemas/api.ts;
 * the 200 answers are `image/svg+xml`, errors the usual JSON envelope.
 *
 * The SVG examples are real renderings (the routes give these exact bytes for the example requests:
 * test/render/routes.test.ts checks it).
 */
import { z } from 'zod';
import { graphDiagram } from '../src/render/diagram.js';
import { radarChart } from '../src/render/radar.js';
import { SCALES } from '../src/values/scales.js';
import { getValueSystem } from '../src/values/profile.js';
import { EXAMPLE_GRAPH } from './api.js';

/** Comma-separated `value:score` pairs, e.g. `benevolence:5,security:4`. */
export const PAIRS_PATTERN =
  '^[^:,]+:[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:,[^:,]+:[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))*$';

const PAIRS_MESSAGE =
  'expected comma-separated value:score pairs such as "benevolence:5,security:4" (value names as in GET /v1/graphs/{id}, scores on the chosen scale)';

const series = (what: string, example: string) =>
  z
    .string()
    .min(1)
    .max(4000)
    .regex(new RegExp(PAIRS_PATTERN), PAIRS_MESSAGE)
    .optional()
    .describe(
      `${what}: comma-separated \`value:score\` pairs (friendly value names accepted: \`Self-Direction\`, \`SD\`). Values left out have no point in this series.`,
    )
    .meta({ examples: [example] });

export const RadarQuery = z
  .strictObject({
    graph: z
      .string()
      .min(1)
      .max(64)
      .default('schwartz-10')
      .describe('The value system whose values are the axes, in its circle order (default `schwartz-10`).')
      .meta({ examples: ['schwartz-10'] }),
    factual: series('The factual profile (before steering)', 'benevolence:3.4,security:3.1,power:2.4'),
    target: series('The target profile (the values the caller set)', 'benevolence:5,security:4'),
    counterfactual: series('The counterfactual (steered) profile', 'benevolence:5,security:4,power:1.9'),
    scale: z
      .enum(['likert5', 'pvq6', 'centered'])
      .default('likert5')
      .describe(
        'The scale of the scores: `likert5` (1–5, default; the explanation of `POST /v1/align` uses it), `pvq6` (1–6) or `centered` (−5…5).',
      ),
    title: z
      .string()
      .min(1)
      .max(120)
      .optional()
      .describe('The chart title (default: "Value profile on <graph>").')
      .meta({ examples: ['Steered to benevolence and security'] }),
  })
  .superRefine((q, ctx) => {
    if (q.factual === undefined && q.target === undefined && q.counterfactual === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'give at least one of the series factual, target, counterfactual',
      });
    }
  });

export type RadarQueryT = z.output<typeof RadarQuery>;

export const DiagramQuery = z.strictObject({
  concepts: z
    .enum(['true', 'false'])
    .default('true')
    .describe(
      'Draw the behaviour concepts (default `true`); `false` draws the latent and value layers only.',
    ),
});

export const DiagramParams = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(64)
    .describe('A graph id, e.g. `schwartz-10`.')
    .meta({ examples: ['schwartz-10'] }),
});

/** The example radar chart: what `GET /v1/charts/radar.svg?graph=schwartz-10&…` (the example query) answers. */
export const EXAMPLE_RADAR_QUERY =
  'graph=schwartz-10&factual=benevolence:3.4,security:3.1,power:2.4&target=benevolence:5,security:4&counterfactual=benevolence:5,security:4,power:1.9';

export const EXAMPLE_RADAR_SVG = radarChart({
  values: getValueSystem('schwartz-10')!.values.map((v) => {
    const f: Record<string, number> = { benevolence: 3.4, security: 3.1, power: 2.4 };
    const t: Record<string, number> = { benevolence: 5, security: 4 };
    const cf: Record<string, number> = { benevolence: 5, security: 4, power: 1.9 };
    return {
      id: v.id,
      label: v.label,
      factual: f[v.id] ?? null,
      target: t[v.id] ?? null,
      counterfactual: cf[v.id] ?? null,
    };
  }),
  scale: { min: SCALES.likert5.min, max: SCALES.likert5.max, label: SCALES.likert5.label },
  title: 'Value profile on schwartz-10',
});

/** The example diagram: what `GET /v1/graphs/mini-values/diagram.svg` answers on the example graph. */
export const EXAMPLE_DIAGRAM_SVG = graphDiagram(EXAMPLE_GRAPH);

const svg = (description: string, example: { summary: string; value: string }) => ({
  description,
  content: {
    'image/svg+xml': {
      schema: z
        .string()
        .describe('An SVG document (UTF-8), with `<title>`, `<desc>` and `role="img"`.')
        .meta({ 'x-examples': { example } }),
    },
  },
});

export const RadarSvgResponse = svg(
  'The radar chart: factual vs target vs counterfactual, one axis per value in circle order.',
  { summary: 'The example query on schwartz-10', value: EXAMPLE_RADAR_SVG },
);

export const DiagramSvgResponse = svg(
  'The drawing of the graph: values on a circle, latent dimensions inside, concepts outside.',
  { summary: 'The example graph (mini-values)', value: EXAMPLE_DIAGRAM_SVG },
);
