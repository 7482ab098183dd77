import type { S3Client } from '@aws-sdk/client-s3';
import type * as z from 'zod';
import { RUN_SIZE_LIMITS, type RunObjectName } from '../../core/artifacts/bounds.js';
import { isVersion } from '../../core/artifacts/layout.js';
import { HeldOutForecastsSchema, type HeldOutForecasts } from '../../core/runs/heldout.js';
import {
  HELD_OUT_FILE,
  RUN_RECORD_FILE,
  SUBJECT_FILE,
  runObjectKey,
  runsPrefix,
  subjectKey,
  subjectRunsPrefix,
} from '../../core/runs/layout.js';
import {
  RunRecordSchema,
  SubjectFileSchema,
  type RunRecord,
  type RunSubject,
} from '../../core/runs/run-record.js';
import { issueLines } from '../../core/validation/issues.js';
import { encodeJson, parseJson } from './documents.js';
import { ArtifactError, ArtifactNotFoundError, ArtifactTooLargeError, ManifestError } from './errors.js';
import { ObjectIo, type ByteLimit } from './object-io.js';
import { isConditionFailed } from './s3-errors.js';

const JSON_TYPE = 'application/json';

/** The most runs one listing reads: each is a GET. */
export const MAX_RUNS_LISTED = 1_000;

function limitOf(name: RunObjectName): ByteLimit {
  return { bytes: RUN_SIZE_LIMITS[name], bound: `RUN_SIZE_LIMITS['${name}']` };
}

/** A record that exists but cannot be read: where, and why. Listed apart, never in place of a run. */
export interface UnreadableRun {
  readonly key: string;
  readonly runId: string;
  readonly reason: string;
}

export interface RunListing {
  /** Newest first. */
  readonly records: RunRecord[];
  readonly unreadable: UnreadableRun[];
}

export interface RunRecordsOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** '' or a path ending in '/', as in StorageConfig: the same prefix the models are under. */
  readonly prefix: string;
  /** Keys per ListObjectsV2 page; default 1000. Smaller only to test paging. */
  readonly listPageSize?: number;
}

/** A run's place: its subject's folder name (never parsed back to a subject) and its id. */
interface RunFolder {
  readonly folder: string;
  readonly runId: string;
}

/**
 * The run records under `{prefix}runs/` (core/runs/layout.ts): written once by the training job, one per
 * run, beside its held-out hours; listed newest first, read one by one, each read bounded
 * (RUN_SIZE_LIMITS) and validated. Nothing here touches `{prefix}models/`, and retention touches nothing
 * here: records outlive the versions they describe.
 */
export class RunRecords {
  private readonly objects: ObjectIo;
  private readonly prefix: string;

  public constructor(options: RunRecordsOptions) {
    this.objects = new ObjectIo(options.client, options.bucket, options.listPageSize ?? 1000);
    this.prefix = options.prefix;
  }

  /** Records in the bucket and under the prefix of `store` (an ArtifactStore), with its client. */
  public static beside(store: {
    readonly client: S3Client;
    readonly bucket: string;
    readonly prefix: string;
  }) {
    return new RunRecords({ client: store.client, bucket: store.bucket, prefix: store.prefix });
  }

  /**
   * Writes a run's held-out hours (when given), then its record: a record is there only once what it
   * says was kept is. Each is validated and bounded before it is sent, and written once (If-None-Match):
   * a run's record is never replaced. The subject's subject.json is written (again) first: it names the
   * folder's subject for listings, and lets a store list the folder by one delimited listing (s3rver
   * shows a folder in a delimited listing only when an object lies directly in it).
   */
  public async write(record: RunRecord, heldOut: HeldOutForecasts | null = null): Promise<void> {
    const checked = this.validate(RUN_RECORD_FILE, record, RunRecordSchema);
    let hours: Uint8Array | null = null;
    if (heldOut !== null) {
      if (heldOut.subject !== record.subject || heldOut.run_id !== record.run_id) {
        throw new RangeError(
          `The held-out hours of ${heldOut.subject} run ${heldOut.run_id} cannot go beside the record of ${record.subject} run ${record.run_id}`,
        );
      }
      hours = this.validate(HELD_OUT_FILE, heldOut, HeldOutForecastsSchema);
    }
    await this.writeSubject(record.subject);
    if (hours !== null) {
      await this.writeOnce(runObjectKey(this.prefix, record.subject, record.run_id, HELD_OUT_FILE), hours);
    }
    await this.writeOnce(runObjectKey(this.prefix, record.subject, record.run_id, RUN_RECORD_FILE), checked);
  }

  /** The subjects that have runs, sorted; a folder whose subject.json is unreadable is skipped. */
  public async subjects(): Promise<RunSubject[]> {
    const subjects: RunSubject[] = [];
    for (const folder of await this.subjectFolders()) {
      const key = `${folder}${SUBJECT_FILE}`;
      const bytes = await this.objects.getOrNull(key, limitOf(SUBJECT_FILE));
      if (bytes === null) continue;
      try {
        subjects.push(parseJson(key, bytes, SubjectFileSchema).subject);
      } catch (error) {
        if (!(error instanceof ManifestError)) throw error;
      }
    }
    return subjects.sort();
  }

