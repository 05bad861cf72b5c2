/**
 * `pluralign bench`: run the benchmarks (test/bench, from a source checkout): the SCM engine, the HTTP
 * route and the align route against same-run baselines, and memory growth.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../graphs/registry.js';
import { InputError, UsageError, parseNumber } from '../io.js';

const PARTS = ['scm', 'http', 'align', 'memory', 'batch'] as const;

export const help = `pluralign bench — measure what pluralign costs, as ratios against baselines measured in the same run

Usage:
  pluralign bench [--parts scm,http,align,memory] [--seconds <n>] [--strict]
  pluralign bench --parts batch

Options:
  --parts <list>    which parts (default scm,http,align,memory; batch runs the batch-queue bench alone):
                      scm     engine queries/s by graph size and evidence type vs a mathjs closed form
                      http    POST /v1/counterfactuals vs a bare fastify route (autocannon, separate processes)
                      align   POST /v1/align vs a pass-through route on the same fake upstream
                      memory  RSS after warm-up, 50k and 100k requests
                      batch   batch lines per second with 1, 2 and 4 workers (needs redis-server)
  --seconds <n>     seconds per HTTP measurement (BENCH_HTTP_SECONDS)
  --strict          exit 1 when a target ratio is missed
  -h, --help        this help

Results go to test/bench/results/*.json and a table is printed. Needs the source checkout (test/bench)
and its dev dependencies (tsx, autocannon).

Examples:
  pluralign bench
  pluralign bench --parts scm --seconds 1

Exit codes: 0 done, 1 a target missed with --strict (or the bench failed), 2 usage error, 3 no bench files.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      parts: { type: 'string' },
      seconds: { type: 'string' },
      strict: { type: 'boolean' },
    },
    strict: true,
  });
  const parts = (values.parts ?? 'scm,http,align,memory').split(',').map((s) => s.trim());
  for (const p of parts) {
    if (!(PARTS as readonly string[]).includes(p))
      throw new UsageError(`--parts: unknown part "${p}"; use ${PARTS.join(', ')}`);
  }
  if (parts.includes('batch') && parts.length > 1) throw new UsageError('--parts batch runs alone');
  const seconds = parseNumber(values.seconds, '--seconds');
  const root = packageRoot();
  const script = join(root, 'test', 'bench', parts[0] === 'batch' ? 'batch.bench.ts' : 'index.bench.ts');
  const tsx = join(root, 'node_modules', '.bin', 'tsx');
  if (!existsSync(script) || !existsSync(tsx)) {
    throw new InputError(
      'the benchmarks run from a source checkout with dev dependencies (npm install): test/bench and tsx',
    );
  }
  const env = {
    ...process.env,
    BENCH_PARTS: parts.join(','),
    ...(seconds !== undefined ? { BENCH_HTTP_SECONDS: String(seconds), BENCH_SECONDS: String(seconds) } : {}),
    ...(values.strict ? { BENCH_STRICT: '1' } : {}),
  };
  return await new Promise<number>((resolve) => {
    const child = spawn(tsx, [script], { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}
