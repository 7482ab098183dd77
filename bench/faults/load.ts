/**
 * Load for the fault bench: a fixed-concurrency loop that keeps every answer (status, latency,
 * Retry-After, the model version it came from), and autocannon for the highest rate the machine holds.
 */
import autocannon from 'autocannon';

/** A Node or V8 stack frame, or a source position: what must never reach a client. */
export const STACK_TRACE = /\n\s+at \S|\bat [^\s()]+ \([^)]*:\d+:\d+\)|[\w./-]+\.(?:ts|js|mjs|cjs):\d+:\d+/;

export interface Answer {
  /** 0 when no answer came (connection refused or reset, timeout). */
  readonly status: number;
  readonly ms: number;
  readonly retryAfter: string | null;
  /** model.version of a prediction, null for anything else. */
  readonly version: string | null;
  readonly stackTrace: boolean;
  readonly bytes: number;
}

/**
 * Remembers which model versions clients were answered with, across scenarios: an answer from a
 * version older than one first served at least `graceMs` earlier is a regression (the grace keeps
 * answers computed just before a switch, and delivered just after it on another connection, out).
 */
export class VersionTracker {
  private readonly firstSeen = new Map<string, number>();

  public constructor(private readonly graceMs = 250) {}

  /** True when `version` is older than a version already served for longer than the grace. */
  public record(version: string, at = performance.now()): boolean {
    if (!this.firstSeen.has(version)) this.firstSeen.set(version, at);
    for (const [seen, when] of this.firstSeen) {
      if (seen > version && at - when > this.graceMs) return true;
    }
    return false;
  }

  public get newest(): string | null {
    return [...this.firstSeen.keys()].sort().at(-1) ?? null;
  }
}

export interface LoopOptions {
  readonly url: string;
  readonly headers?: Record<string, string>;
  readonly concurrency: number;
  /** Stop starting requests after this long... */
  readonly durationMs?: number;
  /** ...or after this many. */
  readonly amount?: number;
  /** Per request; an answer slower than this counts as none. */
  readonly timeoutMs: number;
  /**
   * Requests per second over all clients; unpaced when absent. Paced load measures the latency a
   * client sees, not the queue a saturating load builds up on a shared 2-core machine.
   */
  readonly ratePerSecond?: number;
}

function versionOf(body: string): string | null {
  if (!body.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(body) as { model?: { version?: unknown } };
    return typeof parsed.model?.version === 'string' ? parsed.model.version : null;
  } catch {
    return null;
  }
}

/** `concurrency` clients, each sending its next request when the previous one is answered. */
export async function runLoop(options: LoopOptions): Promise<Answer[]> {
  const answers: Answer[] = [];
  const started = performance.now();
  let sent = 0;
  const more = (): boolean =>
    options.amount !== undefined
      ? sent < options.amount
      : performance.now() - started < (options.durationMs ?? 0);
  const gapMs =
    options.ratePerSecond === undefined ? 0 : (options.concurrency * 1_000) / options.ratePerSecond;
  const client = async (index: number): Promise<void> => {
    // Staggered, so that paced clients do not fire together.
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, (gapMs * index) / options.concurrency));
    while (more()) {
      sent += 1;
      const begin = performance.now();
      const pace = (): Promise<void> => {
        const wait = gapMs - (performance.now() - begin);
        return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
      };
      try {
        const response = await fetch(options.url, {
          headers: options.headers ?? {},
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        const body = await response.text();
        answers.push({
          status: response.status,
          ms: performance.now() - begin,
          retryAfter: response.headers.get('retry-after'),
          version: response.status === 200 ? versionOf(body) : null,
          stackTrace: STACK_TRACE.test(body),
          bytes: body.length,
        });
        await pace();
      } catch {
        answers.push({
          status: 0,
          ms: performance.now() - begin,
          retryAfter: null,
          version: null,
          stackTrace: false,
          bytes: 0,
        });
        // A refused connection answers at once: do not spin.
        await new Promise((resolve) => setTimeout(resolve, 20));
        await pace();
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => client(index)));
  return answers;
}

export interface StatusCounts {
  readonly '2xx': number;
  readonly '3xx': number;
  readonly '4xx': number;
  readonly '5xx': number;
  readonly no_answer: number;
}

export interface LoadFigures {
  readonly requests: number;
  readonly answers: StatusCounts;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly stack_traces: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/** HTTP statuses by class; 0 is no answer. */
export function statusCounts(statuses: readonly number[]): StatusCounts {
  const count = (lo: number, hi: number): number => statuses.filter((s) => s >= lo && s < hi).length;
  return {
    '2xx': count(200, 300),
    '3xx': count(300, 400),
    '4xx': count(400, 500),
    '5xx': count(500, 600),
    no_answer: count(0, 1),
  };
}

export function figures(answers: readonly Answer[]): LoadFigures {
  const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
  return {
    requests: answers.length,
    answers: statusCounts(answers.map((a) => a.status)),
    p50_ms: round1(percentile(latencies, 0.5)),
    p99_ms: round1(percentile(latencies, 0.99)),
    stack_traces: answers.filter((a) => a.stackTrace).length,
  };
}

/** Answers from a model older than one already served, in arrival order. */
export function regressions(answers: readonly Answer[], tracker: VersionTracker): number {
  let found = 0;
  for (const answer of answers) {
    if (answer.version !== null && tracker.record(answer.version)) found += 1;
  }
  return found;
}

export interface CannonOptions {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly connections: number;
  readonly durationS: number;
  readonly overallRate?: number;
}

/** autocannon at full speed (or at overallRate); every body is checked for versions and stack traces. */
export async function runCannon(
  options: CannonOptions,
  tracker: VersionTracker,
): Promise<LoadFigures & { rate_per_s: number; older_version_answers: number }> {
  let stackTraces = 0;
  let older = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS,
    headers: options.headers,
    timeout: 10,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
    verifyBody: (body) => {
      if (STACK_TRACE.test(body)) stackTraces += 1;
      const version = versionOf(body);
      if (version !== null && tracker.record(version)) older += 1;
      return true;
    },
  });
  return {
    // Answered requests; those still in flight when the duration ended are left out.
    requests: result.requests.total,
    answers: {
      '2xx': result['2xx'],
      '3xx': result['3xx'],
      '4xx': result['4xx'],
      '5xx': result['5xx'],
      no_answer: result.errors + result.timeouts,
    },
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    stack_traces: stackTraces,
    rate_per_s: Math.round(result.requests.average),
    older_version_answers: older,
  };
}
