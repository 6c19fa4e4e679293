#!/usr/bin/env node
import { onUnclaimedInterrupt } from './interrupt.js';
import { unclaimedInterruptLine } from './interrupt-wording.js';

// First thing: a Ctrl-C or SIGTERM at any moment (loading, before the server's start line) is one
// line and exit 130; commands that must clean up first claim the signals while they work. generate's
// line is the one it says once it has begun to write (interrupt-wording.ts).
onUnclaimedInterrupt(() => {
  process.stderr.write(`fhirseed: ${unclaimedInterruptLine(process.argv.slice(2))}\n`);
  process.exit(130);
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
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write('fhirseed: internal error — this is a bug in fhirseed; please report it with the command line and the trace below\n');
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(70);
  },
);
