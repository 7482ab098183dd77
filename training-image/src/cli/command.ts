/**
 * What every command-line entry point of the training image does the same way: parse number flags,
 * name its output files, print paths, and turn main's outcome into an exit code and a one-line reason.
 */
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { InvalidArgumentError } from 'commander';
import * as z from 'zod';
import { ConfigError } from '../../../core/config/index.js';
import { errorReason } from './reason.js';

/** Commander hands option values over as text; `schema` says which numbers a flag takes, `what` names them. */
export function numberArgument(schema: z.ZodNumber, what: string): (value: string) => number {
  return (value: string): number => {
    const parsed = schema.safeParse(value.trim() === '' ? Number.NaN : Number(value));
    if (!parsed.success) throw new InvalidArgumentError(`expected ${what}.`);
    return parsed.data;
  };
}

export function wholeNumber(min: number): (value: string) => number {
  return numberArgument(z.number().int().min(min), `a whole number of at least ${min}`);
}

/** `dir`/`name`.`extension` for each extension, in the same order, once `dir` exists. */
export async function outputPaths<const E extends readonly string[]>(
  dir: string,
  name: string,
  extensions: E,
): Promise<{ [K in keyof E]: string }> {
  await mkdir(dir, { recursive: true });
  return extensions.map((extension) => join(dir, `${name}.${extension}`)) as { [K in keyof E]: string };
}

/** Paths under the working folder print relative to it, as a person typed them. */
export function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

/**
 * Runs a command's main on this process's arguments and sets the exit code: main's own, `configExitCode`
 * for a bad configuration, 1 for any other failure.
 */
export function runCommand(
  name: string,
  main: (argv: readonly string[]) => Promise<number>,
  configExitCode = 2,
): void {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // Configuration errors already name every bad key; anything else gets its one-line reason.
      console.error(error instanceof ConfigError ? error.message : `${name}: ${errorReason(error)}`);
      process.exitCode = error instanceof ConfigError ? configExitCode : 1;
    },
  );
}
