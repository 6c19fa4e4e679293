import { generateInterrupted } from '../output/interrupted.js';

/**
 * What bin.ts says (after `fhirseed: `) for a signal no command has claimed yet, from the raw arguments (`argv` without
 * node and the script): for `generate ...` and `start ...` (which generates first), generate's own line (src/output/interrupted.ts) with its `--out` as typed
 * (`--out X`, `--out=X`, `-o X`, `-o=X`, `-oX`; default `output`, as the option's), so that an interrupted generate says
 * the same whether or not it had begun to write; for anything else `interrupted`. Only a command given first counts.
 */
export function unclaimedInterruptLine(argv: readonly string[]): string {
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
