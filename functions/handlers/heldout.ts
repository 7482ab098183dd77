import type { RunRecords } from '../../adapters/storage/run-records.js';
import { ArtifactTooLargeError, ManifestError } from '../../adapters/storage/errors.js';
import type { Config } from '../../core/config/schema.js';
import type { HeldOutForecasts } from '../../core/runs/heldout.js';
import { heldOutCoverage } from '../../core/runs/heldout-coverage.js';
import { UNKNOWN_PAIR_REASONS, UnknownPairError } from '../../serving/errors.js';
import { httpHandler, type ApiHandler } from '../http-handler.js';
import { ERROR_CODES, HttpError } from '../http-errors.js';
import { jsonResponse } from '../responses.js';
import { HeldOutResponseSchema } from '../schemas/heldout.js';
import { HELD_OUT_DEFAULT_HOURS, HeldOutRequestSchema } from '../schemas/runs-request.js';

/** Where the held-out hours are read from: the run records (RunRecords). */
export type HeldOutSource = Pick<RunRecords, 'readHeldOut' | 'newestHeldOut'>;

export interface HeldOutDependencies {
  readonly config: Pick<Config, 'pairs' | 'serving'>;
  readonly runs: HeldOutSource;
}

/**
 * The run's held-out hours, or an answer saying why there are none: a pair with no such run is the
 * caller's to fix (404, with what to ask instead); a file that cannot be read is the store's (503).
 */
async function readHeldOut(
  runs: HeldOutSource,
  pair: string,
  run: string | undefined,
): Promise<HeldOutForecasts> {
  let heldOut: HeldOutForecasts | null;
  try {
    heldOut = run === undefined ? await runs.newestHeldOut(pair) : await runs.readHeldOut(pair, run);
  } catch (error) {
    if (error instanceof ManifestError || error instanceof ArtifactTooLargeError) {
      throw new HttpError(
        503,
        ERROR_CODES.heldOutUnavailable,
        `The held-out hours of ${pair}${run === undefined ? '' : ` run ${run}`} cannot be read; ask for another run`,
        { cause: error, expose: true },
      );
    }
    throw error;
  }
  if (heldOut === null) {
    throw new HttpError(
      404,
      ERROR_CODES.heldOutNotFound,
      run === undefined
        ? `No run of ${pair} has kept its held-out hours yet: they are kept from the first training run that reaches its distribution`
        : `${pair} has no run ${run} with held-out hours (a run that failed before its distribution keeps none); leave out run for the newest`,
    );
  }
  return heldOut;
}

/**
 * GET /heldout?currency=BTC&compare=USDT[&run=ID][&last=N]: a run's last held-out hours, each with the
 * quantiles and 95% interval the served distribution gave it and the close that followed, and how often
 * the closes landed inside.
 */
export function heldoutHandler(dependencies: HeldOutDependencies): ApiHandler {
  const { config, runs } = dependencies;
  return httpHandler(
    { route: 'heldout', corsOrigins: config.serving.cors_origins, schema: HeldOutRequestSchema },
    async (event) => {
      const { currency, compare, run, last = HELD_OUT_DEFAULT_HOURS } = event.input;
      const pair = `${currency}/${compare}`;
      if (!config.pairs.includes(pair)) {
        throw new UnknownPairError(pair, config.pairs, UNKNOWN_PAIR_REASONS.notServed);
      }
      const heldOut = await readHeldOut(runs, pair, run);
      const hours = heldOut.hours.slice(-last);
      const coverage = heldOutCoverage(hours);
      return jsonResponse(HeldOutResponseSchema, {
        pair,
        run_id: heldOut.run_id,
        family: heldOut.family,
        calibrated: heldOut.calibration !== null,
        total_hours: heldOut.hours.length,
        coverage: { ...coverage, outside_i95: [...coverage.outside_i95] },
        hours,
      });
    },
  );
}
