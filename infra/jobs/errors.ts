/** The operator gave something the jobs command cannot use; the message says what to pass instead. */
export class JobsUsageError extends Error {
  public override name = 'JobsUsageError';
}
