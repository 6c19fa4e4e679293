import type { SystemName } from '../fhir/systems.js';

/** Shown where no source of a row names the version of its code system. */
export const NOT_STATED = 'not stated';

/**
 * How the `source` texts of code-maps rows name the version or edition of a system's codes, per system: a pattern and
 * the version it reads from the match. Only what a source says is read (the versions the code-sources/ READMEs give
 * are written into the sources, e.g. `code-sources/icd10cm/icd10cm.csv (CDC/NCHS FY2025 …)`); a system or row whose
 * source names none is NOT_STATED, never a guess. A source naming several systems (a condition row names its SNOMED CT
 * and ICD-10-CM codes) is read only for the part about this system's codes.
 */
const VERSION_READERS: Partial<Record<SystemName, readonly (readonly [RegExp, (m: RegExpMatchArray) => string])[]>> = {
  icd10cm: [[/ICD-10-CM\b[^;]*?\bFY ?(\d{4})/, (m) => `FY${m[1]}`]],
  icd10pcs: [
    [/eCQM (\d{4}-\d{2}-\d{2}) value set/, (m) => `titles: eCQM value sets ${m[1]}`],
    [/CMS (\d{4}) ICD-10-PCS Tables/, (m) => `tables: FY${m[1]}`],
  ],
  msDrg: [[/CMS (FY\d{4})[^;)]*?MS-DRG (v\d+)/, (m) => `${m[2]} (${m[1]})`]],
  hcpcs: [
    [/OPPS Addendum B, (\w+ \d{4})/, (m) => `OPPS Addendum B ${m[1]}`],
    [/HCPCS Level II \(CMS\) (\d{4}) annual file/, (m) => `${m[1]} annual file`],
  ],
  loinc: [[/\bLOINC (\d\.\d+)/, (m) => m[1]!]],
  nucc: [[/Taxonomy code set v(\d+\.\d+)/, (m) => `v${m[1]}`]],
  rxnorm: [[/rxnorm-value-sets-v(\d{4})\.csv/, (m) => `eCQM value sets v${m[1]}`]],
  ndc: [[/FDA NDC Directory[^;]*?retrieved (\d{4}-\d{2}-\d{2})/, (m) => `FDA NDC Directory retrieved ${m[1]}`]],
  raceEthnicity: [[/Race & Ethnicity Code Set (\d+\.\d+)/, (m) => m[1]!]],
  c4bbSurfaceCodes: [[/hl7\.fhir\.us\.carin-bb (\d+\.\d+\.\d+)/, (m) => `CARIN BB ${m[1]}`]],
};

/** The versions `source` names for `system`'s codes (every reader that matches, in the readers' order); [] when it names none. */
export function versionsIn(system: SystemName, source: string): string[] {
  return (VERSION_READERS[system] ?? []).flatMap(([pattern, read]) => {
    const match = source.match(pattern);
    return match ? [read(match)] : [];
  });
}

/**
 * The versions of `system`'s codes the given sources name, each with how many rows cite it (`rows`: the source's row
 * count), most rows first; rows whose source names none count under NOT_STATED.
 */
export function versionsOf(system: SystemName, sources: readonly { source: string; rows: number }[]): { version: string; rows: number }[] {
  const counts = new Map<string, number>();
  for (const { source, rows } of sources) {
    const found = versionsIn(system, source);
    const version = found.length ? found.join('; ') : NOT_STATED;
    counts.set(version, (counts.get(version) ?? 0) + rows);
  }
  return [...counts].map(([version, rows]) => ({ version, rows })).sort((a, b) => b.rows - a.rows || a.version.localeCompare(b.version));
}
