import { generateInterrupted } from '../output/interrupted.js';

/**
 * serve's line for a signal before it claims signals (loading its modules, checking its options): the first step of its
 * start, reading the IG packages, has not begun (README lists the lines of the later steps).
 */
export const SERVE_NOT_STARTED = 'interrupted before reading the IG packages; nothing served';

/**
 * What bin.ts says (after `fhirseed: `) for a signal no command has claimed yet, from the raw arguments (`argv` without
 * node and the script): for `serve`, SERVE_NOT_STARTED; for `generate ...` and `start ...` (which generates first), generate's own line (src/output/interrupted.ts) with its `--out` as typed
 * (`--out X`, `--out=X`, `-o X`, `-o=X`, `-oX`; default `output`, as the option's), so that an interrupted generate says
 * the same whether or not it had begun to write; for anything else `interrupted`. Only a command given first counts.
 */
export function unclaimedInterruptLine(argv: readonly string[]): string {
  if (argv[0] === 'serve') return SERVE_NOT_STARTED;
  if (argv[0] !== 'generate' && argv[0] !== 'start') return 'interrupted';
  let out = 'output';
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if ((arg === '--out' || arg === '-o') && i + 1 < argv.length) out = argv[++i]!;
    else if (arg.startsWith('--out=')) out = arg.slice('--out='.length);
    else if (arg.startsWith('-o=')) out = arg.slice('-o='.length);
    else if (/^-o[^-]/.test(arg)) out = arg.slice(2);
  }
  return generateInterrupted(out);
}
