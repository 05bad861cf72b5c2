/**
 * The playground page: `GET /` serves `public/index.html`, and each other file of `public/` is served
 * at `/<name>` (app.js, style.css). The files are read once, when the routes are registered (at boot),
 * and kept in memory with a strong ETag; no build step, no CDN. The page is not part of the API, so it
 * is left out of the OpenAPI document.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { packageRoot } from '../../graphs/registry.js';
import { routeScope } from '../auth.js';

/**
 * The page's Content-Security-Policy (the API's own is deny-all): scripts, styles and fetches from
 * this origin only, no inline script, no framing.
 */
export const PAGE_CSP =
  "default-src 'none'; base-uri 'none'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; img-src 'self' data:; script-src 'self'; style-src 'self'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
};

export interface StaticFile {
  path: string;
  body: Buffer;
  type: string;
  etag: string;
}

/** The servable files of `dir` (flat: sub-folders are ignored), keyed by their URL path. */
export function loadPublicFiles(dir = join(packageRoot(), 'public')): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir).sort()) {
    const type = TYPES[extname(name)];
    const full = join(dir, name);
    if (!type || name.startsWith('.') || !statSync(full).isFile()) continue;
    const body = readFileSync(full);
    const etag = `"${createHash('sha256').update(body).digest('hex').slice(0, 16)}"`;
    const path = name === 'index.html' ? '/' : `/${name}`;
    files.set(path, { path, body, type, etag });
  }
  return files;
}

export const playgroundRoutes: FastifyPluginAsync = async (app) => {
  for (const file of loadPublicFiles().values()) {
    // The page needs no key; its calls to the API send the key typed into the page, if any.
    app.get(file.path, { config: routeScope('public'), schema: { hide: true } }, async (request, reply) => {
      reply
        .header('etag', file.etag)
        .header('cache-control', 'no-cache')
        .header('content-security-policy', PAGE_CSP)
        .type(file.type);
      if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
      return reply.send(file.body);
    });
  }
};
