/** The `pluralign` command line. Each command has --help; exit codes: 0 ok, 1 failure, 2 usage, 3 input. */
import { AlignError } from '../pipeline/align.js';
import { ScmError } from '../scm/index.js';
import { ProfileError } from '../values/index.js';
import * as alignCmd from './commands/align.js';
import * as attributeCmd from './commands/attribute.js';
import * as batchCmd from './commands/batch.js';
import * as benchCmd from './commands/bench.js';
import * as counterfactualCmd from './commands/counterfactual.js';
import * as decideCmd from './commands/decide.js';
import * as evalCmd from './commands/eval.js';
import * as fitCmd from './commands/fit.js';
import * as serveCmd from './commands/serve.js';
import * as workerCmd from './commands/worker.js';
import { help as decisionEvalHelp } from './commands/eval-decisions.js';
import { EXIT, InputError, UsageError } from './io.js';

interface Command {
  summary: string;
  help: string;
  run: (argv: string[]) => number | Promise<number>;
}

export const commands: Record<string, Command> = {
  serve: { summary: 'run the HTTP service (same as npm start)', ...serveCmd },
  batch: { summary: 'submit a batch file to a server, follow it, fetch its output', ...batchCmd },
  worker: { summary: 'work batch jobs from Redis (REDIS_URL; any number of workers)', ...workerCmd },
  align: { summary: 'answer a question from a target value profile (locally)', ...alignCmd },
  attribute: { summary: 'read a value profile from a text', ...attributeCmd },
  counterfactual: {
    summary: 'run a counterfactual query on a graph (JSON in, JSON out)',
    ...counterfactualCmd,
  },
  decide: { summary: 'rank candidate actions for a value profile (POST /v1/decisions)', ...decideCmd },
  fit: { summary: "fit a graph's linear mechanisms from a data table", ...fitCmd },
  bench: { summary: 'run the benchmarks: ratios against baselines in the same run', ...benchCmd },
  eval: { summary: 'measure how well a backend follows value profiles (MAE, Spearman ρ, CIs)', ...evalCmd },
};

export function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return `pluralign — steer a language model to a value profile with a structural causal model

Usage: pluralign <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Run "pluralign <command> --help" for a command's options and examples.`;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    console.log(mainHelp());
    return name ? EXIT.ok : EXIT.usage;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(
      `pluralign: unknown command "${name}"; commands: ${Object.keys(commands).join(', ')} (see pluralign --help)`,
    );
    return EXIT.usage;
  }
  // Every command's --help (-h): its usage, examples and exit codes. Only options before `--` count.
  const options = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (options.includes('--help') || options.includes('-h')) {
    const decisions =
      name === 'eval' &&
      options.some((o, i) => o === '--task=decisions' || (o === 'decisions' && options[i - 1] === '--task'));
    console.log(decisions ? decisionEvalHelp : cmd.help);
    return EXIT.ok;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (err instanceof UsageError || e.code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`pluralign ${name}: ${e.message}\nRun "pluralign ${name} --help" for usage.`);
      return EXIT.usage;
    }
    if (
      err instanceof InputError ||
      err instanceof ScmError ||
      err instanceof ProfileError ||
      err instanceof AlignError
    ) {
      console.error(`pluralign ${name}: ${e.message}`);
      return EXIT.input;
    }
    console.error(`pluralign ${name}: unexpected failure: ${e.stack ?? e.message}`);
    return EXIT.failure;
  }
}
