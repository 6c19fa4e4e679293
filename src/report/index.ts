import { buildReport, type Report } from './build.js';
import type { CodeCount } from './codes.js';
import { snomedGroups } from './conditions.js';
import type { ReportDetails } from './details.js';
import { MemberCollector } from './members.js';
import { manifestTargets } from './profile-targets.js';
import { streamResources } from './read.js';
import { differingRepeats } from './repeats.js';
import { builtInTargetsFile, loadTargets } from './targets.js';

export { formatReport } from './render.js';
export type { Report } from './build.js';
export type { ReportDetails } from './details.js';

/** The report and what only the HTML page draws (histograms, plans, profiles, the 10 top codes per system). */
export interface DetailedReport {
  report: Report;
  details: ReportDetails & { topCodes: { name: string; system: string; distinct: number; top: CodeCount[] }[] };
  /** One line for each repeated `Type/id` whose content differs from the copy counted (differingRepeats). */
  repeats: string[];
}

/**
 * Reads the FHIR data under `path` (streaming; per-member aggregates only) and measures it against
 * targets: the file `targetsFile` when given; else the targets of the profile the output was
 * generated from, when its manifest carries them (manifestTargets); else the built-in
 * profiles/targets/realism.yaml.
 * Throws UserError for an unreadable path, corrupt data, no FHIR data, or a bad targets file.
 */
export async function report(path: string, targetsFile?: string): Promise<Report> {
  return (await detailedReport(path, targetsFile)).report;
}

/**
 * `report`, with the details the HTML page draws and the repeats whose content differs from the copy counted
 * (read once more only when some counted `Type/id` repeats); the same errors.
 */
export async function detailedReport(path: string, targetsFile?: string): Promise<DetailedReport> {
  const fromProfile = targetsFile === undefined ? manifestTargets(path) : undefined;
  const targets = fromProfile?.rows ?? loadTargets(targetsFile ?? builtInTargetsFile());
  const collector = new MemberCollector(snomedGroups());
  await streamResources(path, (r, resolve) => collector.add(r, resolve));
  const repeats = await differingRepeats(path, collector.repeated);
  const report = buildReport(collector.result, targets, path, targetsFile ?? fromProfile?.label ?? 'built-in (profiles/targets/realism.yaml)');
  return { report, details: { ...collector.result.details.result(), topCodes: collector.result.codes.top(10) }, repeats };
}
