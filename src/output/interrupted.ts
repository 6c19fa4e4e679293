/**
 * The one line (after `fhirseed: `) for a `generate` stopped by Ctrl-C or SIGTERM, whatever it had done by then: true
 * before its temporary directory exists (bin.ts's line for a signal in the first moments) and after (generateAsync
 * removes the directory), `out` as typed. No imports: bin.ts reads it before any command module is loaded.
 */
export function generateInterrupted(out: string): string {
  return `interrupted; nothing of this run was kept, ${out} is as it was`;
}

/**
 * The one line (after `fhirseed: `) for a `generate` (or `start` before it serves) stopped by Ctrl-C or SIGTERM once its
 * output is in place (the swap done, the process not yet ended: its worker threads closing): `out` holds this run's
 * output, the earlier one removed.
 */
export function generatePlacedInterrupted(out: string): string {
  return `interrupted; the new output is in place in ${out}`;
}
