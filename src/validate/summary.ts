import type { CoverageReport } from './coverage.js';
import { formatReadProblem, type ReadProblem } from './read.js';
import type { Issue } from './types.js';
import { escapeControls } from '../util/control-chars.js';
import { plural } from '../util/plural.js';

export interface ValidationReport {
  resources: number;
  errors: number;
  warnings: number;
  /** Files and lines that could not be read as FHIR, `file:line:column: message` (each an error). */
  readProblems: string[];
  /**
   * Bundle files that read fine but break a rule of the Bundle itself (bdl-5, bdl-7, a fullUrl's form), located the
   * same way (each an error). buildReport always sets it; a report saved before it existed lacks it.
   */
  bundleProblems?: string[];
  /** Repeated `Type/id`s whose content differs from their first place, located the same way (each an error); as bundleProblems. */
  repeats?: string[];
  /**
   * Files read that hold no FHIR resource (empty, or JSON that is not FHIR: a manifest, a settings file), as given
   * on the command line or found under a directory; skipped, not errors. buildReport always sets it (every file, in
   * the order read); a report saved before it existed lacks it.
   */
  skippedFiles?: string[];
  /** Errors per profile (`(base R4)` for base checks). */
  errorsByProfile: Record<string, number>;
  /** The first max-errors issues (errors before warnings). */
  issues: Issue[];
  coverage: CoverageReport[];
  notes: string[];
}

/** `read`: what was read (the resources, or how many; the read problems; the files skipped as holding no FHIR resource). */
export function buildReport(read: { resources: number | { length: number }; problems: ReadProblem[]; skippedFiles?: string[] }, issues: Issue[], coverage: CoverageReport[], maxErrors: number, notes: string[]): ValidationReport {
  const errors = issues.filter((i) => i.severity === 'error');
  const errorsByProfile: Record<string, number> = {};
  for (const e of errors) errorsByProfile[e.profile ?? '(base R4)'] = (errorsByProfile[e.profile ?? '(base R4)'] ?? 0) + 1;
  const ordered = [...errors, ...issues.filter((i) => i.severity === 'warning')];
  return {
    resources: typeof read.resources === 'number' ? read.resources : read.resources.length,
    errors: errors.length + read.problems.length,
    warnings: issues.length - errors.length,
    readProblems: read.problems.filter((p) => !p.kind).map(formatReadProblem),
    bundleProblems: read.problems.filter((p) => p.kind === 'bundle').map(formatReadProblem),
    repeats: read.problems.filter((p) => p.kind === 'repeated').map(formatReadProblem),
    skippedFiles: [...(read.skippedFiles ?? [])],
    errorsByProfile,
    issues: ordered.slice(0, maxErrors),
    coverage,
    notes,
  };
}

/** How many skipped files a note names before `and K more`. */
export const SKIPPED_FILES_NAMED = 5;

/**
 * The one-line note on files that hold no FHIR resource: how many, and the first `named` of them (then `and K more`);
 * '' when there are none. The report's `skippedFiles` lists every one.
 */
