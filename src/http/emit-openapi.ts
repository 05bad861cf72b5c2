/**
 * The OpenAPI document as the app emits it, independent of the environment and of the graphs loaded
 * (default configuration, no graphs), so `openapi.yaml` is reproducible.
 */
import { loadConfig } from '../config/index.js';
import { buildApp } from './app.js';
import { GraphStore } from '../graphs/store.js';

export const OPENAPI_HEADER =
  '# Generated from the route schemas by `npm run openapi`; do not edit by hand.\n';

export async function emitOpenApi(): Promise<{ yaml: string; json: Record<string, unknown> }> {
  const config = loadConfig({});
  const app = await buildApp(config, {
    logger: false,
    store: new GraphStore(new Map(), config.maxInlineGraphNodes),
  });
  try {
    await app.ready();
    const yaml = OPENAPI_HEADER + app.swagger({ yaml: true });
    const json = app.swagger() as unknown as Record<string, unknown>;
    return { yaml, json };
  } finally {
    await app.close();
  }
}
