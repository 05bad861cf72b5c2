/**
 * watchConnect: undici's diagnostics channels tell a watched request's start and its connection, once
 * each, by the correlation header it carries; other requests (another id, no header, a watch stopped)
 * call nothing. Real fetch requests to a real local server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORRELATION_HEADER, watchConnect } from '../../src/generator/connect-watch.js';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function counter() {
  const calls: string[] = [];
  return { calls, watch: { onStart: () => calls.push('start'), onConnected: () => calls.push('connected') } };
}

const send = async (headers: Record<string, string>) =>
  (await fetch(url, { method: 'POST', body: 'x'.repeat(100), headers })).text();

describe('watchConnect', () => {
  it('tells a watched request’s start and connection, once each, in that order', async () => {
    const { calls, watch } = counter();
    const stop = watchConnect('call-1.1', watch);
    await send({ [CORRELATION_HEADER]: 'call-1.1', 'x-other': 'y' });
    stop();
    expect(calls).toEqual(['start', 'connected']);
    // Again, on the kept-alive socket: a new request, told again.
    const second = counter();
    const stop2 = watchConnect('call-1.2', second.watch);
    await send({ [CORRELATION_HEADER]: 'call-1.2' });
    stop2();
    expect(second.calls).toEqual(['start', 'connected']);
  });

  it('calls nothing for another id, a request without the header, or a stopped watch', async () => {
    const { calls, watch } = counter();
    const stop = watchConnect('call-2.1', watch);
    await send({ [CORRELATION_HEADER]: 'call-9.9' });
    await send({});
    expect(calls).toEqual([]);
    stop();
    await send({ [CORRELATION_HEADER]: 'call-2.1' });
    expect(calls).toEqual([]);
  });

  it('tells concurrent requests apart', async () => {
    const watched = Array.from({ length: 5 }, (_, i) => ({ id: `call-3.${i}`, ...counter() }));
    const stops = watched.map((w) => watchConnect(w.id, w.watch));
    await Promise.all(watched.map((w) => send({ [CORRELATION_HEADER]: w.id })));
    for (const stop of stops) stop();
    for (const w of watched) expect(w.calls).toEqual(['start', 'connected']);
  });
});
