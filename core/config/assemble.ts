import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as z from 'zod';
import { applyEnvOverrides } from './environment.js';
import { ConfigError } from './errors.js';
import { dropRetiredKeys } from './retired.js';
import { ConfigSchema, type Config } from './schema.js';
import { issuePath } from '../validation/index.js';

export const DEFAULT_CONF_DIR = resolve(fileURLToPath(new URL('../../conf', import.meta.url)));
const BASE_ENV = 'base';

/**
 * How one environment's parameters file is written: conf/ holds YAML (load.ts); a Lambda function's
 * bundle holds the same files as JSON (load-json.ts), so that it needs no YAML parser.
 */
export interface ConfigFileFormat {
  /** The file in each environment's folder: `parameters.yaml`. */
  readonly fileName: string;
  /** For messages: `not valid YAML: ...`. */
  readonly name: string;
  /** The file's tree; throws when the text is not of the format. */
  parse(text: string): unknown;
}

export interface LoadConfigOptions {
  /** Folder under conf/ whose parameters file overrides base; default `MUR_ENV` or `base`. */
  readonly env?: string | undefined;
  readonly confDir?: string | undefined;
  /** Variables to read overrides from; default `process.env`. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
}

export interface LoadedConfig {
  readonly config: Config;
  readonly env: string;
  /** Files and variables the values came from, in the order they were applied. */
  readonly sources: readonly string[];
  /** Keys that were set but are no longer read (see retired.ts), for the caller to log. */
  readonly warnings: readonly string[];
}

/**
 * Reads conf/base, then conf/{env} over it, then environment variables over both, and validates the
 * result once. Throws ConfigError naming every bad key.
 */
export function loadConfigFiles(format: ConfigFileFormat, options: LoadConfigOptions = {}): LoadedConfig {
  const environment = options.environment ?? process.env;
  const env = options.env ?? environment['MUR_ENV'] ?? BASE_ENV;
  const confDir = options.confDir ?? environment['MUR_CONF_DIR'] ?? DEFAULT_CONF_DIR;
  if (!/^[a-z0-9_-]+$/i.test(env)) {
    throw new ConfigError(
      [{ key: 'MUR_ENV', reason: `"${env}" is not a folder name under ${confDir}` }],
      ['--env'],
    );
  }

  const sources: string[] = [];
  const basePath = join(confDir, BASE_ENV, format.fileName);
  let tree = readTree(format, basePath, sources);
  if (env !== BASE_ENV) {
    const envPath = join(confDir, env, format.fileName);
    if (!existsSync(envPath)) {
      throw new ConfigError([{ key: 'MUR_ENV', reason: `no ${envPath} for environment "${env}"` }], sources);
    }
    tree = deepMerge(tree, readTree(format, envPath, sources));
  }
  for (const applied of applyEnvOverrides(tree, environment)) sources.push(`$${applied.variable}`);

  const warnings = dropRetiredKeys(tree);
  return { config: parseConfig(tree, sources), env, sources, warnings };
}

/** Validates an already merged tree; used by loadConfig and by tests that build configurations. */
export function parseConfig(tree: unknown, sources: readonly string[] = ['(object)']): Config {
  dropRetiredKeys(tree);
  const result = ConfigSchema.safeParse(tree);
  if (!result.success) throw new ConfigError(toProblems(result.error), sources, { cause: result.error });
  return result.data;
}

function toProblems(error: z.ZodError): { key: string; reason: string }[] {
  return error.issues.map((issue) => ({ key: issuePath(issue), reason: issue.message }));
}

/** One environment's parameters file as a mapping of keys (an empty file is an empty mapping). */
export function readTree(
  format: ConfigFileFormat,
  path: string,
  sources: string[] = [],
): Record<string, unknown> {
  if (!existsSync(path)) throw new ConfigError([{ key: '(file)', reason: `${path} does not exist` }], [path]);
  sources.push(path);
  let parsed: unknown;
  try {
    parsed = format.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = `not valid ${format.name}: ${error instanceof Error ? error.message : String(error)}`;
    throw new ConfigError([{ key: '(file)', reason }], [path], { cause: error });
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) {
    throw new ConfigError([{ key: '(file)', reason: 'the top level must be a mapping of keys' }], [path]);
  }
  return parsed;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Mappings merge key by key; anything else (lists included) replaces. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}
