/**
 * SIGINT/SIGTERM → an aborted signal, instead of the process dying mid-write: the work loop checks
 * the signal, cleans up and throws Interrupted, which the CLI reports in one line with exit 130.
 * The handlers stay until `release` (a second Ctrl-C during the clean-up does not cut it short).
 */
export function interruptSignal(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return {
    signal: controller.signal,
    release: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
