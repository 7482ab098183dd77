import * as z from 'zod';
import { VERSION_PATTERN } from '../../core/artifacts/layout.js';
import { currency, PAIR_FIELDS } from './request.js';

/**
 * The request schemas of the run records' routes (GET /heldout, GET /runs), apart from request.ts so that
 * the functions that never read runs (/healthz above all) do not carry the run id's pattern.
 */

/** Held-out hours one answer carries at most, and by default: a page of them, well under Lambda's 6 MB. */
export const HELD_OUT_MAX_HOURS = 5_000;
export const HELD_OUT_DEFAULT_HOURS = 500;

/** An optional run id: a published run's id is its version. */
function runId() {
  return z
    .string({ error: 'expected text (a run id)' })
    .regex(
      VERSION_PATTERN,
      "expected a run id like 20261126T064100Z-a1b2 (a published run's id is its version)",
    )
    .optional();
}

/** An optional whole number of `unit`s from 1 to `max`, as a query string gives it (at most `digits` digits). */
function count(unit: string, digits: number, max: number) {
  return z
    .string({ error: `expected a whole number of ${unit}s` })
    .regex(new RegExp(`^\\d{1,${digits}}$`), `expected a whole number of ${unit}s`)
    .transform(Number)
    .pipe(z.number().int().min(1, `expected at least 1 ${unit}`).max(max, `expected at most ${max} ${unit}s`))
    .optional();
}

/**
 * GET /heldout: the pair as /predict takes it, which run (a published run's id is its version, as
 * /predict's `model.version` says), and how many of its last held-out hours.
 */
export const HeldOutRequestSchema = z
  .strictObject({
    ...PAIR_FIELDS,
    run: runId().meta({
      description:
        "The run whose held-out hours to answer; a published run's id is its version (/predict's model.version). Default: the pair's newest run that kept them.",
      examples: ['20261126T064100Z-a1b2'],
    }),
    last: count('hour', 6, HELD_OUT_MAX_HOURS).meta({
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
    run: runId().meta({
      description:
        "One run by its id (a published run's id is its version, /predict's model.version); currency and compare may narrow where it is looked for.",
      examples: ['20261126T064100Z-a1b2'],
    }),
    last: count('run', 4, RUNS_MAX_LISTED).meta({
      description: `How many of the newest runs to list, 1 to ${RUNS_MAX_LISTED} (default ${RUNS_DEFAULT_LISTED}).`,
      examples: ['5'],
    }),
  })
  .meta({ description: 'Whose runs: a subject or every one, the newest few, or one run by its id.' });

export type RunsRequest = z.output<typeof RunsRequestSchema>;
