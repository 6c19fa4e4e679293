/**
 * An error event of a worker thread (its module did not load, it ran out of memory, it threw outside the
 * work it was given) as an Error whose message says which worker failed (`validate worker 1 failed: …`);
 * the worker's own stack follows in `stack`, for the bug report bin.ts prints with exit 70.
 */
export function workerFailed(worker: string, error: Error): Error {
  const named = new Error(`${worker} failed: ${error.message}`);
  named.stack = `${named.message}\n(in the worker) ${error.stack ?? error.message}`;
  return named;
}
