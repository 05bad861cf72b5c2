/**
 * The picture routes and the playground's static files, through the real app: SVG with the right
 * content type, the documented examples reproduced byte for byte, the error envelope on bad input.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_DIAGRAM_SVG, EXAMPLE_RADAR_QUERY, EXAMPLE_RADAR_SVG } from '../../schemas/render.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { PAGE_CSP } from '../../src/http/routes/playground.js';
import { graphDiagram, radarFromExplanation } from '../../src/render/index.js';
import { SCHWARTZ_10 } from '../fixtures/value-systems.js';
import { BUNDLED_GRAPHS, expectEnvelope, makeApp } from '../http/helpers.js';
import { byName, elements, hasClass, parseXml } from './xml.js';

let bundled: FastifyInstance;
let fixture: FastifyInstance;
beforeAll(async () => {
  bundled = await makeApp({ GRAPHS_DIR: BUNDLED_GRAPHS });
  fixture = await makeApp();
});
afterAll(async () => {
  await bundled.close();
  await fixture.close();
});

const get = (app: FastifyInstance, url: string) => app.inject({ method: 'GET', url });

describe('GET /v1/graphs/{id}/diagram.svg', () => {
  it('answers image/svg+xml: the diagram in theory order', async () => {
    const res = await get(bundled, '/v1/graphs/schwartz-10/diagram.svg');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    const file = loadGraphDir(BUNDLED_GRAPHS).get('schwartz-10')!.file;
    expect(res.body).toBe(graphDiagram(file, { order: SCHWARTZ_10.values.map((v) => v.id) }));
    expect(parseXml(res.body).name).toBe('svg');
  });

  it('gives the documented example for the example graph, byte for byte', async () => {
    const res = await get(fixture, '/v1/graphs/mini-values/diagram.svg');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(EXAMPLE_DIAGRAM_SVG);
  });

  it('leaves the concepts out with concepts=false', async () => {
    const res = await get(bundled, '/v1/graphs/mft-6/diagram.svg?concepts=false');
    expect(res.statusCode).toBe(200);
    const svg = parseXml(res.body);
    expect(elements(svg).filter((e) => hasClass(e, 'node-concept'))).toEqual([]);
    expect(elements(svg).filter((e) => hasClass(e, 'node-value'))).toHaveLength(6);
  });

  it('404 UNKNOWN_GRAPH in the envelope for an unknown graph', async () => {
    const res = await get(bundled, '/v1/graphs/schwartz-11/diagram.svg');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const e = expectEnvelope(res.json(), 'UNKNOWN_GRAPH');
    expect(e.message).toContain('no graph "schwartz-11"');
    expect(e.details[0]!.path).toBe('params.id');
  });

  it('400 VALIDATION_FAILED for a bad or unknown query parameter', async () => {
    const bad = await get(bundled, '/v1/graphs/mft-6/diagram.svg?concepts=maybe');
    expect(bad.statusCode).toBe(400);
    expect(expectEnvelope(bad.json(), 'VALIDATION_FAILED').details[0]!.path).toBe('query.concepts');
    const unknown = await get(bundled, '/v1/graphs/mft-6/diagram.svg?colour=red');
    expect(expectEnvelope(unknown.json(), 'VALIDATION_FAILED').message).toContain('unknown field "colour"');
  });
});

describe('GET /v1/charts/radar.svg', () => {
  it('gives the documented example, byte for byte', async () => {
    const res = await get(bundled, `/v1/charts/radar.svg?${EXAMPLE_RADAR_QUERY}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(res.body).toBe(EXAMPLE_RADAR_SVG);
  });

  it('accepts friendly value names, puts the axes in circle order, and takes a title and a scale', async () => {
    const res = await get(
      bundled,
      `/v1/charts/radar.svg?graph=schwartz-10&target=${encodeURIComponent('Self-Direction:6,SE:2')}&scale=pvq6&title=${encodeURIComponent('Mine & yours')}`,
    );
    expect(res.statusCode).toBe(200);
    const svg = parseXml(res.body);
    expect(byName(svg, 'title')[0]!.children).toEqual(['Mine & yours']);
    const axes = elements(svg)
      .filter((e) => hasClass(e, 'axis-label'))
      .map((e) => e.attrs['data-value']);
    expect(axes).toEqual(SCHWARTZ_10.values.map((v) => v.id));
    expect(res.body).toContain('Self-direction: target 6.00');
    expect(res.body).toContain('Security: target 2.00');
    expect(res.body).toContain('1 (centre) to 6 (outer ring)');
  });

  it('gives the same bytes as the chart of an explanation with the same numbers', async () => {
    const values = SCHWARTZ_10.values.map((v, i) => ({
      value: v.id,
      label: v.label,
      factual: 2 + i / 5,
      target: v.id === 'power' ? 1 : null,
      counterfactual: 1.5 + i / 4,
    }));
    const pairs = (key: 'factual' | 'target' | 'counterfactual') =>
      values
        .filter((v) => v[key] !== null)
        .map((v) => `${v.value}:${v[key]}`)
        .join(',');
    const res = await get(
      bundled,
      `/v1/charts/radar.svg?graph=schwartz-10&factual=${pairs('factual')}&target=${pairs('target')}&counterfactual=${pairs('counterfactual')}`,
    );
    const explanation = {
      graph: { id: 'schwartz-10', version: '1', hash: 'x' },
      values,
    } as unknown as Parameters<typeof radarFromExplanation>[0];
    expect(res.body).toBe(radarFromExplanation(explanation));
  });

  it('draws the value systems of other graphs too', async () => {
    const res = await get(bundled, '/v1/charts/radar.svg?graph=mft-6&counterfactual=care:4,liberty:2');
    expect(res.statusCode).toBe(200);
    const labels = elements(parseXml(res.body)).filter((e) => hasClass(e, 'axis-label'));
    expect(labels.map((e) => e.attrs['data-value'])).toEqual([
      'care',
      'fairness',
      'loyalty',
      'authority',
      'sanctity',
      'liberty',
    ]);
  });

  it.each([
    ['no series at all', '/v1/charts/radar.svg', 'VALIDATION_FAILED', 'give at least one of the series'],
    [
      'a malformed series',
      '/v1/charts/radar.svg?factual=benevolence=3',
      'VALIDATION_FAILED',
      'expected comma-separated value:score pairs',
    ],
    [
      'an unknown value',
      '/v1/charts/radar.svg?target=benevolense:5',
      'UNKNOWN_VALUE',
      'target.benevolense: unknown value "benevolense" in schwartz-10; did you mean "benevolence"?',
    ],
    [
      'a score out of range',
      '/v1/charts/radar.svg?counterfactual=power:7',
      'INVALID_PROFILE',
      'counterfactual.power: 7 is outside the likert5 range 1–5',
    ],
    [
      'a value given twice',
      '/v1/charts/radar.svg?factual=be:3,be:4',
      'INVALID_PROFILE',
      'factual: "be" is given twice',
    ],
    ['a bad scale', '/v1/charts/radar.svg?target=be:3&scale=stars', 'VALIDATION_FAILED', 'query.scale'],
    ['an unknown parameter', '/v1/charts/radar.svg?target=be:3&colour=red', 'VALIDATION_FAILED', 'colour'],
  ])('400 %s, with a message that says what to fix', async (_what, url, code, message) => {
    const res = await get(bundled, url);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(expectEnvelope(res.json(), code).message).toContain(message);
  });

  it('the value named twice under two aliases is one problem too', async () => {
    const res = await get(bundled, '/v1/charts/radar.svg?factual=BE:3,benevolence:4');
    expect(expectEnvelope(res.json(), 'INVALID_PROFILE').message).toContain('both name benevolence');
  });

  it('404 UNKNOWN_GRAPH for an unknown graph', async () => {
    const res = await get(bundled, '/v1/charts/radar.svg?graph=schwartz-11&target=be:5');
    expect(res.statusCode).toBe(404);
    expect(expectEnvelope(res.json(), 'UNKNOWN_GRAPH').details[0]!.path).toBe('query.graph');
  });
});

describe('the playground page', () => {
  it.each([
    ['/', 'text/html; charset=utf-8', '<title>pluralign playground</title>'],
    ['/app.js', 'text/javascript; charset=utf-8', "fetch('/v1/align'"],
    ['/style.css', 'text/css; charset=utf-8', '.slider-row'],
  ])('GET %s serves the file with its own CSP and an ETag', async (url, type, snippet) => {
    const res = await get(bundled, url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.body).toContain(snippet);
    expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const again = await bundled.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('loads nothing from another origin (no CDN) and has no inline script or style', async () => {
    const html = (await get(bundled, '/')).body;
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style/);
    // Every form control has a label.
    const ids = [...html.matchAll(/<(?:input|select|textarea)[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    for (const id of ids) expect(html, id).toContain(`for="${id}"`);
  });

  it('is not in the OpenAPI document (it is not part of the API)', async () => {
    const doc = (await get(bundled, '/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).not.toContain('/');
    expect(Object.keys(doc.paths)).toContain('/v1/charts/radar.svg');
    expect(Object.keys(doc.paths)).toContain('/v1/graphs/{id}/diagram.svg');
  });
});
