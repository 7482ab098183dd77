import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEnvOverrides } from '../../core/config/environment.js';
import { ConfigError } from '../../core/config/errors.js';
import { deepMerge, isPlainObject, parseConfig } from '../../core/config/parse.js';
import { dropRetiredKeys } from '../../core/config/retired.js';
import type { Config } from '../../core/config/schema.js';

export const DEFAULT_CONF_DIR = resolve(fileURLToPath(new URL('../../conf', import.meta.url)));
const BASE_ENV = 'base';

/**
 * How one environment's parameters file is written: conf/ holds YAML (yaml.ts); a Lambda function's
 * bundle holds the same files as JSON (json.ts), so that it needs no YAML parser.
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
