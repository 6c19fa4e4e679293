/**
 * SIGINT/SIGTERM handling for the whole CLI. bin.ts installs a fallback at the very start
 * (`onUnclaimedInterrupt`: one line, exit 130), so a signal at any moment is reported; work that must
 * clean up first (generate's temporary directory, serve's listening socket) claims the signals for
 * its duration (`claimInterrupt`), and the latest claim gets them instead of the fallback. Without a
 * fallback (the CLI run in-process, by tests) the listeners exist only while something claims them.
 */
type Handler = () => void;

const claims: Handler[] = [];
let fallback: Handler | undefined;
let listening = false;

function dispatch(): void {
  (claims.at(-1) ?? fallback)?.();
}

function sync(): void {
  const wanted = claims.length > 0 || fallback !== undefined;
  if (wanted && !listening) {
    process.on('SIGINT', dispatch);
    process.on('SIGTERM', dispatch);
  } else if (!wanted && listening) {
    process.off('SIGINT', dispatch);
    process.off('SIGTERM', dispatch);
  }
  listening = wanted;
}

/** What a signal does while nothing claims it (bin.ts: print one line, exit 130). */
export function onUnclaimedInterrupt(handler: Handler): void {
  fallback = handler;
  sync();
}

/** Routes SIGINT/SIGTERM to `handler` until the returned release is called. */
export function claimInterrupt(handler: Handler): () => void {
  claims.push(handler);
  sync();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    claims.splice(claims.lastIndexOf(handler), 1);
    sync();
  };
}

/**
 * SIGINT/SIGTERM → an aborted signal, instead of the process dying mid-write: the work loop checks
 * the signal, cleans up and throws Interrupted, which the CLI reports in one line with exit 130.
 * The claim stays until `release` (a second Ctrl-C during the clean-up does not cut it short).
 */
export function interruptSignal(): { signal: AbortSignal; release: () => void } {
  const controller = new AbortController();
  const release = claimInterrupt(() => controller.abort());
  return { signal: controller.signal, release };
}
