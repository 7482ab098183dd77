import {
  DescribeJobsCommand,
  JobStatus,
  ListJobsCommand,
  type BatchClient,
  type JobDetail,
  type JobSummary,
} from '@aws-sdk/client-batch';

/** Statuses in the order a run goes through them. */
export const RUN_STATUSES = [
  JobStatus.SUBMITTED,
  JobStatus.PENDING,
  JobStatus.RUNNABLE,
  JobStatus.STARTING,
  JobStatus.RUNNING,
  JobStatus.SUCCEEDED,
  JobStatus.FAILED,
] as const;

/**
 * One training run: one job, of every deployed pair or of one. Runs submitted before training became one
 * job were array jobs, one child per pair; while Batch still lists them, their children are summed up.
 */
export interface TrainingRun {
  readonly jobId: string;
  readonly jobName: string;
  readonly status: string;
  readonly createdAt: number | undefined;
  readonly startedAt: number | undefined;
  readonly stoppedAt: number | undefined;
  /** `3 children: 2 SUCCEEDED, 1 FAILED` for an old array job; else undefined. */
  readonly progress: string | undefined;
  /** Why a FAILED run failed, down to the container's reason (an old array job: each failed child's). */
  readonly reason: string | undefined;
}

export interface ListOptions {
  readonly queue: string;
  /** Runs shown at most, newest first. */
  readonly limit: number;
}

/**
 * The newest runs of the queue in every status. ListJobs returns one status at a time (and, of an array
 * job, only its parent); DescribeJobs adds the container's reason of a failure.
 */
export async function listRuns(client: BatchClient, options: ListOptions): Promise<TrainingRun[]> {
  const summaries: JobSummary[] = [];
  for (const status of RUN_STATUSES) {
    summaries.push(
      ...(await listJobs(client, { jobQueue: options.queue, jobStatus: status }, options.limit)),
    );
  }
  const newest = summaries.sort((a, b) => (b.createdAt ?? 0) - (a.createdAt ?? 0)).slice(0, options.limit);
  const details = await describeJobs(
    client,
    newest.map((job) => job.jobId ?? ''),
  );
  const runs: TrainingRun[] = [];
  for (const summary of newest) {
    const detail = details.get(summary.jobId ?? '');
    runs.push({
      jobId: summary.jobId ?? '',
      jobName: summary.jobName ?? '',
      status: summary.status ?? detail?.status ?? 'UNKNOWN',
      createdAt: summary.createdAt ?? detail?.createdAt,
      startedAt: summary.startedAt ?? detail?.startedAt,
      stoppedAt: summary.stoppedAt ?? detail?.stoppedAt,
      progress: progressOf(detail),
      reason: summary.status === JobStatus.FAILED ? await failureReason(client, summary, detail) : undefined,
    });
  }
  return runs;
}

async function listJobs(
  client: BatchClient,
  filter: { jobQueue?: string; arrayJobId?: string; jobStatus: JobStatus },
  limit: number,
): Promise<JobSummary[]> {
  const jobs: JobSummary[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new ListJobsCommand({
        ...filter,
        maxResults: Math.min(100, limit),
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    jobs.push(...(page.jobSummaryList ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined && jobs.length < limit);
  return jobs;
}

/** DescribeJobs takes at most 100 ids a call. */
async function describeJobs(client: BatchClient, ids: readonly string[]): Promise<Map<string, JobDetail>> {
  const details = new Map<string, JobDetail>();
  for (let start = 0; start < ids.length; start += 100) {
    const page = await client.send(new DescribeJobsCommand({ jobs: ids.slice(start, start + 100) }));
    for (const job of page.jobs ?? []) if (job.jobId !== undefined) details.set(job.jobId, job);
  }
  return details;
}

function progressOf(detail: JobDetail | undefined): string | undefined {
  const array = detail?.arrayProperties;
  if (array?.size === undefined) return undefined;
  const counts = Object.entries(array.statusSummary ?? {})
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`);
  return `${array.size} children${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`;
}

/**
 * The job's own reason, then what its container said; for an old array job, each failed child with the
 * pair its index picked from PAIRS.
 */
async function failureReason(
  client: BatchClient,
  summary: JobSummary,
  detail: JobDetail | undefined,
): Promise<string> {
  const own = attemptReason(detail) ?? summary.statusReason ?? detail?.statusReason ?? 'no reason given';
  if (detail?.arrayProperties?.size === undefined || summary.jobId === undefined) return own;
  const pairs = environmentOf(detail, 'PAIRS')?.split(',') ?? [];
  const failed = await listJobs(client, { arrayJobId: summary.jobId, jobStatus: JobStatus.FAILED }, 100);
  const children = await describeJobs(
    client,
    failed.map((child) => child.jobId ?? ''),
  );
  const lines = failed.map((child) => {
    const index = child.arrayProperties?.index;
    const pair = index === undefined ? undefined : pairs[index];
    const label = `child ${index ?? '?'}${pair === undefined ? '' : ` (${pair})`}`;
    const childDetail = children.get(child.jobId ?? '');
    return `${label}: ${attemptReason(childDetail) ?? child.statusReason ?? 'no reason given'}`;
  });
  return lines.length > 0 ? `${summary.statusReason ?? own}; ${lines.join('; ')}` : own;
}

/** `Essential container in task exited (exit code 1)`, from the last attempt. */
function attemptReason(detail: JobDetail | undefined): string | undefined {
  const attempt = detail?.attempts?.at(-1);
  const container = attempt?.container ?? detail?.container;
  const parts = [
    attempt?.statusReason ?? detail?.statusReason,
    container?.reason,
    container?.exitCode === undefined ? undefined : `exit code ${container.exitCode}`,
  ].filter((part): part is string => part !== undefined && part !== '');
  return parts.length === 0 ? undefined : [...new Set(parts)].join(', ');
}

function environmentOf(detail: JobDetail, name: string): string | undefined {
  return detail.container?.environment?.find((entry) => entry.name === name)?.value;
}

const COLUMNS = ['STATUS', 'NAME', 'JOB ID', 'CREATED', 'STARTED', 'STOPPED', 'DETAIL'] as const;

/** A fixed-width table, newest first; the last column (progress or reason) is never cut. */
export function renderRuns(runs: readonly TrainingRun[], queue: string): string {
  if (runs.length === 0) return `No training runs in ${queue}.`;
  const rows = runs.map((run) => [
    run.status,
    run.jobName,
    run.jobId,
    formatTime(run.createdAt),
    formatTime(run.startedAt),
    formatTime(run.stoppedAt),
    [run.progress, run.reason].filter((part) => part !== undefined).join(' - '),
  ]);
  const widths = COLUMNS.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), ...rows.map(line)].join('\n');
}

/** `2026-11-26 07:00:12Z`, or `-` when the job has not got there. */
export function formatTime(epochMs: number | undefined): string {
  if (epochMs === undefined) return '-';
  return new Date(epochMs)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}
