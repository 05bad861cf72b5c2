/**
 * The registry of generator backends: the embedded `template` (always offered) and `openai` (any
 * OpenAI-compatible endpoint, when configured). Each backend declares its environment variables and
 * what it can do (`Generator.capabilities`); this file joins them into one environment schema, one
 * list of variables (README's configuration table) and the generators a configuration offers.
 * GENERATOR picks the default (the first configured backend that is not embedded, else `template`).
 */
import { z } from 'zod';
import { ConfigError } from '../config/error.js';
import type { GeneratorBackend } from './backend.js';
import { openaiBackend } from './openai-backend.js';
import { templateBackend } from './template.js';
import type { Generator } from './types.js';

/** Every backend, in order of preference for the default. */
export const BACKENDS: readonly GeneratorBackend[] = [
  templateBackend,
  openaiBackend as unknown as GeneratorBackend,
];

const NAMES = BACKENDS.map((b) => b.name) as [string, ...string[]];

const GeneratorEnv = z.object({
  GENERATOR: z.enum(NAMES, { error: `GENERATOR must be ${NAMES.join(' or ')}` }).optional(),
  ...templateBackend.env,
  ...openaiBackend.env,
});

export type GeneratorEnvConfig = z.output<typeof GeneratorEnv>;

/** The variables as documented in README's configuration table (same order). */
export const GENERATOR_VARS = {
  GENERATOR: {
    default: '(auto)',
    description:
      'Default generator: `template` (embedded, offline) or `openai`; auto = `openai` when a backend is configured, else `template`.',
  },
  ...templateBackend.vars,
  ...openaiBackend.vars,
} as const;

export interface GeneratorSetup {
  generators: Map<string, Generator>;
  defaultGenerator: string;
}

/** How to enable a generator that is not offered, for error messages (`"set OPENAI_BASE_URL …"`), or `""`. */
export function unavailableHint(name: string): string {
  return BACKENDS.find((b) => b.name === name)?.howToEnable ?? '';
}

/** The variables that enable a generator that is not offered (`["OPENAI_BASE_URL"]`), or `[]`. */
export function enablingVars(name: string): string[] {
  return BACKENDS.find((b) => b.name === name)?.requires ?? [];
}

/** Parse the generator variables (ConfigError naming each bad variable). */
export function loadGeneratorConfig(env: Readonly<Record<string, string | undefined>>): GeneratorEnvConfig {
  const present = Object.fromEntries(
    Object.keys(GeneratorEnv.shape).flatMap((k) =>
      env[k] !== undefined && env[k] !== '' ? [[k, env[k]]] : [],
    ),
  );
  const parsed = GeneratorEnv.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => {
      const name = String(i.path[0]);
      return `  ${name}=${JSON.stringify(env[name] ?? '')}: ${i.message}`;
    });
    throw new ConfigError(
      `invalid environment variable(s):\n${lines.join('\n')}`,
      parsed.error.issues.map((i) => String(i.path[0])),
    );
  }
  const c = parsed.data;
  const chosen = BACKENDS.find((b) => b.name === c.GENERATOR);
  if (chosen && !chosen.enabled(c)) {
    throw new ConfigError(
      `invalid environment variable(s):\n  GENERATOR=${JSON.stringify(chosen.name)}: ${chosen.howToEnable}`,
      ['GENERATOR', ...chosen.requires],
    );
  }
  return c;
}

export function buildGenerators(c: GeneratorEnvConfig): GeneratorSetup {
  const generators = new Map<string, Generator>();
  for (const backend of BACKENDS) if (backend.enabled(c)) generators.set(backend.name, backend.create(c));
  const offered = [...generators.values()];
  const defaultGenerator = c.GENERATOR ?? (offered.find((g) => !g.capabilities.embedded) ?? offered[0]!).name;
  return { generators, defaultGenerator };
}
