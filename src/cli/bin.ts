#!/usr/bin/env node
import { runCli } from './run.js';

// Exit codes (README, "Commands"): 0 done, 1 findings, 2 user/environment mistake, 130 interrupted,
// 70 a bug in fhirseed — the only case that prints a stack trace.
runCli().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write('fhirseed: internal error — this is a bug in fhirseed; please report it with the command line and the trace below\n');
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(70);
  },
);
