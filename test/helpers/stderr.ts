/**
 * `stderr` without fhirseed's `note:` messages (each a `fhirseed: note: …` line and its indented continuation lines):
 * serve and start print the missing-IG-package note on stderr where a test machine has no packages, and a test of
 * what else stderr says must not depend on that.
 */
export function withoutNotes(stderr: string): string {
  return stderr.replace(/^fhirseed: note: .*\n(?: {2}.*\n)*/gm, '');
}
