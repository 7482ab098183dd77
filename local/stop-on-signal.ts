/**
 * Runs `close` on the first Ctrl-C (SIGINT) or SIGTERM, then exits: 0 when it
 * closed cleanly, 1 with the error otherwise. For the standalone dev servers.
 */
export function stopOnSignal(close: () => Promise<void>, onSignal?: (signal: string) => void): void {
  const stop = (signal: string): void => {
    onSignal?.(signal);
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
