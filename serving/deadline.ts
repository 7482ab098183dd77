/**
 * `promise`, or `onTimeout()`'s error after `ms`, whichever comes first. The promise itself is not
 * cancelled: it goes on, and whoever shares it later gets its result. The timer is cleared as soon as
 * either side settles, so a fast answer leaves nothing behind.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
