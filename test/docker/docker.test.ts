/**
 * No Docker engine runs here: the Dockerfile is linted with dockerfile-utils (the VS Code Docker
 * language server's linter) and checked for what the image promises; compose.yaml is parsed and its
 * structure checked. The image's CMD must be what `npm start` serves once built (dist/src/server.js).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONFIG_VARS } from '../../src/config.js';
import { GENERATOR_VARS } from '../../src/http/generators.js';
import { ROOT } from '../http/helpers.js';

const DOCKERFILE = readFileSync(join(ROOT, 'docker', 'Dockerfile'), 'utf8');
const COMPOSE = parse(readFileSync(join(ROOT, 'docker', 'compose.yaml'), 'utf8')) as {
  services: Record<
    string,
    {
      build?: { context: string; dockerfile: string };
      image?: string;
      profiles?: string[];
      environment?: Record<string, string>;
      volumes?: string[];
      ports?: string[];
      healthcheck?: { test: string[] };
      depends_on?: Record<string, { condition: string; required?: boolean }>;
    }
  >;
  volumes: Record<string, unknown>;
};

/** Instructions with their arguments (continuation lines joined, comments dropped). */
function instructions(text: string): Array<{ op: string; args: string; stage: number }> {
  const out: Array<{ op: string; args: string; stage: number }> = [];
  let stage = -1;
  const joined = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'FROM') stage++;
    out.push({ op: m[1]!, args: m[2]!.trim(), stage });
  }
  return out;
}

describe('docker/Dockerfile', () => {
  const ins = instructions(DOCKERFILE);
  const last = Math.max(...ins.map((i) => i.stage));
  const runtime = ins.filter((i) => i.stage === last);

  it('lints clean with dockerfile-utils (and the linter does catch mistakes)', () => {
    expect(validate(DOCKERFILE).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    expect(validate('FROM node:20-slim\nEXPOSE port\nCMD node x.js\nCMD node y.js\n').length).toBeGreaterThan(
      0,
    );
  });

  it('is multi-stage on Node 20 slim, production dependencies only, non-root', () => {
    const froms = ins.filter((i) => i.op === 'FROM').map((i) => i.args);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const f of froms) expect(f).toMatch(/^node:20-slim\b/);
    const installs = ins.filter((i) => i.op === 'RUN' && /npm ci/.test(i.args));
    // The runtime's node_modules come from an `npm ci --omit=dev` (built in a stage of its own).
    expect(runtime.some((i) => i.op === 'COPY' && /--from=(\w+) \/app\/node_modules/.test(i.args))).toBe(
      true,
    );
    const depsStage = /--from=(\w+) \/app\/node_modules/.exec(
      runtime.find((i) => i.op === 'COPY' && i.args.includes('node_modules'))!.args,
    )![1];
    const depsIndex = froms.findIndex((f) => f.endsWith(` AS ${depsStage}`));
    const depsInstall = installs.find((i) => i.stage === depsIndex)!;
    expect(depsInstall.args).toMatch(/npm ci --omit=dev --ignore-scripts/);
    // better-sqlite3's native addon is built (its install script was skipped) and loaded once.
    expect(depsInstall.args).toMatch(/npm rebuild better-sqlite3/);
    expect(depsInstall.args).toMatch(/require\('better-sqlite3'\)/);
    const user = runtime.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(user).toEqual(['node']);
  });

  it('bakes in the graphs and the playground, keeps data in a volume, checks /healthz', () => {
    const copies = runtime.filter((i) => i.op === 'COPY').map((i) => i.args);
    expect(copies).toContain('graphs ./graphs');
    expect(copies).toContain('public ./public');
    expect(copies.some((c) => /--from=build \/app\/dist \.\/dist/.test(c))).toBe(true);
    expect(runtime.find((i) => i.op === 'VOLUME')?.args).toBe('["/data"]');
    expect(runtime.find((i) => i.op === 'ENV')?.args).toMatch(/DATA_DIR=\/data/);
    expect(runtime.find((i) => i.op === 'HEALTHCHECK')?.args).toMatch(/\/healthz/);
  });

  it('starts with the runtime command of `npm start`', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const cmd = runtime.filter((i) => i.op === 'CMD');
    expect(cmd).toHaveLength(1);
    // `npm start` runs scripts/start.mjs, which (once built, as in the image's build stage) imports
    // dist/src/server.js: the image starts that directly, without the sources to compare.
    expect(JSON.parse(cmd[0]!.args)).toEqual(['node', 'dist/src/server.js']);
    expect(pkg.scripts.start).toBe('node scripts/start.mjs');
    expect(readFileSync(join(ROOT, 'scripts', 'start.mjs'), 'utf8')).toContain(
      "join(root, 'dist', 'src', 'server.js')",
    );
    expect(pkg.scripts.prestart).toBeUndefined(); // no compilation on every start
  });
});

describe('docker/compose.yaml', () => {
  const app = COMPOSE.services.pluralign!;

  it('builds pluralign from the Dockerfile, with a healthcheck and a named data volume', () => {
    expect(app.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
    expect(app.healthcheck?.test.join(' ')).toMatch(/\/healthz/);
    expect(app.environment?.DATA_DIR).toBe('/data');
    expect(app.volumes).toContain('pluralign-data:/data');
    expect(Object.keys(COMPOSE.volumes)).toContain('pluralign-data');
    expect(app.ports?.[0]).toMatch(/:8080$/);
    expect(app.environment?.PORT).toBe('8080');
  });

  it('passes only variables the server knows, API keys by env or a mounted file', () => {
    const known = new Set([...Object.keys(CONFIG_VARS), ...Object.keys(GENERATOR_VARS)]);
    for (const name of Object.keys(app.environment ?? {})) expect(known, name).toContain(name);
    expect(app.environment?.API_KEYS).toBe('${API_KEYS:-}');
    expect(app.environment?.API_KEYS_FILE).toBe('${API_KEYS_FILE:-}');
    expect(app.volumes?.some((v) => /:\/run\/pluralign-secrets:ro$/.test(v))).toBe(true);
    expect(app.environment?.HOST).toBe('0.0.0.0');
  });

  it('wires an optional Ollama server (profile "ollama") through OPENAI_BASE_URL', () => {
    const ollama = COMPOSE.services.ollama!;
    expect(ollama.profiles).toEqual(['ollama']);
    expect(ollama.image).toMatch(/^ollama\/ollama:\d/);
    expect(ollama.healthcheck).toBeDefined();
    expect(ollama.volumes).toContain('ollama-models:/root/.ollama');
    // Nothing pulls model weights on its own: the user pulls a model once (documented).
    expect(COMPOSE.services['ollama-pull']).toBeUndefined();
    expect(app.environment?.OPENAI_BASE_URL).toBe('${OPENAI_BASE_URL:-http://ollama:11434/v1}');
    // pluralign starts without the profile too.
    expect(app.depends_on).toBeUndefined();
    expect(app.profiles).toBeUndefined();
  });
});
