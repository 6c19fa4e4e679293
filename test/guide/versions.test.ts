// The mapping guide's version column (s15 M's leftover, read as a payer would): each row names the version or edition
// of its codes as the rows' sources state it (ICD-10-CM FY2025, LOINC 2.78, MS-DRG v43…), "not stated" where they
// do not, and never a version no source of the row states.
import { describe, expect, it } from 'vitest';
import { buildMappingGuide, guideHtml, guideMarkdown } from '../../src/guide/index.js';
import { NOT_STATED, versionsIn } from '../../src/guide/versions.js';
import { codeMaps } from '../helpers/output.js';

const guide = buildMappingGuide(codeMaps);
const row = (resource: string, element: string, system: string) => {
  const found = guide.elements.find((e) => e.resource === resource && e.element === element)?.systems.find((s) => s.system === system);
  expect(found, `${resource}.${element} ${system}`).toBeDefined();
  return found!;
};
const versions = (r: ReturnType<typeof row>) => r.versions.map((v) => v.version);

describe('mapping guide: the version of each row\'s codes', () => {
  it('should name the versions the sources state', () => {
    expect(versions(row('Condition', 'code', 'icd10cm'))).toEqual(['FY2025']);
    expect(versions(row('ExplanationOfBenefit', 'supportingInfo[drg].code', 'msDrg'))).toEqual(['v43 (FY2026)']);
    expect(versions(row('Practitioner, Organization, PractitionerRole', 'qualification.code, specialty, EOB careTeam.qualification', 'nucc'))).toEqual(['v25.0']);
    expect(versions(row('ExplanationOfBenefit', 'item.productOrService', 'ndc'))).toEqual(['FDA NDC Directory retrieved 2026-11-30']);
    expect(versions(row('Observation (laboratory)', 'code, valueQuantity.code', 'loinc'))).toContain('2.78');
    // CPT and CDT rows cite the code set without a year: not stated, not guessed.
    expect(versions(row('ExplanationOfBenefit', 'item.productOrService', 'cpt'))).toEqual([NOT_STATED]);
    expect(versions(row('ExplanationOfBenefit', 'item.productOrService', 'cdt'))).toEqual([NOT_STATED]);
  });

  it('should show no version that no source of its row states, and count every row once', () => {
    for (const e of guide.elements) {
      for (const s of e.systems) {
        expect(s.versions.reduce((n, v) => n + v.rows, 0), `${e.resource}.${e.element} ${s.system}`).toBe(s.sources.reduce((n, x) => n + x.rows, 0));
        for (const { version } of s.versions.filter((v) => v.version !== NOT_STATED)) {
          // Every number of the version (2025, 2.78, 43, 2026-11-30) is in a source of the row.
          for (const token of version.match(/\d[\d.-]*\d|\d/g) ?? []) {
            expect(s.sources.some((x) => x.source.includes(token)), `${e.resource}.${e.element} ${s.system}: ${version}`).toBe(true);
          }
        }
      }
    }
  });

  it("should read a source naming two systems only for each one's own part", () => {
    const source = 'SNOMED CT 44054006 as listed in code-sources/vsac-conditions/conditions-v2022.csv (VSAC eCQM value sets); ICD-10-CM E11.9 from code-sources/icd10cm/icd10cm.csv (CDC/NCHS FY2025 via PHSKC)';
    expect(versionsIn('icd10cm', source)).toEqual(['FY2025']);
    expect(versionsIn('snomed', source)).toEqual([]);
    expect(versionsIn('loinc', 'LOINC 2.78 (loinc.org), code and long common name')).toEqual(['2.78']);
  });

  it('should put the version in a column of the Markdown and the HTML tables', () => {
    const md = guideMarkdown(guide);
    expect(md).toContain('| resource | element | code system | system URI | version | distinct codes | code-maps file | sources |');
    expect(md).toMatch(/^\| Condition \| code \| ICD-10-CM \| http:\/\/hl7\.org\/fhir\/sid\/icd-10-cm \| FY2025 \| \d+ \|/m);
    const html = guideHtml(guide);
    expect(html).toContain('<th>code system</th><th>version</th><th>distinct codes</th>');
    expect(html).toMatch(/<td>ICD-10-CM<br><small><code>http:\/\/hl7\.org\/fhir\/sid\/icd-10-cm<\/code><\/small><\/td><td>FY2025<\/td>/);
  });
});
