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
 * (psychotherapy, hemodialysis) have no result by design and are not checked. The same holds for every lab and
 * imaging row, which the claims also bill by use (checked after the visit tests, whose message names the condition).
 *
 * A care-team role's `taxonomies` (planning-careteam-roles.json) name nucc-taxonomy.json codes: one the table lacks
 * is never drawn, so the role never shows (src/fhir/us-core/care-team.ts). A taxonomy with no role is by design (the
 * member is coded by the NUCC code itself) and not checked.
 *
 * pricing.json's codes name procedure rows and revenue codes (checkPricingCodes).
 *
 * @throws UserError `code-maps/catalog/conditions.json: 'KEY': visitTests names 'TEST', which FILE does not have (…)`,
 *   `code-maps/professional-procedures.json: 'KEY': a test of use 'lab', which labs.json does not have (…)`,
 *   `code-maps/planning-careteam-roles.json: 'ROLE': taxonomies names 'CODE', which nucc-taxonomy.json does not have`,
 *   `code-maps/pricing.json: 'rvus.codes.CODE': names a code that professional-procedures.json does not have (…)`.
 */
export function checkCrossRefs(reader: CodeMapReader, maps: CodeMaps): void {
  const file = 'catalog/conditions.json';
  const { labs, clinicalResults } = maps.clinical.labsVitals;
  const { reports } = maps.clinical.planning;
  // The rows' field kinds were checked when the catalog loaded; only the names are read here.
  const rows = reader.read<{ rows: { key: string; visitTests: string[] }[] }>(file).rows;
  for (const c of rows) {
    c.visitTests.forEach((test, i) => {
      const use = maps.procedures.get(test)?.use;
      if (use === 'lab' && !labs.has(test) && !clinicalResults.has(test)) {
        reader.fail(file, c.key, `visitTests names '${test}', which labs.json does not have (nor labs-clinical-results.json)`, ['visitTests', i], c);
      }
      if (use === 'imaging' && !clinicalResults.has(test) && !reports.has(test)) {
        reader.fail(file, c.key, `visitTests names '${test}', which labs-clinical-results.json does not have (nor planning-reports.json)`, ['visitTests', i], c);
      }
    });
  }
  checkBilledResults(reader, maps);
  const taxonomies = new Set(maps.taxonomy.map((t) => t.code));
  for (const [key, role] of maps.clinical.planning.careTeamRoles) {
    role.taxonomies.forEach((code, i) => {
      if (!taxonomies.has(code)) reader.fail('planning-careteam-roles.json', key, `taxonomies names '${code}', which nucc-taxonomy.json does not have`, ['taxonomies', i]);
    });
  }
  checkPricingCodes(reader, maps);
}

/**
 * Every row of use `lab` or `imaging`, not only those a condition names: the claims bill them by use too (extra office
 * lines in src/story/claims/professional.ts, hospital lines in institutional.ts), and a catalog group's `lab-<group>`
 * row stays billable when the group's tests are all deleted. The results rows are the visit tests' (above).
 */
function checkBilledResults(reader: CodeMapReader, maps: CodeMaps): void {
  const { labs, clinicalResults } = maps.clinical.labsVitals;
  const { reports } = maps.clinical.planning;
  const billed = "the claims bill it by use, so it would have no result";
  for (const [key, row] of maps.procedures) {
    if (row.use === 'lab' && !labs.has(key) && !clinicalResults.has(key)) {
      reader.fail('professional-procedures.json', key, `a test of use 'lab', which labs.json does not have (nor a catalog/labs.json group, nor labs-clinical-results.json): ${billed}`, 'use');
    }
    if (row.use === 'imaging' && !clinicalResults.has(key) && !reports.has(key)) {
      reader.fail('professional-procedures.json', key, `a test of use 'imaging', which labs-clinical-results.json does not have (nor planning-reports.json): ${billed}`, 'use');
    }
  }
}

/**
 * pricing.json's fee schedules are keyed by the CPT/HCPCS code of a professional-procedures.json or catalog/hcpcs.json
 * row, its revenue-code rates and inpatient weights by a code of tables.json's revenue table. A code neither has (a typo)
 * leaves the real one on its fallback (the row's charge, $30 a revenue line, weight 0.2) with no sign.
 */
function checkPricingCodes(reader: CodeMapReader, maps: CodeMaps): void {
  // maps.procedures holds only the catalog HCPCS codes a condition bills; a price for another is harmless.
  const catalog = reader.read<{ rows: { code: string }[] }>('catalog/hcpcs.json').rows.map((r) => r.code);
  const procedureCodes = new Set([...[...maps.procedures.values()].map((r) => r.code), ...catalog]);
  const revenue = new Set(maps.tables.get('revenue')?.codes.map((c) => c.code));
  const { pricing } = maps;
  const schedules = { rvus: pricing.rvus, clfs: pricing.clfs, opps: pricing.opps, ambulance: pricing.ambulance };
  for (const [name, { codes }] of Object.entries(schedules)) {
    for (const code of Object.keys(codes)) {
      if (!procedureCodes.has(code)) reader.fail('pricing.json', `${name}.codes.${code}`, 'names a code that professional-procedures.json does not have (nor catalog/hcpcs.json)');
    }
  }
  for (const [name, { codes }] of Object.entries({ revenueCodes: pricing.revenueCodes, inpatientWeights: pricing.inpatientWeights })) {
    for (const code of Object.keys(codes)) {
      if (!revenue.has(code)) reader.fail('pricing.json', `${name}.codes.${code}`, "names a revenue code that tables.json's revenue table does not have");
    }
  }
}
