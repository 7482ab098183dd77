import * as z from 'zod';
import { VERSION_PATTERN } from '../../core/artifacts/layout.js';
import { currency } from './request.js';

/**
 * The request schemas of the run records' routes (GET /heldout, GET /runs), apart from request.ts so that
 * the functions that never read runs (/healthz above all) do not carry the run id's pattern.
 */

/** Held-out hours one answer carries at most, and by default: a page of them, well under Lambda's 6 MB. */
export const HELD_OUT_MAX_HOURS = 5_000;
export const HELD_OUT_DEFAULT_HOURS = 500;

/**
 * GET /heldout: the pair as /predict takes it, which run (a published run's id is its version, as
 * /predict's `model.version` says), and how many of its last held-out hours.
 */
export const HeldOutRequestSchema = z
  .strictObject({
    currency: currency('the base currency, for example BTC').meta({
      description: 'Base currency, case-insensitive: 2 to 12 letters or digits.',
      examples: ['BTC'],
    }),
    compare: currency('the quote currency, for example USDT').meta({
      description: 'Quote currency, case-insensitive: 2 to 12 letters or digits.',
      examples: ['USDT'],
    }),
    run: z
      .string({ error: 'expected text (a run id)' })
      .regex(
        VERSION_PATTERN,
        "expected a run id like 20261126T064100Z-a1b2 (a published run's id is its version)",
      )
      .optional()
      .meta({
        description:
          "The run whose held-out hours to answer; a published run's id is its version (/predict's model.version). Default: the pair's newest run that kept them.",
        examples: ['20261126T064100Z-a1b2'],
      }),
    last: z
      .string({ error: 'expected a whole number of hours' })
      .regex(/^\d{1,6}$/, 'expected a whole number of hours')
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, 'expected at least 1 hour')
          .max(HELD_OUT_MAX_HOURS, `expected at most ${HELD_OUT_MAX_HOURS} hours`),
      )
      .optional()
      .meta({
        description: `How many of the run's last held-out hours to answer, 1 to ${HELD_OUT_MAX_HOURS} (default ${HELD_OUT_DEFAULT_HOURS}).`,
        examples: ['168'],
      }),
  })
  .meta({ description: 'Whose held-out hours: a pair, and optionally a run and how many hours.' });

export type HeldOutRequest = z.output<typeof HeldOutRequestSchema>;

/** Runs one answer lists at most, and by default: each record carries its learning curve. */
export const RUNS_MAX_LISTED = 100;
export const RUNS_DEFAULT_LISTED = 20;

/**
 * GET /runs: the newest training runs (of one subject, or of every one), or one run by its id. The
 * subject is a served pair as /predict takes it, or NETWORK and SCALE for the shared scale network.
 */
export const RunsRequestSchema = z
  .strictObject({
    currency: currency('the base currency, for example BTC, or NETWORK for the shared network')
      .optional()
      .meta({
        description:
          'Base currency of the pair whose runs to list (with compare), case-insensitive; NETWORK (with compare=SCALE) for the shared scale network. Default: every subject.',
        examples: ['BTC'],
      }),
    compare: currency('the quote currency, for example USDT, or SCALE for the shared network')
      .optional()
      .meta({
        description: 'Quote currency of the pair (with currency), case-insensitive.',
        examples: ['USDT'],
      }),
    run: z
      .string({ error: 'expected text (a run id)' })
      .regex(
        VERSION_PATTERN,
        "expected a run id like 20261126T064100Z-a1b2 (a published run's id is its version)",
      )
      .optional()
      .meta({
        description:
          "One run by its id (a published run's id is its version, /predict's model.version); currency and compare may narrow where it is looked for.",
        examples: ['20261126T064100Z-a1b2'],
      }),
    last: z
      .string({ error: 'expected a whole number of runs' })
      .regex(/^\d{1,4}$/, 'expected a whole number of runs')
      .transform(Number)
      .pipe(
        z
          .number()
          .int()
          .min(1, 'expected at least 1 run')
          .max(RUNS_MAX_LISTED, `expected at most ${RUNS_MAX_LISTED} runs`),
      )
      .optional()
      .meta({
        description: `How many of the newest runs to list, 1 to ${RUNS_MAX_LISTED} (default ${RUNS_DEFAULT_LISTED}).`,
        examples: ['5'],
      }),
  })
  .meta({ description: 'Whose runs: a subject or every one, the newest few, or one run by its id.' });

export type RunsRequest = z.output<typeof RunsRequestSchema>;
