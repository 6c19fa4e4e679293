/**
 * SIGINT/SIGTERM handling for the whole CLI. bin.ts installs a fallback at the very start
 * (`onUnclaimedInterrupt`: one line, exit 130), so a signal at any moment is reported; work that must
 * clean up first (generate's temporary directory, serve's listening socket) claims the signals for
 * its duration (`claimInterrupt`), and the latest claim gets them instead of the fallback. Without a
 * fallback (the CLI run in-process, by tests) the listeners exist only while something claims them.
 */
type Handler = () => void;
/** The fallback: `line` is what a hook (beforeForcedExit) said instead of the fallback's own line. */
type Fallback = (line?: string) => void;
/** A last step before the fallback ends the process; a line it returns replaces the fallback's. */
type ExitHook = () => string | undefined;

const claims: Handler[] = [];
const exitHooks: ExitHook[] = [];
let fallback: Fallback | undefined;
let listening = false;

function dispatch(): void {
  const claim = claims.at(-1);
  if (claim) return claim();
  if (!fallback) return;
  let line: string | undefined;
  for (const hook of [...exitHooks].reverse()) {
    try {
      line = hook() ?? line;
    } catch {
      // ending anyway: the other hooks and the fallback still run
    }
  }
  fallback(line);
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

/** What a signal does while nothing claims it (bin.ts: print one line, or the one a hook gave, and exit 130). */
export function onUnclaimedInterrupt(handler: Fallback): void {
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
 * Until the returned release is called, `hook` runs (synchronously) when a signal meets the fallback, just before it
 * ends the process: to close what must not be left half-done (serve's store, when a second Ctrl-C cuts its clean stop
 * short). A line it returns is said instead of the fallback's. Hooks run newest first; one that throws is skipped.
 * Not run for a claimed signal, nor without a fallback (the CLI run in-process), where nothing ends the process.
 */
export function beforeForcedExit(hook: ExitHook): () => void {
  exitHooks.push(hook);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    exitHooks.splice(exitHooks.lastIndexOf(hook), 1);
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
