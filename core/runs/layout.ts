import { isVersion, pairSlug } from '../artifacts/layout.js';
import type { RunObjectName } from '../artifacts/bounds.js';
import type { RunSubject } from './run-record.js';

/**
 * Where the runs live in the bucket, beside the models and outside their folder, so that pruning
 * versions (which only walks `{prefix}models/{slug}/`) never touches them:
 *
 * ```
 * {prefix}runs/{slug}/subject.json              the subject the folder holds (a slug is never parsed back)
 * {prefix}runs/{slug}/{run_id}/record.json     every run: published, refused or failed
 * {prefix}runs/{slug}/{run_id}/heldout.json    the run's held-out hours, when it reached them
 * ```
 */
export const RUN_RECORD_FILE = 'record.json' satisfies RunObjectName;
export const HELD_OUT_FILE = 'heldout.json' satisfies RunObjectName;
export const SUBJECT_FILE = 'subject.json' satisfies RunObjectName;

/** `{prefix}runs/`: one folder per subject (pair or shared network). */
export function runsPrefix(prefix: string): string {
  return `${prefix}runs/`;
}

/** `{prefix}runs/{slug}/`: every run of one subject. pairSlug refuses a malformed subject. */
export function subjectRunsPrefix(prefix: string, subject: RunSubject): string {
  return `${runsPrefix(prefix)}${pairSlug(subject)}/`;
}

function checkRunId(runId: string): string {
  if (!isVersion(runId)) {
    throw new RangeError(`Invalid run id "${runId}": expected a UTC stamp like 20261126T064100Z[-a1b2]`);
  }
  return runId;
}

/** `{prefix}runs/{slug}/{run_id}/{name}`. */
export function runObjectKey(
  prefix: string,
  subject: RunSubject,
  runId: string,
  name: RunObjectName,
): string {
  return `${subjectRunsPrefix(prefix, subject)}${checkRunId(runId)}/${name}`;
}

/** `{prefix}runs/{slug}/subject.json`. */
export function subjectKey(prefix: string, subject: RunSubject): string {
  return `${subjectRunsPrefix(prefix, subject)}${SUBJECT_FILE}`;
}
