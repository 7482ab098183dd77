import { ConfigError, type ConfigProblem } from './errors.js';

/**
 * Environment variables that override YAML: the bucket the infrastructure created (MODEL_BUCKET), and
 * for a developer's runs (docker run, a local endpoint) the rest. The CDK app sets none of the settings
 * conf/ owns (pairs, schedule, staleness, CORS origins, model prefix): a deployment reads them from the
 * conf/ folder it bundles, so the deployed value and the file cannot disagree.
 */
export const ENV_OVERRIDES = {
  PAIRS: { key: ['pairs'], kind: 'list', help: 'comma-separated pairs, for example BTC/USDT,ETH/USDT' },
  EXCHANGE_ID: { key: ['exchange', 'id'], kind: 'string', help: 'ccxt exchange id' },
  EXCHANGE_URL: {
    key: ['exchange', 'url'],
    kind: 'string',
    help: 'ccxt-compatible endpoint replacing the exchange API',
  },
  MODEL_BUCKET: { key: ['storage', 'bucket'], kind: 'string', help: 'artifact bucket' },
  MODEL_PREFIX: { key: ['storage', 'prefix'], kind: 'string', help: 'key prefix inside the bucket' },
  MODEL_SIGNING_KEY: {
    key: ['storage', 'signing_key'],
    kind: 'string',
    help: 'kms:<key ARN> or file:<folder>: the key that signs and verifies published versions',
  },
  S3_ENDPOINT: {
    key: ['storage', 'endpoint'],
    kind: 'string',
    help: 'S3-compatible endpoint (MinIO, local server)',
  },
  AWS_REGION: { key: ['storage', 'region'], kind: 'string', help: 'region of the bucket' },
  STALE_AFTER_PERIODS: {
    key: ['serving', 'stale_after_periods'],
    kind: 'int',
    help: 'schedule periods after which a model is reported stale',
  },
  CORS_ORIGINS: {
    key: ['serving', 'cors_origins'],
    kind: 'list',
    help: 'comma-separated origins allowed by CORS, or *',
  },
} as const;

export type EnvOverrideName = keyof typeof ENV_OVERRIDES;

export interface AppliedOverride {
  readonly variable: EnvOverrideName;
  readonly key: string;
}

/** A whole number, as written: "60", not "60.0", "1e3" or "1h". Ranges are the schema's to check. */
const WHOLE_NUMBER = /^[+-]?\d+$/;

/**
 * Writes each set override into `target` (a parsed YAML tree) and says which were applied. A value its
 * kind cannot parse throws ConfigError naming the key and the variable: the schema would only say
 * "expected number, received string".
 */
export function applyEnvOverrides(
  target: Record<string, unknown>,
  environment: Readonly<Record<string, string | undefined>>,
): AppliedOverride[] {
  const applied: AppliedOverride[] = [];
  const problems: ConfigProblem[] = [];
  const refused: string[] = [];
  for (const [variable, spec] of Object.entries(ENV_OVERRIDES) as [
    EnvOverrideName,
    (typeof ENV_OVERRIDES)[EnvOverrideName],
  ][]) {
    const raw = environment[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const key = spec.key.join('.');
    let value: unknown;
    if (spec.kind === 'list') {
      value = raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
    } else if (spec.kind === 'int') {
      if (!WHOLE_NUMBER.test(raw.trim())) {
        problems.push({ key, reason: `$${variable} is "${raw}", expected a whole number (${spec.help})` });
        refused.push(`$${variable}`);
        continue;
      }
      value = Number(raw.trim());
    } else {
      value = raw.trim();
    }
    setPath(target, spec.key, value);
    applied.push({ variable, key });
  }
  if (problems.length > 0) throw new ConfigError(problems, refused);
  return applied;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    const child = node[segment];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}
