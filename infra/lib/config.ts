import * as z from 'zod';
import { loadConfig } from '../../adapters/config/yaml.js';
import { ConfigError } from '../../core/config/errors.js';
import type { Config } from '../../core/config/schema.js';
import { schedulePeriodSeconds } from '../../core/config/schedule.js';
import { issuePath } from '../../core/validation/index.js';

/**
 * How the product is deployed, read from CDK context: cdk.json's "context" holds the defaults, `npx cdk
 * deploy -c key=value` overrides one. Context given on the command line is always a string, so numbers,
 * booleans and lists are also accepted as their text forms ("64", "true", "A,B").
 *
 * What the product does (pairs, schedule, staleness, CORS origins, model prefix) is not here: it has one
 * home, conf/{confEnv}/parameters.yaml, which this app reads and the functions and the job bundle.
 */

/** NVIDIA x86_64 families that the training image (CUDA 11.8, linux/amd64) runs on; no AMD (g4ad), no Graviton (g5g). */
const GPU_FAMILY = /^(g4dn|g5|g6|g6e|gr6|p3|p3dn|p4d|p4de|p5)$/;
/** A family (`g5`) or a type (`g5.xlarge`), as AWS Batch accepts them. */
const INSTANCE_TYPE = /^([a-z][a-z0-9-]*)(\.[a-z0-9]+)?$/;
/** CloudWatch Logs only accepts these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653,
] as const;

export const COMPUTE_MODES = ['gpu', 'cpu'] as const;
export const ARCHITECTURES = ['x86_64', 'arm64'] as const;

const fromText = <T extends z.ZodType>(schema: T, parse: (text: string) => unknown) =>
  z.preprocess((value) => (typeof value === 'string' ? parse(value.trim()) : value), schema);

/** A number, or its text (`-c maxVcpus=64`); an empty or non-numeric text stays a string and is refused. */
const number = <T extends z.ZodType>(schema: T) =>
  fromText(schema, (text) => (text !== '' && Number.isFinite(Number(text)) ? Number(text) : text));

const int = (min: number, max: number) => number(z.number().int().min(min).max(max));

const bool = fromText(z.boolean(), (text) => (text === 'true' ? true : text === 'false' ? false : text));

/** An array schema fed a JSON array, or its text: `A,B` or `["A","B"]`. */
const list = <T extends z.ZodType>(schema: T) =>
  fromText(schema, (text) => {
    if (text.startsWith('[')) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    }
    return text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  });

const instanceType = z
  .string()
  .regex(INSTANCE_TYPE, 'expected an EC2 instance family or type, for example g5 or g5.xlarge');

const familyOf = (type: string): string => type.split('.')[0] ?? type;

