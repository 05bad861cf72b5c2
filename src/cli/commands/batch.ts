/** `pluralign batch submit|status|fetch`: batch jobs on a pluralign server. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EXIT, InputError, UsageError } from '../io.js';

export const help = `pluralign batch — batch jobs on a pluralign server (POST /v1/batches)

Usage:
  pluralign batch submit <input.jsonl> [--wait] [--output <file>]
  pluralign batch status <batch-id> [--wait]
  pluralign batch fetch <batch-id> [--output <file>]

Options:
  --url <url>        server (default: PLURALIGN_URL or http://127.0.0.1:8080)
  --api-key <key>    API key with scope align (default: PLURALIGN_API_KEY)
  --wait             wait until the batch is finished, showing progress (a bar on a terminal,
                     one line per change otherwise); with submit, then fetch the output
  --output <file>    write the output JSONL there (default: stdout)
  -h, --help         this help

Input: one request per line, {"custom_id", "url": "/v1/align" | "/v1/attributions", "body"}.
submit prints the batch (JSON) unless --wait; status prints the batch; fetch prints the output JSONL.

Examples:
  pluralign batch submit questions.jsonl --wait --output answers.jsonl
  pluralign batch status batch_0123456789abcdef01234567

Exit codes: 0 ok, 1 server error or failed lines, 2 usage error, 3 unreadable input.`;

interface Batch {
  id: string;
  status: string;
  request_counts: { total: number; completed: number; failed: number };
}

class Client {
  constructor(
    readonly url: string,
    readonly key: string | undefined,
  ) {}

  async call(method: string, path: string, body?: string, type?: string): Promise<string> {
    const headers: Record<string, string> = {};
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    if (type) headers['content-type'] = type;
    const res = await fetch(this.url.replace(/\/$/, '') + path, { method, headers, body });
    const text = await res.text();
    if (!res.ok) {
      let msg = text;
      try {
        const e = JSON.parse(text) as { error: { code: string; message: string; details?: unknown[] } };
        msg = `${e.error.code}: ${e.error.message}`;
        for (const d of (e.error.details ?? []).slice(0, 20) as Array<{ path: string; message: string }>) {
          msg += `\n  ${d.path}: ${d.message}`;
        }
      } catch {
        /* not the envelope */
      }
      throw new Error(`${method} ${path} → ${res.status} ${msg}`);
    }
    return text;
  }
}

const finished = (b: Batch) => b.status === 'completed' || b.status === 'cancelled';

function bar(b: Batch, width = 30): string {
  const { total, completed, failed } = b.request_counts;
  const done = completed + failed;
  const filled = total ? Math.round((done / total) * width) : width;
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} (${failed} failed) ${b.status}`;
}

async function waitFor(client: Client, id: string): Promise<Batch> {
  const tty = process.stderr.isTTY === true;
  let last = '';
  for (;;) {
    const b = JSON.parse(await client.call('GET', `/v1/batches/${id}`)) as Batch;
    const line = bar(b);
    if (line !== last) {
      if (tty) process.stderr.write(`\r${line}`);
      else
        process.stderr.write(
          `${id} ${b.status} ${b.request_counts.completed + b.request_counts.failed}/${b.request_counts.total} failed=${b.request_counts.failed}\n`,
        );
      last = line;
    }
    if (finished(b)) {
      if (tty) process.stderr.write('\n');
      return b;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function emit(text: string, file: string | undefined): void {
  if (file) writeFileSync(file, text);
  else process.stdout.write(text);
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'api-key': { type: 'string' },
      wait: { type: 'boolean' },
      output: { type: 'string' },
    },
    strict: true,
  });
  const [sub, arg] = positionals;
  if (!sub || !['submit', 'status', 'fetch'].includes(sub) || !arg || positionals.length > 2) {
    throw new UsageError(
      'usage: pluralign batch submit <input.jsonl> | status <id> | fetch <id> (see --help)',
    );
  }
  const client = new Client(
    values.url ?? process.env.PLURALIGN_URL ?? 'http://127.0.0.1:8080',
    values['api-key'] ?? process.env.PLURALIGN_API_KEY,
  );
  try {
    if (sub === 'submit') {
      let input: string;
      try {
        input = readFileSync(arg, 'utf8');
      } catch (err) {
        throw new InputError(`cannot read ${arg}: ${(err as Error).message}`);
      }
      const created = JSON.parse(
        await client.call('POST', '/v1/batches', input, 'application/jsonl'),
      ) as Batch;
      if (!values.wait) {
        console.log(JSON.stringify(created, null, 2));
        return EXIT.ok;
      }
      process.stderr.write(`${created.id} submitted (${created.request_counts.total} lines)\n`);
      const b = await waitFor(client, created.id);
      emit(await client.call('GET', `/v1/batches/${created.id}/output`), values.output);
      return b.request_counts.failed > 0 ? EXIT.failure : EXIT.ok;
    }
    if (sub === 'status') {
      const b = values.wait
        ? await waitFor(client, arg)
        : (JSON.parse(await client.call('GET', `/v1/batches/${arg}`)) as Batch);
      console.log(JSON.stringify(b, null, 2));
      return EXIT.ok;
    }
    emit(await client.call('GET', `/v1/batches/${arg}/output`), values.output);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof InputError) throw err;
    console.error(`pluralign batch: ${(err as Error).message}`);
    return EXIT.failure;
  }
}
