import * as z from 'zod';
import { PairSchema, StorageConfigSchema } from '../../core/config/schema.js';
import { issuePath } from '../../core/validation/index.js';

/**
 * Everything an operator may change in the deployment, read from CDK context: cdk.json's "context" holds
 * the defaults, `npx cdk deploy -c key=value` overrides one. Context given on the command line is always a
 * string, so numbers, booleans and lists are also accepted as their text forms ("64", "true", "A,B").
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

/**
 * `rate(1 hour)`, `rate(30 minutes)`, `rate(2 days)` or `cron(min hour day month weekday year)`.
 * EventBridge wants the singular unit for 1 and the plural otherwise; saying so here beats a failed deploy.
 */
export const ScheduleSchema = z
  .string()
  .refine(
    (value) => parseRate(value) !== undefined || /^cron\(\S+( \S+){5}\)$/.test(value),
    'expected rate(1 hour), rate(N hours|minutes|days) or cron(minutes hours day-of-month month day-of-week year)',
  );

export const InfraConfigSchema = z
  .strictObject({
    /** Name of the CloudFormation stack; the jobs command finds its outputs under it. */
    stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'expected a CloudFormation stack name'),
    /** Pairs trained (one array child each) and served. */
    pairs: list(
      z
        .array(PairSchema)
        .min(1, 'at least one pair')
        .refine((pairs) => new Set(pairs).size === pairs.length, 'pairs must not repeat'),
    ),
    /** When EventBridge submits the training job. */
    schedule: ScheduleSchema,
    /** Minutes between two runs of a cron schedule (a rate says it itself); the staleness alarm needs it. */
    schedulePeriodMinutes: number(z.number().int().min(1).nullable()),
    /** A pair's model is stale when no new one was published within this many schedule periods. */
    stalenessPeriods: int(1, 100),
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
    /** Steady requests per second and burst for the whole stage, keyed or not (health checks are not). */
    stageRateLimit: number(z.number().positive().max(10_000)),
    stageBurstLimit: int(1, 5_000),
    /** Origins allowed by CORS; `*` for any. */
    corsOrigins: list(
      z
        .array(
          z.string().regex(/^(\*|https?:\/\/[^\s/]+)$/, 'expected * or an origin like https://example.com'),
        )
        .min(1),
    ),
    /** Alarm notifications by e-mail; empty for none (subscribe anything else to the topic). */
    alarmEmail: z.union([z.literal(''), z.email('expected an e-mail address, or "" for none')]),
    /** Keep the bucket and its models when the stack is deleted. */
    retainBucket: bool,
    /** Key prefix before models/ in the bucket (storage.prefix of conf/). */
    modelPrefix: StorageConfigSchema.shape.prefix,
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
    if (config.stageBurstLimit < config.stageRateLimit) {
      context.addIssue({
        code: 'custom',
        path: ['stageBurstLimit'],
        message: 'must be at least stageRateLimit',
      });
    }
    const period = schedulePeriodSeconds(config.schedule, config.schedulePeriodMinutes);
    if (period === undefined && !ScheduleSchema.safeParse(config.schedule).success) return;
    if (period === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['schedulePeriodMinutes'],
        message: 'a cron schedule needs the minutes between two runs, for the staleness alarm',
      });
      return;
    }
    // PutMetricAlarm's limits: period x evaluation periods at most 7 days, or 1 day for periods under 1 hour.
    const window = period * config.stalenessPeriods;
    const limit = period < 3600 ? 86_400 : 604_800;
    if (window > limit) {
      context.addIssue({
        code: 'custom',
        path: ['stalenessPeriods'],
        message: `${config.stalenessPeriods} periods of ${period} s exceed CloudWatch's alarm window of ${limit} s`,
      });
    }
  });

export type InfraConfig = z.infer<typeof InfraConfigSchema>;
export type ComputeMode = InfraConfig['compute'];
export type Architecture = InfraConfig['architecture'];

/** The context keys, in the schema's order: what cdk.json's "context" must define. */
export const INFRA_CONTEXT_KEYS = Object.keys(InfraConfigSchema.shape) as (keyof InfraConfig)[];

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
  const raw: Record<string, unknown> = {};
  for (const key of INFRA_CONTEXT_KEYS) raw[key] = lookup(key);
  const result = InfraConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const key = issuePath(issue) || '(context)';
    const top = issue.path[0];
    return { key, reason: issue.message, value: typeof top === 'string' ? raw[top] : undefined };
  });
  throw new InfraConfigError(problems, { cause: result.error });
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_SECONDS = { minute: 60, hour: 3600, day: 86_400 } as const;

/** Seconds between two runs of a rate expression; undefined for anything else. */
export function parseRate(schedule: string): number | undefined {
  const match = RATE.exec(schedule);
  if (match === null) return undefined;
  const count = Number(match[1]);
  const unit = match[2] ?? '';
  const singular = unit.replace(/s$/, '') as keyof typeof UNIT_SECONDS;
  if (count < 1 || (count === 1) !== (unit === singular)) return undefined;
  return count * UNIT_SECONDS[singular];
}

/** Seconds between two scheduled runs: from the rate, else from schedulePeriodMinutes. */
export function schedulePeriodSeconds(schedule: string, periodMinutes: number | null): number | undefined {
  return parseRate(schedule) ?? (periodMinutes === null ? undefined : periodMinutes * 60);
}

/** The families or types of the configured compute mode. */
export function instanceTypesOf(config: InfraConfig): readonly string[] {
  return config.compute === 'gpu' ? config.gpuInstanceTypes : config.cpuInstanceTypes;
}