export const InfraConfigSchema = z
  .strictObject({
    /** Name of the CloudFormation stack; the jobs command finds its outputs under it. */
    stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'expected a CloudFormation stack name'),
    /**
     * The conf/ folder laid over conf/base for everything the product does: the stack reads it here, the
     * functions bundle it and the training job reads it (MUR_ENV).
     */
    confEnv: z
      .string()
      .regex(/^[a-z0-9_-]+$/i, 'expected the name of a folder under conf/, for example base'),
    /** `gpu`: NVIDIA instances and 1 GPU per job; `cpu`: CPU instances, no GPU requirement. */
    compute: z.enum(COMPUTE_MODES),
    gpuInstanceTypes: list(
      z
        .array(instanceType)
        .min(1)
        .refine(
          (types) => types.every((type) => GPU_FAMILY.test(familyOf(type))),
          'expected NVIDIA x86_64 GPU families (g4dn, g5, g6, g6e, gr6, p3, p3dn, p4d, p4de, p5)',
        ),
    ),
    cpuInstanceTypes: list(
      z
        .array(instanceType)
        .min(1)
        .refine(
          (types) =>
            types.every((type) => !GPU_FAMILY.test(familyOf(type)) && !/\dg[a-z]*$/.test(familyOf(type))),
          'expected x86_64 CPU families without GPUs (for example c6i, m6i); Graviton (c7g) cannot run the image',
        ),
    ),
    /** Spot instances: cheaper, may be interrupted (the job's retry covers one interruption). */
    spot: bool,
    /** Upper bound of the compute environment; it scales to 0 when idle. */
    maxVcpus: int(1, 10_000),
    jobVcpus: int(1, 192),
    jobMemoryMiB: int(512, 1_048_576),
    /**
     * One job trains every pair, then the scale network shared across them, so a run grows with the pairs:
     * about 3 min a pair at the speed measured on 2 vCPUs (docs/deploying.md, "Why one job"). cdk.json's 55
     * still fits conf/base's 3 pairs (about 10 min) with room for a slow exchange or a slow instance, and
     * keeps a run inside the hourly period, so it ends before the next one starts. Past about 15 pairs
     * an hourly run outgrows it: change the shape or the period rather than raise the timeout over it.
     */
    jobTimeoutMinutes: int(1, 14 * 24 * 60),
    /** Lambda architecture; arm64 only once a deployed test shows onnxruntime-node works there (docs/deploying.md). */
    architecture: z.enum(ARCHITECTURES),
    functionMemoryMiB: int(128, 10_240),
    /** API Gateway stops waiting after 29 s, so a longer Lambda timeout would only cost money. */
    functionTimeoutSeconds: int(1, 29),
    /** Calls per API key per month (the original system: 1,000). */
    quotaPerMonth: int(1, 1_000_000_000),
    /** Steady requests per second and burst, per API key. */
    throttleRateLimit: number(z.number().positive().max(10_000)),
    throttleBurstLimit: int(1, 5_000),
    /**
     * The operator tier: a second usage plan with its own key (created by the stack), for callers that
     * need more than the default tier (an operator's dashboard, an internal consumer). Its limits must be at
     * least the default tier's.
     */
    operatorQuotaPerMonth: int(1, 1_000_000_000),
    operatorThrottleRateLimit: number(z.number().positive().max(10_000)),
    operatorThrottleBurstLimit: int(1, 5_000),
    /** Steady requests per second and burst for the whole stage, keyed or not (health checks are not). */
    stageRateLimit: number(z.number().positive().max(10_000)),
    stageBurstLimit: int(1, 5_000),
    /**
     * Concurrent executions reserved for (and capping) the predict function; 0 reserves none. Lambda keeps
     * at least 100 of the account's concurrency unreserved, so the sum of every reservation in the account
     * and region must stay 100 under its limit (1,000 by default; new accounts may start lower).
     */
    predictReservedConcurrency: int(0, 10_000),
    /** Concurrent executions reserved for each public health function (/healthz, /readyz); 0 reserves none. */
    healthReservedConcurrency: int(0, 1_000),
    /** A WAF web ACL on the API stage with a rate-based rule per client IP (billed monthly per ACL and rule). */
    waf: bool,
    /** Requests one IP may send in 5 minutes before the web ACL blocks it (WAF's minimum is 10). */
    wafRateLimit: int(10, 2_000_000_000),
    /**
     * Interface VPC endpoints for CloudWatch Logs, ECR and ECS in the training VPC, so that the instances
     * reach those services without the internet. Billed per endpoint, per AZ and per hour, idle or not.
     */
    interfaceEndpoints: bool,
    /**
     * Principals (IAM ARNs, wildcards allowed) besides the training job that may move a pair's latest.json
     * (`npm run jobs -- promote`, a rollback): nothing else under the models prefix.
     */
    modelOperatorArns: list(
      z.array(
        z
          .string()
          .regex(
            /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/*-]+$/,
            'expected IAM role or user ARNs (an assumed role is named by its role ARN), for example arn:aws:iam::123456789012:role/Operator',
          ),
      ),
    ),
    /**
     * sha256 of tfjs-node-gpu's prebuilt N-API binding (GPU-linux-4.22.0.tar.gz), which the image build
     * downloads and refuses without it; no copy could be checked offline when the image was pinned
     * (docs/training-image.md, "Pinning every download").
     */
    tfjsBindingSha256: z.union([
      z.literal(''),
      z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in 64 lower-case hex digits, or "" (none yet)'),
    ]),
    /** Alarm notifications by e-mail; empty for none (subscribe anything else to the topic). */
    alarmEmail: z.union([z.literal(''), z.email('expected an e-mail address, or "" for none')]),
    /** Keep the bucket and its models when the stack is deleted. */
    retainBucket: bool,
    /** Days a replaced or deleted object version is kept before it expires. */
    noncurrentVersionDays: int(1, 3650),
    logRetentionDays: number(
      z
        .number()
        .refine(
          (days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days),
          `expected one of ${LOG_RETENTION_DAYS.join(', ')}`,
        ),
    ),
  })
  .superRefine((config, context) => {
    if (config.jobVcpus > config.maxVcpus) {
      context.addIssue({
        code: 'custom',
        path: ['jobVcpus'],
        message: `must not exceed maxVcpus (${config.maxVcpus})`,
      });
    }
    if (config.throttleBurstLimit < config.throttleRateLimit) {
      context.addIssue({
        code: 'custom',
        path: ['throttleBurstLimit'],
        message: 'must be at least throttleRateLimit',
      });
    }
    if (config.operatorQuotaPerMonth < config.quotaPerMonth) {
      context.addIssue({
        code: 'custom',
        path: ['operatorQuotaPerMonth'],
        message: `must be at least quotaPerMonth (${config.quotaPerMonth}): the operator tier is the higher one`,
      });
    }
    if (config.operatorThrottleRateLimit < config.throttleRateLimit) {
      context.addIssue({
        code: 'custom',
        path: ['operatorThrottleRateLimit'],
        message: `must be at least throttleRateLimit (${config.throttleRateLimit}): the operator tier is the higher one`,
      });
    }
    if (config.operatorThrottleBurstLimit < config.operatorThrottleRateLimit) {
      context.addIssue({
        code: 'custom',
        path: ['operatorThrottleBurstLimit'],
        message: 'must be at least operatorThrottleRateLimit',
      });
    }
    if (config.stageBurstLimit < config.stageRateLimit) {
      context.addIssue({
        code: 'custom',
        path: ['stageBurstLimit'],
        message: 'must be at least stageRateLimit',
      });
    }
  });

export type InfraConfig = z.infer<typeof InfraConfigSchema>;
export type ComputeMode = InfraConfig['compute'];
export type Architecture = InfraConfig['architecture'];

/** The context keys, in the schema's order: what cdk.json's "context" must define. */
export const INFRA_CONTEXT_KEYS = Object.keys(InfraConfigSchema.shape) as (keyof InfraConfig)[];

/**
 * Context keys an earlier version read, and the conf/ key that owns each now. Setting one in context
 * stops synth, naming where the setting lives: a value set in two places silently disagrees.
 */
export const CONF_OWNED_CONTEXT_KEYS = {
  pairs: 'pairs',
  schedule: 'schedule.expression',
  schedulePeriodMinutes: 'schedule.period_minutes',
  stalenessPeriods: 'serving.stale_after_periods',
  corsOrigins: 'serving.cors_origins',
  modelPrefix: 'storage.prefix',
} as const;

/** A context value that cannot be used; the message names every bad key and how to set it. */
export class InfraConfigError extends Error {
  public readonly keys: readonly string[];

  public constructor(
    problems: readonly { key: string; reason: string; value: unknown }[],
    options?: ErrorOptions,
  ) {
    const lines = problems.map(
      (p) => `  - ${p.key}: ${p.reason} (got ${p.value === undefined ? 'nothing' : JSON.stringify(p.value)})`,
    );
    super(
      `Invalid CDK context:\n${lines.join('\n')}\n` +
        'Set the defaults in cdk.json "context", or override one with `npx cdk synth -c key=value`.',
      options,
    );
    this.name = 'InfraConfigError';
    this.keys = problems.map((p) => p.key);
  }
}

/** Reads and validates every key of the infra configuration through `lookup` (a construct's tryGetContext). */
export function readInfraConfig(lookup: (key: string) => unknown): InfraConfig {
  const owned = Object.entries(CONF_OWNED_CONTEXT_KEYS).flatMap(([key, confKey]) => {
    const value = lookup(key);
    return value === undefined
      ? []
      : [
          {
            key,
            reason: `set it as ${confKey} in conf/{confEnv}/parameters.yaml instead: the stack, the functions and the training job all read it there`,
            value,
          },
        ];
  });
  const raw: Record<string, unknown> = {};
  for (const key of INFRA_CONTEXT_KEYS) raw[key] = lookup(key);
  const result = InfraConfigSchema.safeParse(raw);
  const problems = [
    ...owned,
    ...(result.success
      ? []
      : result.error.issues.map((issue) => {
          const key = issuePath(issue) || '(context)';
          const top = issue.path[0];
          return { key, reason: issue.message, value: typeof top === 'string' ? raw[top] : undefined };
        })),
  ];
  if (problems.length > 0 || !result.success) {
    throw new InfraConfigError(problems, result.success ? undefined : { cause: result.error });
  }
  return result.data;
}

/** What the stack is built from: how it is deployed (context) and what the product does (conf/). */
export interface Deployment {
  readonly infra: InfraConfig;
  /** conf/base with conf/{infra.confEnv} over it, read with no environment variables. */
  readonly conf: Config;
}

/**
 * The deployment: the context, and the conf/ folder it names, read as the functions will read their
 * bundled copy. The shell's environment is not consulted (a PAIRS set in the operator's terminal must not
 * reach the stack while the functions read the file). A conf/ value the deployment cannot honour (a
 * staleness window over CloudWatch's limit) stops synth like a bad context value.
 */
export function readDeployment(
  lookup: (key: string) => unknown,
  options: { readonly confDir?: string } = {},
): Deployment {
  const infra = readInfraConfig(lookup);
  let conf: Config;
  try {
    conf = loadConfig({ env: infra.confEnv, environment: {}, confDir: options.confDir }).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new InfraConfigError(
      error.problems.map((problem) => ({
        key: `conf/${infra.confEnv}: ${problem.key}`,
        reason: problem.reason,
        value: undefined,
      })),
      { cause: error },
    );
  }
  // PutMetricAlarm's limits: period x evaluation periods at most 7 days, or 1 day for periods under 1 hour.
  const period = schedulePeriodSeconds(conf.schedule);
  const window = period * conf.serving.stale_after_periods;
  const limit = period < 3600 ? 86_400 : 604_800;
  if (window > limit) {
    throw new InfraConfigError([
      {
        key: `conf/${infra.confEnv}: serving.stale_after_periods`,
        reason: `${conf.serving.stale_after_periods} periods of ${period} s exceed CloudWatch's alarm window of ${limit} s`,
        value: conf.serving.stale_after_periods,
      },
    ]);
  }
  return { infra, conf };
}

/** The families or types of the configured compute mode. */
export function instanceTypesOf(config: InfraConfig): readonly string[] {
  return config.compute === 'gpu' ? config.gpuInstanceTypes : config.cpuInstanceTypes;
}
