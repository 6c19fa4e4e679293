import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilityStatement, findProfiles, profileIgs } from '../../src/serve/capability.js';
import { startServer } from '../../src/serve/index.js';
import { manifestIgs } from '../../src/serve/served-igs.js';
import { loadPackages } from '../../src/validate/packages.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { describeEmbedded, fhir } from './helpers.js';

/*
 * /metadata's IGs follow the output's manifest. Near 20 s on a loaded 2-core machine: two server starts and two
 * profile listings (for US Core 3.1.1 and 7.0.0 outputs), each reading IG packages (two 2-member generates are the rest).
 */

const C4BB = 'http://hl7.org/fhir/us/carin-bb/CapabilityStatement/c4bb';
const US_CORE = 'http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server';
const PAYER_BASES = ['http://hl7.org/fhir/us/davinci-pdex-plan-net/', 'http://hl7.org/fhir/us/davinci-drug-formulary/', 'http://hl7.org/fhir/us/davinci-pdex/'];

const listedProfiles = (statement: CapabilityStatement) => statement.rest![0]!.resource!.flatMap((r) => r.supportedProfile ?? []);
const withBase = (urls: string[], base: string) => urls.filter((u) => u.startsWith(base)).sort();

/** The resource profiles (constraints on a resource type) in one IG package, read from the package itself. */
function packageProfiles(ig: string): string[] {
  const resources = loadPackages([ig], SHARED_PACKAGES).packages[0]!.resources;
  return resources.filter((r) => r?.resourceType === 'StructureDefinition' && r.kind === 'resource' && r.derivation === 'constraint').map((r) => r.url as string).sort();
}

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
    const profiles = listedProfiles(statement);
    expect(profiles.filter((p) => p.startsWith('http://hl7.org/fhir/us/core/'))).toEqual([]);
    expect(profiles.filter((p) => PAYER_BASES.some((b) => p.startsWith(b)))).toEqual([]);
    expect(statement.rest![0]!.resource!.find((r) => r.type === 'ExplanationOfBenefit')!.supportedProfile).toContain('http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-ExplanationOfBenefit-Inpatient-Institutional');
  });

  it('should name the US Core version of the output, and both IGs when nothing says which', () => {
    const profiles = findProfiles(SHARED_PACKAGES);
    // As serve reads them: the packages of the versions the output names.
    const served311 = { 'hl7.fhir.us.core': '3.1.1' };
    const usCore311 = capabilityStatement('http://x/fhir', findProfiles(SHARED_PACKAGES, profileIgs(served311)), 'none', 'http://x/auth/token', undefined, served311);
    expect(usCore311.instantiates).toEqual([US_CORE]);
    expect(usCore311.implementationGuide).toEqual(['http://hl7.org/fhir/us/core/ImplementationGuide/hl7.fhir.us.core|3.1.1']);
    expect(capabilityStatement('http://x/fhir', profiles, 'none', 'http://x/auth/token').instantiates).toEqual([C4BB, US_CORE]);
  });
});

describeEmbedded('serve: /metadata lists the profiles of the US Core version and the payer IGs the output names', () => {
  const temp = tempDir('fhirseed-capability-311-');
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    generateTo(temp.dir, { ...shippedProfile('default'), members: 2 }, { usCoreVersion: '3.1.1' });
    server = await startServer({ port: 0, dir: temp.dir, store: 'memory', packagesDir: SHARED_PACKAGES });
  }, 60_000);

  afterAll(async () => {
    await server.close();
    temp.cleanup();
  });

  it('should list the US Core 3.1.1 profiles for a --us-core 3.1.1 output, none only in 6.1.0, and the Plan-Net, Formulary and PDex ones', async () => {
    const statement = (await fhir<CapabilityStatement>(`${server.url}/metadata`)).body;
    expect(statement.implementationGuide).toContain('http://hl7.org/fhir/us/core/ImplementationGuide/hl7.fhir.us.core|3.1.1');
    const listed = listedProfiles(statement);
    const v311 = packageProfiles('us-core@3.1.1');
    expect(withBase(listed, 'http://hl7.org/fhir/us/core/')).toEqual(v311);
    const only610 = packageProfiles('us-core@6.1.0').filter((u) => !v311.includes(u));
    expect(only610.length).toBeGreaterThan(0);
    expect(listed.filter((u) => only610.includes(u))).toEqual([]);
    // The default profile emits every IG: each payer IG's profiles are listed, read from its package.
    expect(withBase(listed, PAYER_BASES[0]!)).toEqual(packageProfiles('hl7.fhir.us.davinci-pdex-plan-net@1.1.0'));
    expect(withBase(listed, PAYER_BASES[1]!)).toEqual(packageProfiles('hl7.fhir.us.davinci-drug-formulary@2.0.1'));
    expect(withBase(listed, 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/')).toEqual(packageProfiles('hl7.fhir.us.davinci-pdex@2.0.0'));
  });

  it('should list the US Core 7.0.0 profiles for a manifest naming 7.0.0, and a payer IG\'s only when the statement names it', () => {
    const served = { 'hl7.fhir.us.carin-bb': '2.0.0', 'hl7.fhir.us.core': '7.0.0' };
    const profiles = findProfiles(SHARED_PACKAGES, profileIgs(served));
    const statement = capabilityStatement('http://x/fhir', profiles, 'none', 'http://x/auth/token', undefined, served);
    expect(withBase(listedProfiles(statement), 'http://hl7.org/fhir/us/core/')).toEqual(packageProfiles('us-core@7.0.0'));
    expect(listedProfiles(statement).filter((p) => PAYER_BASES.some((b) => p.startsWith(b)))).toEqual([]);
    const planNet = 'http://hl7.org/fhir/us/davinci-pdex-plan-net/ImplementationGuide/hl7.fhir.us.davinci-pdex-plan-net|1.1.0';
    const withPlanNet = capabilityStatement('http://x/fhir', profiles, 'none', 'http://x/auth/token', { instantiates: [], implementationGuides: [planNet] }, served);
    expect(withBase(listedProfiles(withPlanNet), PAYER_BASES[0]!)).toEqual(packageProfiles('hl7.fhir.us.davinci-pdex-plan-net@1.1.0'));
    expect(listedProfiles(withPlanNet).filter((p) => PAYER_BASES.slice(1).some((b) => p.startsWith(b)))).toEqual([]);
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

describeEmbedded('serve: /metadata without the IG packages (V #6)', () => {
  const temp = tempDir('fhirseed-capability-nopackages-');
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    generateTo(temp.dir, { ...shippedProfile('default'), members: 2 });
    // A packages folder holding no package (named: nothing downloaded): the first-run case without network.
    server = await startServer({ port: 0, dir: temp.dir, store: 'memory', packagesDir: join(temp.dir, 'bundles') });
  }, 60_000);

  afterAll(async () => {
    await server.close();
    temp.cleanup();
  });

  it('should name no ImplementationGuide whose package it did not read, and list no profile', async () => {
    const statement = (await fhir<CapabilityStatement>(`${server.url}/metadata`)).body;
    expect(listedProfiles(statement)).toEqual([]);
    expect(statement.implementationGuide ?? []).toEqual([]);
  });

  it('should name only the IGs whose packages were read', () => {
    const profiles = findProfiles(SHARED_PACKAGES, ['carin-bb@2.0.0']);
    const statement = capabilityStatement('http://x/fhir', profiles, 'none', 'http://x/auth/token');
    expect(statement.implementationGuide).toEqual(['http://hl7.org/fhir/us/carin-bb/ImplementationGuide/hl7.fhir.us.carin-bb|2.0.0']);
  });
});
