import { setFlagsFromString } from 'node:v8';

/**
 * vitest setupFiles: each test file starts with the V8 heap flags of a fresh process. `generate` and `validate` set
 * process-wide V8 flags when they start (src/util/heap.ts: `--heap-growing-percent` 30, 60 or 100;
 * src/validate/pretenuring.ts: allocation-site pretenuring off), right for a CLI process that runs one command. Run
 * in-process (runCli) in a 'shared' project worker (isolate: false), they stayed set for every later file of that
 * worker, whose heap holds the modules and data of all its files. 0 is V8's default (no fixed growing factor);
 * pretenuring is on by default. A file that runs those commands still runs them, and its later tests, with the flags
 * they set. Measured (user+sys of one vitest run, load ~10): test/story, test/us-core and test/fhir with the flag at
 * 30 % for every file 52.3 CPU-s, at 100 % 52.7 s, never set 46.8 s, set back to 0 45.5 s; the shared files of
 * test/validate and test/story 86.3 s before this reset, 82.5 s with it.
 */
setFlagsFromString('--heap-growing-percent=0');
setFlagsFromString('--allocation-site-pretenuring');
