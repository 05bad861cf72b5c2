/**
 * A generator backend, as the registry (registry.ts) lists it: its name, its environment variables
 * (zod fields, parsed with the service configuration at boot, and their README documentation), when
 * it is offered, and how to build it. Adding a backend: a file exporting one of these, one line in the
 * registry, its variables in README's configuration table.
 */
import type { z } from 'zod';
import type { Generator } from './types.js';

export interface GeneratorBackend<Env extends z.ZodRawShape = z.ZodRawShape> {
  /** The name requests use (`generator`) and GENERATOR selects. */
  name: string;
  /** Its environment variables (zod fields; names are global, so prefix them with the backend's). */
  env: Env;
  /** Each variable's default (as written in the environment) and description, as in the README. */
  vars: { [K in keyof Env]: { default: string; description: string } };
  /** Whether this configuration offers it. */
  enabled(config: z.output<z.ZodObject<Env>>): boolean;
  /** The variables to set to enable it (named in the configuration error). */
  requires: string[];
  /** How to enable it, for error messages ("set OPENAI_BASE_URL … to use …"). */
  howToEnable: string;
  create(config: z.output<z.ZodObject<Env>>): Generator;
}