export function skippedFilesNote(files: readonly string[], named = SKIPPED_FILES_NAMED): string {
  if (!files.length) return '';
  const what = files.length === 1 ? 'file holds no FHIR resource (empty, or JSON that is not FHIR) and was' : 'files hold no FHIR resource (empty, or JSON that is not FHIR) and were';
  const rest = files.length - named;
  return `${files.length} ${what} skipped: ${files.slice(0, named).join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
}

/** The human summary: counts, errors by profile, the first issues, coverage per IG and profile, top missing elements. */
export function formatSummary(report: ValidationReport): string {
  const lines: string[] = [];
  lines.push(`validated ${report.resources} ${plural(report.resources, 'resource')}: ${report.errors} ${plural(report.errors, 'error')}, ${report.warnings} ${plural(report.warnings, 'warning')}`);
  for (const [label, p] of problemLines(report)) lines.push(`  ${label}: ${p}`);
  const byProfile = Object.entries(report.errorsByProfile).sort((a, b) => b[1] - a[1]);
  if (byProfile.length) {
    lines.push('', 'errors by profile:');
    for (const [profile, n] of byProfile) lines.push(`  ${String(n).padStart(6)}  ${profile}`);
  }
  if (report.issues.length) {
    lines.push('', `first ${report.issues.length} ${plural(report.issues.length, 'issue')}:`);
    for (const i of report.issues) lines.push(`  ${i.severity} ${issueResource(i)} ${i.path}: ${i.message}${i.profile ? ` [${i.profile}]` : ''}${i.file ? ` (${issuePlace(i)})` : ''}`);
  }
  for (const c of report.coverage) {
    lines.push('', `must-support coverage, ${c.ig}:`);
    for (const p of c.profiles.filter((p) => p.resources > 0)) {
      const applicable = p.total - p.notApplicable.length;
      const pct = applicable ? Math.floor((100 * p.covered) / applicable) : 100;
      const na = p.notApplicable.length ? `, ${p.notApplicable.length} not applicable` : '';
      lines.push(`  ${p.name.padEnd(52)} ${String(p.covered).padStart(4)}/${String(applicable).padEnd(4)} ${String(pct).padStart(3)}%  (${p.resources} ${plural(p.resources, 'resource')}${na})`);
      for (const n of p.notApplicable.filter((n) => n.source)) lines.push(`      n/a ${n.id} (${n.reason})`);
      for (const m of p.missing.slice(0, 5)) lines.push(`      missing ${m}`);
      if (p.missing.length > 5) lines.push(`      … and ${p.missing.length - 5} more`);
    }
    if (c.unclaimed.length) lines.push(`  profiles no resource claims (${c.unclaimed.length}): ${c.unclaimed.map((u) => u.slice(u.lastIndexOf('/') + 1)).join(', ')}`);
  }
  for (const n of report.notes) lines.push(`note: ${n}`);
  // Ids, paths, values and JSON excerpts come from the data: a control character there is shown, never sent to the terminal.
  return `${lines.map(escapeControls).join('\n')}\n`;
}

/** Where an issue's resource was read: `FILE:LINE` (NDJSON), `FILE Bundle.entry[N]` (a Bundle file's entry), or `FILE`; '' when unknown. */
export function issuePlace(issue: Pick<Issue, 'file' | 'line' | 'entry'>): string {
  if (!issue.file) return '';
  if (issue.line) return `${issue.file}:${issue.line}`;
  return issue.entry === undefined ? issue.file : `${issue.file} Bundle.entry[${issue.entry}]`;
}

/**
 * The report's read problems as [label, `file:line:column: message`], in the order printed: `unreadable` (a file
 * or line not read as FHIR), `bundle` (a Bundle's own rule broken), `repeated` (a `Type/id` differing from its
 * first place).
 */
export function problemLines(report: Pick<ValidationReport, 'readProblems' | 'bundleProblems' | 'repeats'>): [string, string][] {
  return [
    ...report.readProblems.map((p): [string, string] => ['unreadable', p]),
    ...(report.bundleProblems ?? []).map((p): [string, string] => ['bundle', p]),
    ...(report.repeats ?? []).map((p): [string, string] => ['repeated', p]),
  ];
}

/**
 * How an issue names its resource wherever one is shown (the summary, the HTML report, serve's 422 outcomes):
 * `Type/id`; `Type (no id)`; `(no resourceType)/id` or `(no resourceType, no id)` for a resource whose type is
 * missing or not a string (the validator gives such fields as '').
 */
export function issueResource(issue: Pick<Issue, 'resourceType' | 'id'>): string {
  if (!issue.resourceType) return issue.id ? `(no resourceType)/${issue.id}` : '(no resourceType, no id)';
  return issue.id ? `${issue.resourceType}/${issue.id}` : `${issue.resourceType} (no id)`;
}
