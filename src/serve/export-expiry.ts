/** setTimeout's longest delay (2^31 - 1 ms, about 24.8 days); Node fires a longer one after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The timer functions expireAt uses (tests pass their own). */
export interface Timers {
  setTimeout: (fire: () => void, ms: number) => { unref?: () => unknown };
  clearTimeout: (timer: never) => void;
}

/**
 * Calls `fire` once, when the clock `now()` (epoch ms) reaches `at`, without any request: a timer for the time left,
 * re-armed while that is past setTimeout's limit (so a 30-day --export-ttl is neither cut to 1 ms nor left to a
 * later sweep). The timers are unref'd: a pending expiry does not keep the process alive. Returns a cancel function.
 */
export function expireAt(at: number, now: () => number, fire: () => void, timers: Timers = globalThis as unknown as Timers): () => void {
  let timer: ReturnType<Timers['setTimeout']> | undefined;
  let cancelled = false;
  const arm = () => {
    if (cancelled) return;
    const left = at - now();
    if (left <= 0) return fire();
    timer = timers.setTimeout(left > MAX_TIMER_MS ? arm : fire, Math.min(left, MAX_TIMER_MS));
    timer.unref?.();
  };
  arm();
  return () => {
    cancelled = true;
    if (timer) timers.clearTimeout(timer as never);
  };
}