  /**
   * The newest `last` runs (default 20) of `subject`, or of every subject when none is given, newest first.
   * A record that cannot be read is listed apart with its reason.
   */
  public async list(
    options: { readonly subject?: RunSubject; readonly last?: number } = {},
  ): Promise<RunListing> {
    const last = options.last ?? 20;
    if (!Number.isInteger(last) || last < 1 || last > MAX_RUNS_LISTED) {
      throw new RangeError(`last must be a whole number from 1 to ${MAX_RUNS_LISTED}, got ${last}`);
    }
    const folders =
      options.subject === undefined
        ? await this.subjectFolders()
        : [subjectRunsPrefix(this.prefix, options.subject)];
    const runs: RunFolder[] = [];
    for (const folder of folders) runs.push(...(await this.runsIn(folder)));
    // Newest first across subjects: a run id is its end time, so string order is time order.
    runs.sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
    const records: RunRecord[] = [];
    const unreadable: UnreadableRun[] = [];
    for (const run of runs.slice(0, last)) {
      const key = `${run.folder}${run.runId}/${RUN_RECORD_FILE}`;
      try {
        const record = await this.readKey(key, run.runId);
        if (record !== null) records.push(record);
      } catch (error) {
        if (!(error instanceof ManifestError || error instanceof ArtifactTooLargeError)) throw error;
        unreadable.push({ key, runId: run.runId, reason: error.message });
      }
    }
    return { records, unreadable };
  }

  /** One run's record; ArtifactNotFoundError when `subject` has no run `runId`. */
  public async read(subject: RunSubject, runId: string): Promise<RunRecord> {
    const key = runObjectKey(this.prefix, subject, runId, RUN_RECORD_FILE);
    const record = await this.readKey(key, runId);
    if (record === null) throw new ArtifactNotFoundError(`No run ${runId} of ${subject}`, key);
    if (record.subject !== subject) {
      throw new ManifestError(key, [`the record is about ${record.subject}, not ${subject}`]);
    }
    return record;
  }

  /** The run `runId` of whichever subject has it (ids are unique: a time and random bytes); null if none. */
  public async find(runId: string): Promise<RunRecord | null> {
    if (!isVersion(runId)) {
      throw new RangeError(`Invalid run id "${runId}": expected a UTC stamp like 20261126T064100Z[-a1b2]`);
    }
    for (const folder of await this.subjectFolders()) {
      const record = await this.readKey(`${folder}${runId}/${RUN_RECORD_FILE}`, runId);
      if (record !== null) return record;
    }
    return null;
  }

  /** The held-out hours run `runId` of `subject` kept; null when it kept none (or there is no such run). */
  public async readHeldOut(subject: RunSubject, runId: string): Promise<HeldOutForecasts | null> {
    const key = runObjectKey(this.prefix, subject, runId, HELD_OUT_FILE);
    const bytes = await this.objects.getOrNull(key, limitOf(HELD_OUT_FILE));
    if (bytes === null) return null;
    const heldOut = parseJson(key, bytes, HeldOutForecastsSchema);
    if (heldOut.subject !== subject || heldOut.run_id !== runId) {
      throw new ManifestError(key, [`the file is about ${heldOut.subject} run ${heldOut.run_id}`]);
    }
    return heldOut;
  }

  /** The held-out hours of the newest run of `subject` that kept any; null when none did. */
  public async newestHeldOut(subject: RunSubject): Promise<HeldOutForecasts | null> {
    const base = subjectRunsPrefix(this.prefix, subject);
    const { keys } = await this.objects.list(base);
    const runIds = keys
      .filter((key) => key.endsWith(`/${HELD_OUT_FILE}`))
      .map((key) => key.slice(base.length).split('/')[0] ?? '')
      .filter(isVersion)
      .sort();
    const newest = runIds.at(-1);
    return newest === undefined ? null : this.readHeldOut(subject, newest);
  }

  /** The ids of `subject`'s runs that have a record or held-out hours, newest first. */
  public async runIds(subject: RunSubject): Promise<string[]> {
    return (await this.runsIn(subjectRunsPrefix(this.prefix, subject))).map((run) => run.runId).reverse();
  }

  private async subjectFolders(): Promise<string[]> {
    return (await this.objects.list(runsPrefix(this.prefix), '/')).prefixes.sort();
  }

  /** Run folders under a subject's folder, oldest first; anything that is not a run id is skipped. */
  private async runsIn(folder: string): Promise<RunFolder[]> {
    const { prefixes } = await this.objects.list(folder, '/');
    return prefixes
      .map((prefix) => prefix.slice(folder.length).replace(/\/$/, ''))
      .filter(isVersion)
      .sort()
      .map((runId) => ({ folder, runId }));
  }

  /** A record by key, checked against the run id its folder names; null when there is none. */
  private async readKey(key: string, runId: string): Promise<RunRecord | null> {
    const bytes = await this.objects.getOrNull(key, limitOf(RUN_RECORD_FILE));
    if (bytes === null) return null;
    const record = parseJson(key, bytes, RunRecordSchema);
    if (record.run_id !== runId) {
      throw new ManifestError(key, [`the record is of run ${record.run_id}, stored under run ${runId}`]);
    }
    return record;
  }

  private validate(name: RunObjectName, value: unknown, schema: z.ZodType): Uint8Array {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new ManifestError(name, issueLines(parsed.error));
    const bytes = encodeJson(parsed.data);
    const limit = RUN_SIZE_LIMITS[name];
    if (bytes.byteLength > limit) {
      throw new ArtifactTooLargeError(name, bytes.byteLength, limit, `RUN_SIZE_LIMITS['${name}']`);
    }
    return bytes;
  }

  /** subject.json: the same bytes whenever it is written, so writing it again changes nothing. */
  private async writeSubject(subject: RunSubject): Promise<void> {
    await this.objects.put(subjectKey(this.prefix, subject), encodeJson({ subject }), {
      contentType: JSON_TYPE,
    });
  }

  private async writeOnce(key: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.objects.put(key, bytes, { contentType: JSON_TYPE, condition: { ifNoneMatch: true } });
    } catch (error) {
      if (isConditionFailed(error)) {
        throw new ArtifactError(`${key} exists already; a run's objects are written once`, { cause: error });
      }
      throw error;
    }
  }
}
