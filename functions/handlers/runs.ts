import type { RunRecords } from '../../adapters/storage/run-records.js';
import {
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  ManifestError,
} from '../../adapters/storage/errors.js';
import type { Config } from '../../core/config/schema.js';
import { NETWORK_SUBJECT, type RunRecord, type RunSubject } from '../../core/runs/run-record.js';
import { UNKNOWN_PAIR_REASONS, UnknownPairError } from '../../serving/errors.js';
import { httpHandler, type ApiHandler } from '../http-handler.js';
import { ERROR_CODES, HttpError, badRequest } from '../http-errors.js';
import { jsonResponse } from '../responses.js';
import { RunsResponseSchema, type RunsResponse } from '../schemas/runs.js';
import { RUNS_DEFAULT_LISTED, RunsRequestSchema, type RunsRequest } from '../schemas/runs-request.js';

/** Where the runs are read from: the run records (RunRecords). */
export type RunSource = Pick<RunRecords, 'list' | 'read' | 'find'>;

export interface RunsDependencies {
  readonly config: Pick<Config, 'pairs' | 'serving'>;
  readonly runs: RunSource;
}

/** What an unreadable record is called in an answer: never its key, which names the bucket's layout. */
const UNREADABLE = 'the record cannot be read: it does not validate, or is larger than its bound';

/** The subject the request names, or undefined for every subject; a pair not served is a 404. */
function subjectOf(input: RunsRequest, pairs: readonly string[]): RunSubject | undefined {
  const { currency, compare } = input;
  if (currency === undefined && compare === undefined) return undefined;
  if (currency === undefined) throw badRequest('currency', 'required with compare (the base currency)');
  if (compare === undefined) throw badRequest('compare', 'required with currency (the quote currency)');
  const subject = `${currency}/${compare}`;
  if (subject !== NETWORK_SUBJECT && !pairs.includes(subject)) {
    throw new UnknownPairError(subject, pairs, UNKNOWN_PAIR_REASONS.notServed);
  }
  return subject;
}

function unavailable(what: string, cause: unknown): HttpError {
  return new HttpError(503, ERROR_CODES.runsUnavailable, `${what} cannot be read; ask for another run`, {
    cause,
    expose: true,
  });
}

/** One run by its id, of `subject` or of whichever subject has it; a 404 saying what to ask instead. */
async function oneRun(runs: RunSource, runId: string, subject: RunSubject | undefined): Promise<RunRecord> {
  const missing = (): HttpError =>
    new HttpError(
      404,
      ERROR_CODES.runNotFound,
      `No run ${runId}${subject === undefined ? '' : ` of ${subject}`}; leave out run to list the newest`,
    );
  try {
    const record = subject === undefined ? await runs.find(runId) : await runs.read(subject, runId);
    if (record === null) throw missing();
    return record;
  } catch (error) {
    if (error instanceof ArtifactNotFoundError) throw missing();
    if (error instanceof ManifestError || error instanceof ArtifactTooLargeError) {
      throw unavailable(`The record of run ${runId}`, error);
    }
    throw error;
  }
}

/**
 * GET /runs[?currency=BTC&compare=USDT][&last=N] or GET /runs?run=ID: the training runs the job recorded,
 * published, refused or failed, newest first; or one of them.
 */
export function runsHandler(dependencies: RunsDependencies): ApiHandler {
  const { config, runs } = dependencies;
  return httpHandler(
    { route: 'runs', corsOrigins: config.serving.cors_origins, schema: RunsRequestSchema },
    async (event) => {
      const input = event.input;
      const subject = subjectOf(input, config.pairs);
      let answer: RunsResponse;
      if (input.run !== undefined) {
        if (input.last !== undefined) throw badRequest('last', 'not with run (one run is answered)');
        answer = { runs: [await oneRun(runs, input.run, subject)], unreadable: [] };
      } else {
        const listing = await runs.list({
          ...(subject === undefined ? {} : { subject }),
          last: input.last ?? RUNS_DEFAULT_LISTED,
        });
        answer = {
          runs: listing.records,
          unreadable: listing.unreadable.map((run) => ({ run_id: run.runId, reason: UNREADABLE })),
        };
      }
      return jsonResponse(RunsResponseSchema, answer);
    },
  );
}
