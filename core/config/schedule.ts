import * as z from 'zod';

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\(\S+( \S+){5}\)$/;
const UNIT_SECONDS = { minute: 60, hour: 3600, day: 86_400 } as const;

/** Seconds between two runs of a rate expression; undefined for anything else. */
export function parseRate(expression: string): number | undefined {
  const match = RATE.exec(expression);
  if (match === null) return undefined;
  const count = Number(match[1]);
  const unit = match[2] ?? '';
  const singular = unit.replace(/s$/, '') as keyof typeof UNIT_SECONDS;
  if (count < 1 || (count === 1) !== (unit === singular)) return undefined;
  return count * UNIT_SECONDS[singular];
}

/**
 * `rate(1 hour)`, `rate(30 minutes)`, `rate(2 days)` or `cron(min hour day month weekday year)`, as
 * EventBridge takes them. EventBridge wants the singular unit for 1 and the plural otherwise; saying so
 * here beats a failed deploy.
 */
export const ScheduleExpressionSchema = z
  .string()
  .refine(
    (value) => parseRate(value) !== undefined || CRON.test(value),
    'expected rate(1 hour), rate(N hours|minutes|days) or cron(minutes hours day-of-month month day-of-week year)',
  );

/**
 * When the training job runs. One owner for the whole product: the deployed EventBridge rule, the
 * staleness alarm and the API's `stale` all read it from here.
 */
export const ScheduleConfigSchema = z
  .strictObject({
    expression: ScheduleExpressionSchema,
    /** Minutes between two runs: required for a cron expression; for a rate, it must agree (or be null). */
    period_minutes: z.number().int().min(1).max(43_200).nullable(),
  })
  .superRefine((schedule, context) => {
    const rate = parseRate(schedule.expression);
    if (rate === undefined && schedule.period_minutes === null && CRON.test(schedule.expression)) {
      context.addIssue({
        code: 'custom',
        path: ['period_minutes'],
        message: 'a cron expression needs the minutes between two runs (for the staleness checks)',
      });
    }
    if (rate !== undefined && schedule.period_minutes !== null && schedule.period_minutes * 60 !== rate) {
      context.addIssue({
        code: 'custom',
        path: ['period_minutes'],
        message: `${schedule.period_minutes} disagrees with ${schedule.expression} (${rate / 60} minutes); leave it null`,
      });
    }
  });

export type ScheduleConfig = z.infer<typeof ScheduleConfigSchema>;

/** Seconds between two scheduled runs: from the rate, else from period_minutes. */
export function schedulePeriodSeconds(schedule: ScheduleConfig): number {
  const seconds = parseRate(schedule.expression) ?? (schedule.period_minutes ?? 0) * 60;
  if (!(seconds > 0)) throw new RangeError(`${schedule.expression} has no period: set period_minutes`);
  return seconds;
}
