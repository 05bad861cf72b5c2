import { describe, expect, it } from 'vitest';
import { CONFIG_VARS, loadConfig } from '../../src/config/index.js';
import { bundledGraphsDir } from '../../src/graphs/registry.js';
import { resolve } from 'node:path';
import { expectRefused, FIXTURE_GRAPHS } from './helpers.js';

describe('loadConfig', () => {
  it('has documented defaults', () => {
    expect(loadConfig({})).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      logLevel: 'info',
      graphsDir: bundledGraphsDir(),
      bodyLimit: 1048576,
      maxBatchSize: 100,
      maxInlineGraphNodes: 1000,
      requestTimeoutMs: 30000,
      shutdownTimeoutMs: 10000,
      trustProxy: false,
      docsEnabled: true,
      apiKeys: [],
      allowUnauthenticated: false,
      rateLimitWindowMs: 60000,
      rateLimitPerIp: 120,
      rateLimitPerKey: 600,
      corsOrigins: [],
      maxEventLoopDelayMs: 1000,
      headersTimeoutMs: 10000,
      keepAliveTimeoutMs: 72000,
      dataDir: resolve('data'),
      maxGraphEdges: 20000,
      maxExpressionLength: 1000,
      maxCustomGraphs: 1000,
      maxGraphVersions: 100,
    });
    expect(loadConfig({}).maxHeapUsedBytes).toBeGreaterThan(0);
    for (const [name, v] of Object.entries(CONFIG_VARS)) {
      // "(none)", "(bundled graphs/)": no value to write.
      if (v.default.startsWith('(')) continue;
      // The documented default parses to the same configuration as leaving the variable unset.
      expect(loadConfig({ [name]: v.default })).toEqual(loadConfig({}));
    }
  });

  it('reads every variable', () => {
    const c = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      LOG_LEVEL: 'DEBUG',
      GRAPHS_DIR: FIXTURE_GRAPHS,
      BODY_LIMIT: '4096',
      MAX_BATCH_SIZE: '7',
      MAX_INLINE_GRAPH_NODES: '50',
      REQUEST_TIMEOUT_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '500',
      TRUST_PROXY: 'true',
      DOCS_ENABLED: 'no',
      ALLOW_UNAUTHENTICATED: 'true', // HOST 0.0.0.0 without API keys
    });
    expect(c).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      logLevel: 'debug',
      graphsDir: FIXTURE_GRAPHS,
      bodyLimit: 4096,
      maxBatchSize: 7,
      maxInlineGraphNodes: 50,
      requestTimeoutMs: 0,
      shutdownTimeoutMs: 500,
      trustProxy: 1,
      docsEnabled: false,
    });
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig({ PORT: '', LOG_LEVEL: '' })).toEqual(loadConfig({}));
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['HOST', '   '],
    ['LOG_LEVEL', 'chatty'],
    ['GRAPHS_DIR', '/no/such/folder'],
    ['BODY_LIMIT', '1.5'],
    ['BODY_LIMIT', '10'],
    ['MAX_BATCH_SIZE', '0'],
    ['MAX_INLINE_GRAPH_NODES', '100000'],
    ['REQUEST_TIMEOUT_MS', 'soon'],
    ['SHUTDOWN_TIMEOUT_MS', '1e3'],
    ['TRUST_PROXY', 'maybe'],
    ['TRUST_PROXY', '10.0.0.1,not-an-address'],
    ['TRUST_PROXY', '10.0.0.0/33'],
    ['DOCS_ENABLED', '2'],
    ['RESPONSE_VALIDATION', 'sometimes'],
  ])('%s=%s is refused with a message naming the variable', expectRefused);

  it('lists every invalid variable at once', () => {
    expect(() => loadConfig({ PORT: 'x', MAX_BATCH_SIZE: 'y' })).toThrow(/PORT=.*\n.*MAX_BATCH_SIZE=/s);
  });
});
