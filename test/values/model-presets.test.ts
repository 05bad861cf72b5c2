/**
 * Model id → Value Portrait preset (src/values/model-presets.ts): exact ids, undated aliases to the
 * newest dated snapshot, other snapshots of a family to the closest one, provider prefixes; different
 * families never match each other.
 */
import { describe, expect, it } from 'vitest';
import { listPresets, modelFamily, presetForModel, type Preset } from '../../src/values/index.js';

const preset = (id: string): Preset => ({
  id,
  label: id,
  description: '',
  system: 'schwartz-10',
  format: 'centered',
  values: {},
  source: 'test',
});

const SMALL = [
  'llm:gpt-4o-2024-05-13',
  'llm:gpt-4o-2024-08-06',
  'llm:gpt-4o-2024-11-20',
  'llm:gpt-4o-mini-2024-07-18',
  'llm:claude-3-5-sonnet-20241022',
  'llm:mistral-small-24b-instruct-2501',
  'llm:gpt-3.5-turbo',
  'human:mean',
].map(preset);

describe('presetForModel', () => {
  it('matches the bundled gpt-4o-mini preset from the default OPENAI_MODEL', () => {
    const hit = presetForModel('gpt-4o-mini', listPresets());
    expect(hit?.preset.id).toBe('llm:gpt-4o-mini-2024-07-18');
    expect(hit?.match).toBe('alias');
  });

  it('an exact id (any case, provider prefix dropped) is exact', () => {
    expect(presetForModel('gpt-3.5-turbo', SMALL)).toMatchObject({ match: 'exact' });
    expect(presetForModel('openai/GPT-4o-mini-2024-07-18', SMALL)).toMatchObject({
      match: 'exact',
      preset: { id: 'llm:gpt-4o-mini-2024-07-18' },
    });
  });

  it('an undated alias gets the newest dated snapshot of its family, and -latest is undated', () => {
    expect(presetForModel('gpt-4o', SMALL)?.preset.id).toBe('llm:gpt-4o-2024-11-20');
    expect(presetForModel('claude-3-5-sonnet-latest', SMALL)).toMatchObject({
      match: 'alias',
      preset: { id: 'llm:claude-3-5-sonnet-20241022' },
    });
  });

  it('another dated snapshot gets the closest snapshot of its family', () => {
    expect(presetForModel('gpt-4o-2024-06-01', SMALL)).toMatchObject({
      match: 'family',
      preset: { id: 'llm:gpt-4o-2024-05-13' },
    });
    expect(presetForModel('gpt-4o-2024-10-01', SMALL)?.preset.id).toBe('llm:gpt-4o-2024-11-20');
    expect(presetForModel('mistral-small-24b-instruct-2503', SMALL)?.preset.id).toBe(
      'llm:mistral-small-24b-instruct-2501',
    );
  });

  it('families are kept apart and unknown models get nothing', () => {
    // gpt-4o-mini is not a snapshot of gpt-4o, nor gpt-4o of gpt-4o-mini.
    expect(
      presetForModel(
        'gpt-4o-mini',
        SMALL.filter((p) => !p.id.includes('mini')),
      ),
    ).toBeUndefined();
    expect(presetForModel('gpt-4', SMALL)).toBeUndefined();
    expect(presetForModel('llama-3-8b', SMALL)).toBeUndefined();
    expect(presetForModel('mean', SMALL)).toBeUndefined(); // human presets are never model presets
    expect(presetForModel('', SMALL)).toBeUndefined();
  });

  it('reads the date suffixes Value Portrait ids use', () => {
    expect(modelFamily('gpt-4o-mini-2024-07-18')).toEqual({ family: 'gpt-4o-mini', date: 20240718 });
    expect(modelFamily('claude-3-5-haiku-20241022')).toEqual({ family: 'claude-3-5-haiku', date: 20241022 });
    expect(modelFamily('gemini-2.0-flash-thinking-exp-01-21')).toEqual({
      family: 'gemini-2.0-flash-thinking-exp',
      date: 121,
    });
    expect(modelFamily('llama-3.1-8b-instruct')).toEqual({ family: 'llama-3.1-8b-instruct', date: null });
  });
});
