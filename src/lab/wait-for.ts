// Bounded polling for tests, the demo and benches. Owns: retrying a predicate until it yields a
// truthy value, bounded in time AND in attempts. Must not: poll forever or hide the last error.

export interface WaitForOptions {
  /** Give up after this long (required: every wait is bounded). */
  timeoutMs: number;
  /** Pause between attempts (default 50 ms). */
  intervalMs?: number;
  /** What is awaited, for the error: "r1 to become MASTER". */
  what: string;
}

export class WaitForTimeoutError extends Error {
  readonly code = 'ERR_FLOATIP_WAIT_TIMEOUT';
  readonly attempts: number;
  constructor(message: string, attempts: number, cause: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'WaitForTimeoutError';
    this.attempts = attempts;
  }
}

/**
 * Calls `predicate` until it returns (or resolves to) a truthy value and returns that value. A
 * predicate that throws counts as "not yet"; its last error is attached to the timeout error.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  options: WaitForOptions,
): Promise<NonNullable<T>> {
  const intervalMs = Math.max(1, options.intervalMs ?? 50);
  const deadline = Date.now() + options.timeoutMs;
  const maxAttempts = Math.ceil(options.timeoutMs / intervalMs) + 1;
  let lastError: unknown;
  let attempts = 0;
  while (attempts < maxAttempts) {
    attempts++;
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, left)));
  }
  const why = lastError === undefined ? '' : `; last error: ${(lastError as Error).message ?? String(lastError)}`;
  throw new WaitForTimeoutError(
    `timed out after ${options.timeoutMs} ms (${attempts} attempts) waiting for ${options.what}${why}`,
    attempts,
    lastError,
  );
}
