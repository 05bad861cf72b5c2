/**
 * POST /v1/decisions: rank candidate actions for a value profile (src/decisions/decide.ts does the work;
 * the CLI's `decide` and batch lines run the same use case).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../../schemas/api.js';
import { DecisionBody, DecisionResponseBody } from '../../../schemas/decisions.js';
import { decide } from '../../decisions/decide.js';
import { routeScope } from '../auth.js';
import { ALIGN_ERRORS, type AlignRouteDeps } from './align.js';

export const decisionRoutes: FastifyPluginAsyncZod<AlignRouteDeps> = async (app, deps) => {
  app.post(
    '/v1/decisions',
    {
      config: routeScope('align'),
      schema: {
        operationId: 'decide',
        summary: 'Rank candidate actions for a value profile',
        description:
          'A scenario, 2–20 candidate actions and a target value profile (any format, any graph; `valuepilot-6` has ValuePilot’s six dimensions) → the actions ranked from most to least preferred by that person. The target becomes the counterfactual profile of the align pipeline (a partial one is completed by the structured action); each action’s relevance to each value (+ for, − against, with an sd) comes from the learned detector and contra cues read as SCM evidence (`embedded`), or from one call to the configured backend (`llm`); a method (`weighted-sum`, `topsis`, `promethee`) turns relevance and the profile’s weights into scores. The response explains why the top action beat the runner-up.',
        tags: ['align'],
        body: DecisionBody,
        response: {
          200: DecisionResponseBody,
          // The align route's errors: the same profile, graph and upstream failures (422: a graph whose
          // mechanisms the partial-evidence posterior cannot handle).
          ...errorResponses(ALIGN_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const result = await decide(
        { ...deps.align, graphs: deps.store.servedGraphs() },
        { ...request.body, requestId: request.id },
      );
      if (result.reader.model) reply.header('x-served-model', result.reader.model);
      if (result.usage.upstreamCalls)
        reply.header('x-upstream-attempts', String(result.usage.upstreamAttempts));
      return result;
    },
  );
};
