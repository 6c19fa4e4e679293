import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMappingGuide } from '../../src/guide/index.js';
import { SYSTEMS } from '../../src/util/systems.js';
import { codeMaps } from '../helpers/output.js';

/** String literals (quoted or template) in a TypeScript source that look like a code or identifier system URI. */
function systemLiterals(source: string): string[] {
  const literals = [...source.matchAll(/'((?:https?|urn):[^']*)'|`((?:https?|urn):[^`]*)`/g)].map((m) => m[1] ?? m[2]!);
  // Canonical bases of the IGs (profiles, extensions), example.org identifier systems and valueUri standards are not code systems.
  return literals.filter((l) => !/\/StructureDefinition\/|fhirseed\.example\.org|^http:\/\/hl7\.org\/fhir\/us\/[a-z-]+$/.test(l));
}

describe('code system URIs in one place (src/util/systems.ts)', () => {
  it('should have the Plan-Net, Formulary and PDex builders name no system URI of their own', () => {
    const found: string[] = [];
    for (const dir of ['plan-net', 'formulary', 'pdex']) {
      for (const file of readdirSync(join('src/fhir', dir)).filter((f) => f.endsWith('.ts'))) {
        for (const literal of systemLiterals(readFileSync(join('src/fhir', dir, file), 'utf8'))) found.push(`${dir}/${file}: ${literal}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('should list in the mapping guide exactly the systems of src/util/systems.ts, each with a name', () => {
    const guide = buildMappingGuide(codeMaps);
    expect(guide.systems.map((s) => s.uri).sort()).toEqual(Object.values(SYSTEMS).sort());
    // Systems whose codes the IGs fix (not drawn from code-maps/) still say where they are written.
    for (const key of ['planNetOrgType', 'usdfDrugTier', 'x12ActionCode', 'fhirseedRun', 'observationInterpretation'] as const) {
      const row = guide.systems.find((s) => s.key === key)!;
      expect(row.elements.length, key).toBeGreaterThan(0);
      expect(row.name, key).not.toBe(key);
    }
    // A payer's reader sees a name, not fhirseed's key, for every system.
    expect(guide.systems.filter((s) => s.name === s.key).map((s) => s.key)).toEqual([]);
  });
});
