/** `pluralign serve`: run the HTTP service (the same as `npm start`). */
import { parseArgs } from 'node:util';
import { UsageError, parseNumber } from '../io.js';

export const help = `pluralign serve — run the HTTP service (the same as npm start)

Usage:
  pluralign serve [--port <n>] [--host <addr>] [--graphs <dir>]

Options:
  --port <n>        TCP port (default: PORT or 8080)
  --host <addr>     interface to bind (default: HOST or 127.0.0.1)
  --graphs <dir>    folder of graph files (default: GRAPHS_DIR or the bundled graphs/)
  -h, --help        this help

Every other setting comes from the environment (see README, "Configuration"), e.g.
OPENAI_BASE_URL to use an OpenAI-compatible backend instead of the embedded template generator.

Examples:
  pluralign serve
  OPENAI_BASE_URL=http://127.0.0.1:11434/v1 OPENAI_MODEL=llama3.1 pluralign serve --port 9000

Exit codes: 0 after a clean shutdown (SIGTERM/SIGINT), 1 on a configuration error, 2 usage error.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      graphs: { type: 'string' },
    },
    strict: true,
  });
  const port = parseNumber(values.port, '--port');
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new UsageError('--port must be a whole number from 0 to 65535');
  }
  if (port !== undefined) process.env.PORT = String(port);
  if (values.host) process.env.HOST = values.host;
  if (values.graphs) process.env.GRAPHS_DIR = values.graphs;
  // The server module reads the environment, listens, and exits on its own on SIGTERM/SIGINT.
  await import('../../server.js');
  return await new Promise<number>(() => undefined);
}
