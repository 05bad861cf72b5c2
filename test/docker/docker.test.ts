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
import { CONFIG_VARS } from '../../src/config/index.js';
import { GENERATOR_VARS } from '../../src/generator/registry.js';
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
      deploy?: { replicas?: number };
      command?: string[];
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

describe('docker/compose.yaml, profile "scale"', () => {
  const svc = COMPOSE.services;
  const NGINX = readFileSync(join(ROOT, 'docker', 'nginx.conf'), 'utf8');

  it('runs PostgreSQL, Redis, three replicas and two workers behind a reverse proxy, all in the profile', () => {
    for (const name of ['postgres', 'redis', 'replica', 'worker', 'proxy']) {
      expect(svc[name]?.profiles, name).toEqual(['scale']);
    }
    expect(svc.postgres!.image).toMatch(/^postgres:\d+$/);
    expect(svc.redis!.image).toMatch(/^redis:\d+$/);
    expect(svc.replica!.deploy?.replicas).toBe(3);
    expect(svc.worker!.deploy?.replicas).toBe(2);
    expect(svc.worker!.command).toEqual(['node', 'dist/src/cli/bin.js', 'worker']);
    expect(svc.replica!.build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
    expect(svc.worker!.image).toBe(svc.replica!.image);
    for (const name of ['postgres', 'redis', 'replica']) expect(svc[name]!.healthcheck, name).toBeDefined();
    // The default service still starts alone, without the profile.
    expect(svc.pluralign!.profiles).toBeUndefined();
  });

  it('shares graphs through PostgreSQL and limits/batches through Redis, with known variables only', () => {
    const known = new Set([...Object.keys(CONFIG_VARS), ...Object.keys(GENERATOR_VARS)]);
    for (const name of ['replica', 'worker']) {
      const env = svc[name]!.environment!;
      for (const v of Object.keys(env)) expect(known, `${name}: ${v}`).toContain(v);
      expect(new URL(env.DATABASE_URL!.replace(/\$\{[^}]+\}/g, 'x')).host).toBe('postgres:5432');
      expect(env.REDIS_URL).toBe('redis://redis:6379');
      expect(env.HOST).toBe('0.0.0.0');
    }
    expect(svc.replica!.environment).toEqual(svc.worker!.environment);
    expect(svc.replica!.environment!.TRUST_PROXY).toBe('true');
    expect(svc.replica!.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    // Replicas are healthy when ready: /readyz checks PostgreSQL and Redis.
    expect(svc.replica!.healthcheck?.test.join(' ')).toMatch(/\/readyz/);
    expect(svc.postgres!.environment?.POSTGRES_DB).toBe('pluralign');
    expect(Object.keys(COMPOSE.volumes)).toEqual(expect.arrayContaining(['postgres-data', 'redis-data']));
  });

  it('the proxy balances over the replicas and passes streams through unbuffered', () => {
    const proxy = svc.proxy!;
    expect(proxy.image).toMatch(/^nginx:\d/);
    expect(proxy.volumes).toContain('./nginx.conf:/etc/nginx/nginx.conf:ro');
    expect(proxy.ports?.[0]).toMatch(/:8080$/);
    expect(proxy.depends_on).toEqual({ replica: { condition: 'service_healthy' } });
    expect(NGINX).toMatch(/upstream pluralign \{[^}]*server replica:8080 resolve;/);
    expect(NGINX).toMatch(/listen 8080;/);
    expect(NGINX).toMatch(/proxy_pass http:\/\/pluralign;/);
    expect(NGINX).toMatch(/proxy_buffering off;/);
    expect(NGINX).toMatch(/X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    // Braces balance (a truncated or mis-nested file fails here).
    expect((NGINX.match(/\{/g) ?? []).length).toBe((NGINX.match(/\}/g) ?? []).length);
  });
});
