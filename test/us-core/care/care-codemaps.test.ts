import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCodeMaps } from '../../../src/codemaps/load.js';
import { codeMaps, tempDir } from '../../helpers/output.js';
import { examplesOf, sharedValidator } from '../../helpers/validator.js';
let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** A copy of code-maps/ with one care table edited. */
function brokenMaps(file: string, edit: (json: { rows: Record<string, unknown>[] }) => void): string {
  const t = tempDir('care-maps-');
  cleanup = t.cleanup;
  cpSync(join(process.cwd(), 'code-maps'), t.dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(t.dir, file), 'utf8')) as { rows: Record<string, unknown>[] };
  edit(json);
  writeFileSync(join(t.dir, file), JSON.stringify(json));
  return t.dir;
}

describe('care code maps', () => {
  const care = codeMaps.clinical.care;

  it('cover every visit kind and every discharge status the claims use', () => {
    for (const kind of ['office', 'preventive', 'emergency', 'outpatient', 'inpatient', 'dental']) expect(care.encounterTypes.has(kind)).toBe(true);
    for (const c of codeMaps.tables.get('discharge-status')!.codes) expect(care.dischargeDispositions.has(c.code)).toBe(true);
  });

  it('the implant rows carry the UDI and device type of the cited US Core example', async () => {
    const example = examplesOf(await sharedValidator(), 'hl7.fhir.us.core').find((e) => e.resource.id === 'udi-3')!.resource as unknown as {
      udiCarrier: { deviceIdentifier: string }[];
      type: { coding: { code: string }[] };
    };
    const knee = care.implantsByPcs.get('0SRC0J9')!;
    expect(knee.deviceIdentifier).toBe(example.udiCarrier[0]!.deviceIdentifier);
    expect(knee.snomed.code).toBe(example.type.coding[0]!.code);
  });

  it('the assessment categories are codes of the US Core category code system', async () => {
    const usCore = (await sharedValidator()).packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const cs = usCore.resources.find((r) => r.resourceType === 'CodeSystem' && r.id === 'us-core-category') as unknown as { concept: { code: string }[] };
    for (const row of care.conditionCategories.values()) {
      if (row.assessmentCategory) expect(cs.concept.map((c) => c.code)).toContain(row.assessmentCategory.code);
    }
  });

  it('a bad SNOMED CT id or a dangling condition key stops the load with a line naming the file', () => {
    const badSnomed = brokenMaps('care-procedures.json', (j) => { (j.rows[0]!.snomed as { code: string }).code = '609588001'; });
    expect(() => loadCodeMaps(badSnomed)).toThrow(/care-procedures\.json.*Verhoeff/);
    cleanup?.();
    const badKey = brokenMaps('care-condition-categories.json', (j) => { j.rows[0]!.key = 'no-such-condition'; });
    expect(() => loadCodeMaps(badKey)).toThrow(/care-condition-categories\.json.*no such condition/);
  });
});
