/**
 * Waiting, before the process exits, for what was written to stdout and stderr to reach the OS. Writes to a pipe are
 * asynchronous in Node on POSIX: what the pipe's buffer (64 KiB on Linux) cannot take at once is queued in the process,
 * and `process.exit` drops that queue — `fhirseed validate DIR --json | wc -c` printed 65,536 of ~100 KB whenever the
 * reader was not reading at that moment (s18 trial). bin.ts calls `flushed` before every `process.exit`.
 */

/** The part of a Node Writable that `flushed` uses (process.stdout, process.stderr, or a test's stream). */
export interface FlushableStream {
  write(chunk: string, callback: (error?: Error | null) => void): boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

/**
 * Resolves once every stream has handed everything written to it so far to the OS (an empty write's callback runs
 * after all earlier writes: a pipe's reader has taken them, or the pipe failed, e.g. EPIPE because the reader is gone —
 * then there is nothing left to wait for either). There is no time limit, as with `cat` or `jq`: a reader that takes
 * its time (`| less`) gets everything; one that never reads holds the process until it is interrupted. Streams already
 * destroyed or ended, and streams whose write throws, count as done. Never rejects; the stream's own 'error' listeners
 * still see its errors.
 */
export function flushed(streams: readonly FlushableStream[]): Promise<void> {
  const open = streams.filter((s) => !s.destroyed && !s.writableEnded);
  if (open.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let pending = open.length;
    const done = () => {
      if (--pending === 0) resolve();
    };
    for (const stream of open) {
      try {
        stream.write('', done);
      } catch {
        done(); // a write that throws (a broken stream: bin.ts is reporting a bug) has nothing queued to wait for
      }
    }
  });
}

/**
 * Makes `stream.write` drop what it is given from now on (its callback, if any, still runs, without an error, on the
 * next tick): bin.ts calls it once it has begun to wait for the output at exit, so that a command still running after
 * an interrupt (its line said, the process waiting only for its readers) prints nothing after that line — as when the
 * process exited at once.
 */
export function silence(stream: NodeJS.WritableStream): void {
  stream.write = ((...args: unknown[]) => {
    const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  }) as typeof stream.write;
}
