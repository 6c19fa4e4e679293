import type { ImportSummary } from './import.js';
import { formatVerify, table } from './report.js';
import { plural } from '../util/plural.js';

/** The text `seed --mode import` prints: the job, counts per type, errors (the first 20), verify. */
export function formatImportSummary(s: ImportSummary): string {
  const counted = s.counts.reduce((a, c) => a + (c.count ?? 0), 0);
  let text =
    `imported into ${s.server} through $import (run ${s.runId}): ${counted} ${plural(counted, 'resource')} in ${s.inputs.length} ${plural(s.inputs.length, 'file')}, ${s.errors.length} ${plural(s.errors.length, 'error')}\n` +
    `  job ${s.statusUrl}, ${s.polls} polls, elapsed ${(s.elapsedMs / 1000).toFixed(1)} s\n` +
    table(['type', 'imported'], s.counts.map((c) => [c.type, c.count === undefined ? '?' : String(c.count)]));
  for (const e of s.errors.slice(0, 20)) text += `  error: ${e}\n`;
  if (s.errors.length > 20) text += `  … and ${s.errors.length - 20} more errors\n`;
  if (s.verify) text += formatVerify(s.verify, s.runId);
  return text;
}
