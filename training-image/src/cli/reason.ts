/** An error as the one line a CLI prints: its message, and its cause's when the message lacks it. */
export function errorReason(error: unknown): string {
  if (error instanceof Error)
    return error.cause instanceof Error && !error.message.includes(error.cause.message)
      ? `${error.message}: ${error.cause.message}`
      : error.message;
  return String(error);
}
