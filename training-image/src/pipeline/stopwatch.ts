/** Seconds spent in each named step of a run, as metrics.json's durations_seconds records them. */
export class Stopwatch {
  private readonly started = performance.now();
  private readonly steps: Record<string, number> = {};

  /** Runs `work` and records its duration under `name`, whether it succeeds or throws. */
  public async time<T>(name: string, work: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      this.steps[name] = (performance.now() - t0) / 1000;
    }
  }

  /** Every step so far, and `total`: the seconds since the stopwatch was created. */
  public durations(): Record<string, number> {
    return { ...this.steps, total: (performance.now() - this.started) / 1000 };
  }
}
