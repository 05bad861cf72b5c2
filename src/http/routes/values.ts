import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  ConvertRequest,
  ConvertResponse,
  errorResponses,
  PresetList,
  PresetQuery,
} from '../../../schemas/api.js';
import { DEFAULT_GRAPH } from '../../graphs/registry.js';
import { convertProfile, listPresets, ProfileError } from '../../values/index.js';
import { routeScope } from '../auth.js';
import { ApiError } from '../api-error.js';
import type { RouteDeps } from './deps.js';

/** ProfileError paths are relative to the profile, except the request's own `to` and `system`. */
function bodyPath(path: string): string {
  if (path === 'to' || path === 'system' || path.startsWith('to.') || path.startsWith('system.')) return path;
  return path ? `profile.${path}` : 'profile';
}

export const valueRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, deps) => {
  app.get(
    '/v1/presets',
    {
      config: routeScope('read'),
      schema: {
        operationId: 'listPresets',
        summary: 'List the value-profile presets',
        description:
          'Ready-made centered profiles: the default value profile of backend LLMs and clusters of human profiles, each with its source.',
        tags: ['profiles'],
        querystring: PresetQuery,
        response: {
          200: PresetList.describe('The presets.'),
          ...errorResponses({
            400: ['VALIDATION_FAILED'],
            404: ['UNKNOWN_GRAPH'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN'],
          }),
        },
      },
    },
    async (request) => {
      const { system } = request.query;
      const all = listPresets();
      const systems = [...new Set(all.map((p) => p.system))];
      if (system !== undefined && !systems.includes(system)) {
        throw new ApiError(
          'UNKNOWN_GRAPH',
          `no presets for system "${system}"; systems with presets: ${systems.join(', ')}`,
          [{ path: 'query.system', message: `unknown system "${system}"` }],
        );
      }
      return { presets: all.filter((p) => system === undefined || p.system === system) };
    },
  );

  app.post(
    '/v1/profiles/convert',
    {
      config: routeScope('read'),
      schema: {
        operationId: 'convertProfile',
        summary: 'Convert a value profile between formats',
        description:
          'Between `likert5` (1–5), `pvq6` (1–6), `centered` (MRAT-centered scores) and `ranking` (most important first). Value names may be given in friendly forms ("Self-Direction", "self_direction"); the result uses canonical ids. `notes` says what the conversion assumed or clamped.',
        tags: ['profiles'],
        body: ConvertRequest,
        response: {
          200: ConvertResponse.describe('The converted profile.'),
          ...errorResponses({
            400: ['VALIDATION_FAILED', 'MALFORMED_JSON', 'INVALID_PROFILE', 'UNKNOWN_VALUE'],
            413: ['BODY_TOO_LARGE'],
            415: ['UNSUPPORTED_MEDIA_TYPE'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN'],
          }),
        },
      },
    },
    async (request) => {
      const { profile, to, system } = request.body;
      // Any graph of the catalogue (bundled or uploaded) names a value system; an unknown id is refused
      // by convertProfile with the list of bundled ones.
      const entry = deps.store.servedGraphs().get(system ?? DEFAULT_GRAPH);
      try {
        return convertProfile(profile, to, entry?.system ?? system);
      } catch (err) {
        if (err instanceof ProfileError) {
          throw new ApiError(
            err.code,
            err.message,
            err.issues.map((i) => ({ path: bodyPath(i.path), message: i.message })),
          );
        }
        throw err;
      }
    },
  );
};
