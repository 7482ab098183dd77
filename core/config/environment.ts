/**
 * Environment variables that override YAML, for deployments (Batch, Lambda) where
 * the infrastructure knows the bucket and the pairs and the image does not.
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
  S3_ENDPOINT: {
    key: ['storage', 'endpoint'],
    kind: 'string',
    help: 'S3-compatible endpoint (MinIO, local server)',
  },
  AWS_REGION: { key: ['storage', 'region'], kind: 'string', help: 'region of the bucket' },
} as const;

export type EnvOverrideName = keyof typeof ENV_OVERRIDES;

export interface AppliedOverride {
  readonly variable: EnvOverrideName;
  readonly key: string;
}

/** Writes each set override into `target` (a parsed YAML tree) and says which were applied. */
export function applyEnvOverrides(
  target: Record<string, unknown>,
  environment: Readonly<Record<string, string | undefined>>,
): AppliedOverride[] {
  const applied: AppliedOverride[] = [];
  for (const [variable, spec] of Object.entries(ENV_OVERRIDES) as [
    EnvOverrideName,
    (typeof ENV_OVERRIDES)[EnvOverrideName],
  ][]) {
    const raw = environment[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const value =
      spec.kind === 'list'
        ? raw
            .split(',')
            .map((item) => item.trim())
            .filter((item) => item.length > 0)
        : raw.trim();
    setPath(target, spec.key, value);
    applied.push({ variable, key: spec.key.join('.') });
  }
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
