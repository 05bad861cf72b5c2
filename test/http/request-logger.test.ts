/**
 * The lazy request logger (src/http/logger.ts): a request's lines are the pino child's (request id
 * included), and no child is made while the level drops every line the request writes.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LazyRequestLogger, loggerOptions, requestLoggerFactory } from '../../src/http/logger.js';
import { makeApp } from './helpers.js';

function root(level: string) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino(loggerOptions(level), stream), lines };
}

describe('requestLoggerFactory', () => {
  it('writes the child’s lines, with the request id, only at levels let through', () => {
    const { logger, lines } = root('warn');
    let children = 0;
    const counting = Object.assign(Object.create(logger) as typeof logger, {
      child: (...a: Parameters<typeof logger.child>) => (children++, logger.child(...a)),
    });
    const log = requestLoggerFactory(counting, { requestId: 'r-1' }, {});
    expect(log).toBeInstanceOf(LazyRequestLogger);
    log.info({ req: { method: 'GET' } }, 'incoming request');
    log.debug('detail');
    expect(children).toBe(0);
    expect(lines).toEqual([]);
    log.warn({ type: 'eventLoopDelay' }, 'overloaded');
    log.error(new Error('boom'), 'failed');
    expect(children).toBe(1);
    expect(lines.map((l) => [l.msg, l.requestId, l.level])).toEqual([
      ['overloaded', 'r-1', 40],
      ['failed', 'r-1', 50],
    ]);
    expect(lines[0]!.type).toBe('eventLoopDelay');
    expect((lines[1]!.err as { message: string }).message).toBe('boom');
  });

  it('at info, incoming lines are written as a pino child writes them; level and child read through', () => {
    const { logger, lines } = root('info');
    const lazy = requestLoggerFactory(logger, { requestId: 'r-2' }, {});
    const eager = logger.child({ requestId: 'r-2' });
    lazy.info({ answer: 42 }, 'same line');
    eager.info({ answer: 42 }, 'same line');
    const [a, b] = lines.map(({ time: _t, ...rest }) => rest);
    expect(a).toEqual(b);
    expect(lazy.level).toBe('info');
    lazy.child({ part: 'x' }).info('from a grandchild');
    expect(lines.at(-1)).toMatchObject({ requestId: 'r-2', part: 'x', msg: 'from a grandchild' });
  });

  it('a route level or serializers get pino’s own child', () => {
    const { logger } = root('info');
    expect(requestLoggerFactory(logger, { requestId: 'r' }, { level: 'debug' })).not.toBeInstanceOf(
      LazyRequestLogger,
    );
  });

  it('on the app: request lines carry the request id, from the incoming line to the completed one', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const app = await makeApp({ LOG_LEVEL: 'info' }, { logger: true, logStream: logStream as never });
    try {
      const res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'log-1' } });
      expect(res.statusCode).toBe(200);
      const mine = lines.filter((l) => l.requestId === 'log-1').map((l) => l.msg);
      expect(mine).toEqual(['incoming request', 'request completed']);
    } finally {
      await app.close();
    }
  });
});
