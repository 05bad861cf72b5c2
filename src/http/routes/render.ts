/**
 * Pictures, rendered server-side as SVG: `GET /v1/graphs/{id}/diagram.svg` (the graph drawn with its
 * values on a circle in theory order) and `GET /v1/charts/radar.svg` (a radar chart of factual, target
 * and counterfactual profiles given in the query string). Also registers the playground page at `/`.
 * Errors are the usual JSON envelope.
 */
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../../schemas/api.js';
import {
  DiagramParams,
  DiagramQuery,
  DiagramSvgResponse,
  RadarQuery,
  RadarSvgResponse,
  type RadarQueryT,
} from '../../../schemas/render.js';
import { graphDiagram } from '../../render/diagram.js';
import { radarChart, type RadarValue } from '../../render/radar.js';
import { normalizeProfile, ProfileError, SCALES, type ValueSystem } from '../../values/index.js';
import { routeScope } from '../auth.js';
import { ApiError } from '../api-error.js';
import type { RouteDeps } from './deps.js';
import { playgroundRoutes } from './playground.js';

const SVG_TYPE = 'image/svg+xml; charset=utf-8';

type SeriesName = 'factual' | 'target' | 'counterfactual';

/** `a:1,b:2.5` → scores by canonical value id, validated against the system and the scale. */
function parseSeries(
  name: SeriesName,
  raw: string,
  system: ValueSystem,
  scale: RadarQueryT['scale'],
): Record<string, number> {
  const values: Record<string, number> = {};
  for (const pair of raw.split(',')) {
    const cut = pair.lastIndexOf(':');
    const value = pair.slice(0, cut).trim();
    if (Object.hasOwn(values, value)) {
      const message = `${name}: "${value}" is given twice; give each value once`;
      throw new ApiError('INVALID_PROFILE', message, [{ path: `query.${name}`, message }]);
    }
    values[value] = Number(pair.slice(cut + 1));
  }
  try {
    const profile = normalizeProfile({ format: scale, values }, system);
    return profile.values ?? {};
  } catch (err) {
    if (err instanceof ProfileError) {
      const details = err.issues.map((i) => ({
        path: `query.${name}`,
        message: i.message.replace(/^values\./, `${name}.`),
      }));
      const more = details.length > 1 ? ` (and ${details.length - 1} more problem(s), see details)` : '';
      throw new ApiError(err.code, `${details[0]!.message}${more}`, details);
    }
    throw err;
  }
}

function sendSvg(reply: FastifyReply, svg: string): FastifyReply {
  return reply.type(SVG_TYPE).header('cache-control', 'no-cache').send(svg);
}

/** Diagrams drawn lately, by graph version and options (a large graph takes seconds to draw). */
const DIAGRAM_CACHE_SIZE = 8;

export const renderRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, deps) => {
  const { store } = deps;
  const diagrams = new Map<string, string>();

  app.get(
    '/v1/graphs/:id/diagram.svg',
    {
      config: routeScope('read'),
      schema: {
        operationId: 'getGraphDiagram',
        summary: 'Draw a graph as SVG',
        description:
          'The graph as a picture: values on a circle in the theory’s order (clockwise from the top), latent higher-order dimensions inside, behaviour concepts outside next to their values. Edge width grows with |weight|; positive edges are solid blue, negative ones dashed orange (sign shown by colour and dash). Accessible (`<title>`, `<desc>`, a tooltip on every node and edge) and deterministic (same graph, same bytes): the `ETag` names the graph version and options, `If-None-Match` with it answers 304, and recent diagrams are cached.',
        tags: ['graphs'],
        params: DiagramParams,
        querystring: DiagramQuery,
        response: {
          200: DiagramSvgResponse,
          304: z.null().describe('Not modified: `If-None-Match` names this diagram (no body).'),
          ...errorResponses({
            400: ['VALIDATION_FAILED'],
            404: ['UNKNOWN_GRAPH'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN'],
          }),
        },
      },
    },
    async (request, reply) => {
      const entry = store.get(request.params.id, 'params.id');
      const concepts = request.query.concepts === 'true';
      // Same graph version, same bytes: an ETag per version and option, and a small cache.
      const key = `${entry.hash}-${concepts ? 'concepts' : 'values'}`;
      reply.header('etag', `"${key}"`);
      if (request.headers['if-none-match']?.split(',').some((t) => t.trim() === `"${key}"`))
        return reply.code(304).header('cache-control', 'no-cache').send(null);
      let svg = diagrams.get(key);
      if (svg === undefined) {
        const system = entry.system;
        svg = graphDiagram(entry.file, { order: system.values.map((v) => v.id), concepts });
        if (diagrams.size >= DIAGRAM_CACHE_SIZE) diagrams.delete(diagrams.keys().next().value!);
      } else diagrams.delete(key);
      diagrams.set(key, svg);
      return sendSvg(reply, svg);
    },
  );

  app.get(
    '/v1/charts/radar.svg',
    {
      config: routeScope('read'),
      schema: {
        operationId: 'getRadarChart',
        summary: 'Radar chart of value profiles as SVG',
        description:
          'A radar chart of up to three profiles of one value system — factual (dotted, circles), target (dashed, diamonds), counterfactual (solid, squares) — with one axis per value in the theory’s circle order. A series with a score on every axis is a closed polygon; a partial one joins only neighbouring axes. Give the scores as `value:score` pairs, e.g. the `factual`, `target` and `counterfactual` of the explanation of `POST /v1/align` (likert5). Accessible (`<title>`, a `<desc>` with every number) and deterministic.',
        tags: ['profiles'],
        querystring: RadarQuery,
        response: {
          200: RadarSvgResponse,
          ...errorResponses({
            400: ['VALIDATION_FAILED', 'INVALID_PROFILE', 'UNKNOWN_VALUE'],
            404: ['UNKNOWN_GRAPH'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN'],
          }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const entry = store.get(q.graph, 'query.graph');
      const system = entry.system;
      const parsed: Record<SeriesName, Record<string, number> | undefined> = {
        factual: q.factual === undefined ? undefined : parseSeries('factual', q.factual, system, q.scale),
        target: q.target === undefined ? undefined : parseSeries('target', q.target, system, q.scale),
        counterfactual:
          q.counterfactual === undefined
            ? undefined
            : parseSeries('counterfactual', q.counterfactual, system, q.scale),
      };
      const values: RadarValue[] = system.values.map((v) => ({
        id: v.id,
        label: v.label,
        factual: parsed.factual?.[v.id] ?? null,
        target: parsed.target?.[v.id] ?? null,
        counterfactual: parsed.counterfactual?.[v.id] ?? null,
      }));
      const scale = SCALES[q.scale];
      const svg = radarChart({
        values,
        scale: { min: scale.min, max: scale.max, label: scale.label },
        title: q.title ?? `Value profile on ${entry.id}`,
      });
      return sendSvg(reply, svg);
    },
  );

  await app.register(playgroundRoutes, deps);
};
