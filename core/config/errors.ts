/** One problem with one configuration key. */
export interface ConfigProblem {
  /** Dotted key path, for example `training.hidden_size`. */
  readonly key: string;
  readonly reason: string;
}

/** The configuration cannot be used; the message names every bad key and why. */
export class ConfigError extends Error {
  public readonly problems: readonly ConfigProblem[];
  public readonly sources: readonly string[];

  public constructor(problems: readonly ConfigProblem[], sources: readonly string[], options?: ErrorOptions) {
    const lines = problems.map((p) => `  - ${p.key || '(root)'}: ${p.reason}`);
    super(`Invalid configuration (read from ${sources.join(', ')}):\n${lines.join('\n')}`, options);
    this.name = 'ConfigError';
    this.problems = problems;
    this.sources = sources;
  }
}
