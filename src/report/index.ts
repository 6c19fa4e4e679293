import { buildReport, type Report } from './build.js';
import { snomedGroups } from './conditions.js';
import { MemberCollector } from './members.js';
import { streamResources } from './read.js';
import { builtInTargetsFile, loadTargets } from './targets.js';

export { formatReport } from './render.js';
export type { Report } from './build.js';

/**
 * Reads the FHIR data under `path` (streaming; per-member aggregates only) and measures it against
 * the targets file (the built-in profiles/targets/realism.yaml unless `targetsFile` is given).
 * Throws UserError for an unreadable path, corrupt data, no FHIR data, or a bad targets file.
 */
export async function report(path: string, targetsFile?: string): Promise<Report> {
  const file = targetsFile ?? builtInTargetsFile();
  const targets = loadTargets(file);
  const collector = new MemberCollector(snomedGroups());
  await streamResources(path, (r, resolve) => collector.add(r, resolve));
  return buildReport(collector.result, targets, path, targetsFile ?? 'built-in (profiles/targets/realism.yaml)');
}
