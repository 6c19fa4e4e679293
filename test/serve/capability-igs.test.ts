import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilityStatement, findProfiles } from '../../src/serve/capability.js';
import { startServer } from '../../src/serve/index.js';
import { manifestIgs } from '../../src/serve/served-igs.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { describeEmbedded, fhir } from './helpers.js';

/*
 * /metadata's IGs follow the output's manifest. Near 10 s on a loaded 2-core machine: one server start and one
 * profile listing, each reading the CARIN BB and US Core packages (a 2-member generate is the rest).
 */

const C4BB = 'http://hl7.org/fhir/us/carin-bb/CapabilityStatement/c4bb';
const US_CORE = 'http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server';

describeEmbedded('serve: /metadata names the IGs the output was made for', () => {
  const temp = tempDir('fhirseed-capability-igs-');
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    generateTo(temp.dir, { ...shippedProfile('default'), members: 2 }, { igs: ['carin-bb'] });
    server = await startServer({ port: 0, dir: temp.dir, store: 'memory', packagesDir: SHARED_PACKAGES });
  }, 60_000);

  afterAll(async () => {
    await server.close();
    temp.cleanup();
  });

  it('should instantiate only the CARIN BB statement, and list no US Core profile, for a carin-bb-only output', async () => {
    const statement = (await fhir<CapabilityStatement>(`${server.url}/metadata`)).body;
    expect(statement.instantiates).toEqual([C4BB]);
    expect(statement.implementationGuide).toEqual(['http://hl7.org/fhir/us/carin-bb/ImplementationGuide/hl7.fhir.us.carin-bb|2.0.0']);
    const profiles = statement.rest![0]!.resource!.flatMap((r) => r.supportedProfile ?? []);
    expect(profiles.filter((p) => p.startsWith('http://hl7.org/fhir/us/core/'))).toEqual([]);
    expect(statement.rest![0]!.resource!.find((r) => r.type === 'ExplanationOfBenefit')!.supportedProfile).toContain('http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional');
  });

  it('should name the US Core version of the output, and both IGs when nothing says which', () => {
    const profiles = findProfiles(SHARED_PACKAGES);
    const usCore311 = capabilityStatement('http://x/fhir', profiles, 'none', 'http://x/auth/token', undefined, { 'hl7.fhir.us.core': '3.1.1' });
    expect(usCore311.instantiates).toEqual([US_CORE]);
    expect(usCore311.implementationGuide).toEqual(['http://hl7.org/fhir/us/core/ImplementationGuide/hl7.fhir.us.core|3.1.1']);
    expect(capabilityStatement('http://x/fhir', profiles, 'none', 'http://x/auth/token').instantiates).toEqual([C4BB, US_CORE]);
  });
});

describe('manifestIgs', () => {
  it("should read manifest.json's igs, a sharded run's from its shard manifests, and nothing from other data", () => {
    const temp = tempDir('fhirseed-manifest-igs-');
    try {
      expect(manifestIgs(temp.dir)).toBeUndefined();
      expect(manifestIgs(undefined)).toBeUndefined();
      writeFileSync(join(temp.dir, 'manifest.shard-1-of-2.json'), JSON.stringify({ igs: { 'hl7.fhir.us.carin-bb': '2.0.0' } }));
      writeFileSync(join(temp.dir, 'manifest.shard-2-of-2.json'), JSON.stringify({ igs: { 'hl7.fhir.us.carin-bb': '2.0.0', 'hl7.fhir.us.core': '7.0.0' } }));
      expect(manifestIgs(temp.dir)).toEqual({ 'hl7.fhir.us.carin-bb': '2.0.0', 'hl7.fhir.us.core': '7.0.0' });
      writeFileSync(join(temp.dir, 'manifest.json'), JSON.stringify({ igs: { 'hl7.fhir.us.core': '6.1.0' } }));
      expect(manifestIgs(temp.dir)).toEqual({ 'hl7.fhir.us.core': '6.1.0' });
    } finally {
      temp.cleanup();
    }
  });
});
