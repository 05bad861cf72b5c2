/**
 * defaultPresetFor: the responder's default factual profile by the answering model (remembered per
 * graph, generator kind and model id, DEFAULT_PRESET_CACHE_SIZE ids per graph): the same answer the
 * first time and later, each model id its own.
 */
import { describe, expect, it } from 'vitest';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { DEFAULT_PRESET_CACHE_SIZE, defaultPresetFor } from '../../src/pipeline/factual.js';
import type { Generator } from '../../src/generator/types.js';

const graphs = loadGraphDir();
const schwartz = graphs.get('schwartz-10')!;
const upstream = (model: string): Generator => ({
  name: 'openai',
  model,
  capabilities: { embedded: false, readsPlan: false, structuredOutput: true, forwardsParams: true },
  generate: () => Promise.reject(new Error('not called')),
  stream: () => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('not called')) }) }),
});
const embedded: Generator = {
  ...upstream('template-1'),
  name: 'template',
  capabilities: { ...upstream('x').capabilities, embedded: true },
};

describe('defaultPresetFor', () => {
  it('matches a model to its Value Portrait preset, the same on every call', () => {
    const g = upstream('bench-model');
    const first = defaultPresetFor(schwartz, g, 'claude-3-5-haiku');
    expect(first?.preset.id).toBe('llm:claude-3-5-haiku-20241022');
    expect(first?.match).toBe('alias');
    expect(defaultPresetFor(schwartz, g, 'claude-3-5-haiku')).toEqual(first);
    // Each id its own: another model, the generator's default, an unknown one.
    expect(defaultPresetFor(schwartz, g, 'chatgpt-4o-latest')?.preset.id).toBe('llm:chatgpt-4o-latest');
    const unknown = defaultPresetFor(schwartz, g);
    expect(unknown?.preset.id).toBe('human:mean');
    expect(unknown?.why).toContain('no Value Portrait profile is known for model "bench-model"');
    expect(defaultPresetFor(schwartz, upstream('claude-3-5-haiku-20241022'))?.match).toBe('exact');
    expect(defaultPresetFor(schwartz, embedded)?.why).toContain(
      'the template generator is not a language model',
    );
  });

  it('shares a frozen answer, and answers beyond the cache size alike', () => {
    const g = upstream('bench-model');
    const hit = defaultPresetFor(schwartz, g, 'claude-3-5-haiku')!;
    expect(Object.isFrozen(hit.preset.values)).toBe(true);
    for (let i = 0; i < DEFAULT_PRESET_CACHE_SIZE + 5; i++) defaultPresetFor(schwartz, g, `model-${i}`);
    const again = defaultPresetFor(schwartz, g, 'claude-3-5-haiku')!; // evicted and found again
    expect(again).not.toBe(hit);
    expect(again).toEqual(hit);
  });

  it('answers per graph: a model preset for another graph falls back to that graph’s own', () => {
    const g = upstream('claude-3-5-haiku');
    const other = graphs.get('mft-6')!;
    const found = defaultPresetFor(other, g);
    expect(found?.preset.id ?? null).not.toBe('llm:claude-3-5-haiku-20241022');
    expect(defaultPresetFor(schwartz, g)?.preset.id).toBe('llm:claude-3-5-haiku-20241022');
  });
});
