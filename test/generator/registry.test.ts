/** The registry of generator backends: one environment schema, one documented list, capabilities. */
import { describe, expect, it } from 'vitest';
import {
  BACKENDS,
  buildGenerators,
  enablingVars,
  GENERATOR_VARS,
  loadGeneratorConfig,
  unavailableHint,
} from '../../src/generator/registry.js';

describe('generator registry', () => {
  it('documents exactly the variables the backends declare, once each', () => {
    const declared = BACKENDS.flatMap((b) => Object.keys(b.env));
    expect(new Set(declared).size).toBe(declared.length);
    for (const b of BACKENDS) expect(Object.keys(b.vars).sort()).toEqual(Object.keys(b.env).sort());
    expect(Object.keys(GENERATOR_VARS)).toEqual(['GENERATOR', ...declared]);
  });

  it('offers the template alone by default, and openai first once configured', () => {
    const offline = buildGenerators(loadGeneratorConfig({}));
    expect([...offline.generators.keys()]).toEqual(['template']);
    expect(offline.defaultGenerator).toBe('template');
    expect(offline.generators.get('template')!.capabilities).toMatchObject({
      embedded: true,
      readsPlan: true,
      structuredOutput: false,
    });
    const online = buildGenerators(loadGeneratorConfig({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }));
    expect([...online.generators.keys()]).toEqual(['template', 'openai']);
    expect(online.defaultGenerator).toBe('openai');
    expect(online.generators.get('openai')!.capabilities).toMatchObject({
      embedded: false,
      readsPlan: false,
      structuredOutput: true,
    });
  });

  it('refuses GENERATOR naming an unknown or unconfigured backend, saying how to enable it', () => {
    expect(() => loadGeneratorConfig({ GENERATOR: 'llama' })).toThrow(/GENERATOR must be template or openai/);
    expect(() => loadGeneratorConfig({ GENERATOR: 'openai' })).toThrow(/set OPENAI_BASE_URL/);
    expect(unavailableHint('openai')).toMatch(/^set OPENAI_BASE_URL/);
    expect(unavailableHint('nope')).toBe('');
    expect(enablingVars('openai')).toEqual(['OPENAI_BASE_URL']);
    expect(enablingVars('template')).toEqual([]);
  });
});
