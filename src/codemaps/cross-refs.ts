import type { CodeMapReader } from './load.js';
import type { CodeMaps } from './types.js';

/**
 * Checks the links from one code-maps table to another that the loaders of each table cannot see, because the target
 * is read later: a condition's `visitTests` (code-maps/catalog/conditions.json) name professional-procedures.json rows,
 * and the story results a billed test only from a row of its results tables (src/story/clinical/labs-vitals.ts):
 *
 * - a test of use `lab` needs a panel of labs.json (or of a catalog/labs.json group) or a row of
 *   labs-clinical-results.json (ECG, spirometry);
 * - a test of use `imaging` needs a row of labs-clinical-results.json or planning-reports.json (a knee X-ray is
 *   reported by its DiagnosticReport only).
 *
 * Without it, deleting the `hba1c` panel left the HbA1c lines billed with no result, exit 0. Tests of other uses
 * (psychotherapy, hemodialysis) have no result by design and are not checked.
 *
 * A care-team role's `taxonomies` (planning-careteam-roles.json) name nucc-taxonomy.json codes: one the table lacks
 * is never drawn, so the role never shows (src/fhir/us-core/care-team.ts). A taxonomy with no role is by design (the
 * member is coded by the NUCC code itself) and not checked.
 *
 * @throws UserError `code-maps/catalog/conditions.json: 'KEY': visitTests names 'TEST', which FILE does not have (…)`,
 *   `code-maps/planning-careteam-roles.json: 'ROLE': taxonomies names 'CODE', which nucc-taxonomy.json does not have`.
 */
export function checkCrossRefs(reader: CodeMapReader, maps: CodeMaps): void {
  const file = 'catalog/conditions.json';
  const { labs, clinicalResults } = maps.clinical.labsVitals;
  const { reports } = maps.clinical.planning;
  // The rows' field kinds were checked when the catalog loaded; only the names are read here.
  const rows = reader.read<{ rows: { key: string; visitTests: string[] }[] }>(file).rows;
  for (const c of rows) {
    for (const test of c.visitTests) {
      const use = maps.procedures.get(test)?.use;
      if (use === 'lab' && !labs.has(test) && !clinicalResults.has(test)) {
        reader.fail(file, c.key, `visitTests names '${test}', which labs.json does not have (nor labs-clinical-results.json)`);
      }
      if (use === 'imaging' && !clinicalResults.has(test) && !reports.has(test)) {
        reader.fail(file, c.key, `visitTests names '${test}', which labs-clinical-results.json does not have (nor planning-reports.json)`);
      }
    }
  }
  const taxonomies = new Set(maps.taxonomy.map((t) => t.code));
  for (const [key, role] of maps.clinical.planning.careTeamRoles) {
    for (const code of role.taxonomies) {
      if (!taxonomies.has(code)) reader.fail('planning-careteam-roles.json', key, `taxonomies names '${code}', which nucc-taxonomy.json does not have`);
    }
  }
}
