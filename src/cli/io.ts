/** Small helpers shared by CLI commands: argument values that are JSON, a file (@path) or stdin (-). */
import { readFileSync } from 'node:fs';

/** A usage error: wrong or missing flags. Exit code 2. */
export class UsageError extends Error {}
/** Bad input data (unreadable file, invalid JSON, invalid graph or query). Exit code 3. */
export class InputError extends Error {}

export const EXIT = { ok: 0, failure: 1, usage: 2, input: 3 } as const;

/** Parse a JSON argument given inline, as `@file.json`, or `-` for standard input. */
export function readJsonArg(value: string, flag: string): unknown {
  let text = value;
  if (value === '-') text = readFileSync(0, 'utf8');
  else if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (err) {
      throw new InputError(`${flag}: cannot read ${value.slice(1)}: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(
      `${flag}: not valid JSON (${(err as Error).message}); pass JSON inline, @file.json or - for stdin`,
    );
  }
}

export function readJsonFile(path: string, flag: string): unknown {
  return readJsonArg(`@${path}`, flag);
}

export function parseNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`${flag} needs a number, got "${value}"`);
  return n;
}

export function printJson(value: unknown, pretty: boolean): void {
  process.stdout.write(`${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`);
}
