/**
 * package.json `overrides` pin cookie@1 and content-disposition@2 (both declare Node ≥ 18) in place of
 * cookie@2 and content-disposition@3 (Node ≥ 22), so `npm install` on Node 20 prints no engine warning.
 * These check the two functions their dependents call, through the dependents themselves.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('the overridden dependencies', () => {
  it('content-disposition@2 gives @fastify/static (Swagger UI’s file server) the `create` it calls', () => {
    const fromStatic = createRequire(require.resolve('@fastify/static'));
    // Its package.json is not exported: read it next to the resolved entry (dist/index.js).
    const entry = fromStatic.resolve('content-disposition');
    const pkgFile = join(dirname(dirname(entry)), 'package.json');
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { version: string; engines: { node: string } };
    expect(pkg.version).toBe('2.0.1');
    expect(pkg.engines.node).toBe('>=18');
    const { create } = fromStatic('content-disposition') as { create: (name: string) => string };
    expect(create('report 1.txt')).toBe('attachment; filename="report 1.txt"');
    expect(create('résumé.pdf')).toBe(
      `attachment; filename="r?sum?.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf`,
    );
  });

  it('cookie@1 gives light-my-request (app.inject) the `stringifySetCookie` it calls', async () => {
    const fromInject = createRequire(require.resolve('light-my-request'));
    expect((fromInject('cookie/package.json') as { version: string }).version).toBe('1.1.1');
    const app = Fastify();
    app.get('/', async (request) => ({ cookie: request.headers.cookie ?? null }));
    const res = await app.inject({ method: 'GET', url: '/', cookies: { session: 'a b', theme: 'dark' } });
    expect(res.json()).toEqual({ cookie: 'session=a%20b; theme=dark' });
    await app.close();
  });
});
