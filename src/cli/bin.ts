#!/usr/bin/env node
import { writeSync } from 'node:fs';
import { flushed, silence } from './flush.js';
import { onUnclaimedInterrupt } from './interrupt.js';
import { unclaimedInterruptLine } from './interrupt-wording.js';

// Every way out goes through leave(): it exits only once stdout and stderr have handed what was written to the OS
// (to a pipe, writes are asynchronous: process.exit at once dropped all but the pipe's first 64 KiB, flush.ts). No
// time limit, as `cat` has none: a slow reader (`| less`) loses nothing; a Ctrl-C while waiting ends the process at once.
let leaving = false;
function leave(code: number): void {
  if (leaving) return;
  leaving = true;
  const waited = flushed([process.stdout, process.stderr]);
  // What the command still says (it may run on while we wait, after an interrupt) is dropped, as by an exit at once.
  silence(process.stdout);
  silence(process.stderr);
  void waited.then(() => process.exit(code));
}

// First thing: a Ctrl-C or SIGTERM at any moment (loading, before the server's start line) is one
// line and exit 130; commands that must clean up first claim the signals while they work. generate's
// line is the one it says once it has begun to write (interrupt-wording.ts). What was written before it
// is still flushed; a Ctrl-C while waiting for that (a stalled reader) ends the process at once.
onUnclaimedInterrupt((line) => {
  if (leaving) {
    // The work is done; only the readers were awaited. Written directly: stderr is silenced by now, and may be the
    // stream that is stuck (then the line is dropped, not waited for).
    try {
      writeSync(2, 'fhirseed: interrupted while the output waited for its reader; what it had not taken is lost (exit 130)\n');
    } catch {
      // stderr is full or gone.
    }
    process.exit(130);
  }
  process.stderr.write(`fhirseed: ${line ?? unclaimedInterruptLine(process.argv.slice(2))}\n`);
  leave(130);
});

// A reader that went away (`fhirseed serve | head -3`) is no reason to stop the work or to print a trace:
// what is left to say is dropped and the command carries on (a server keeps serving, files get written).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

// Exit codes (README, "Commands"): 0 done, 1 findings, 2 user/environment mistake, 130 interrupted,
// 70 a bug in fhirseed — the only case that prints a stack trace.
// run.js (and every command module) is imported only now, so that loading them is covered too.
const { runCli } = await import('./run.js');
runCli().then(
  (code) => leave(code),
  (error: unknown) => {
    process.stderr.write('fhirseed: internal error — this is a bug in fhirseed; please report it with the command line and the trace below\n');
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    leave(70);
  },
);
