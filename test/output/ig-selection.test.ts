import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { parseProfile } from '../../src/profile/load.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import { ProfileError } from '../../src/util/errors.js';
import { bundleResources, codeMaps, generateTo, shippedProfile, tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));
function dir(): string {
  const t = tempDir('fhirseed-igs-');
  temps.push(t.cleanup);
  return t.dir;
}

const CARIN = 'http://hl7.org/fhir/us/carin-bb/';
const US_CORE = 'http://hl7.org/fhir/us/core/';

function generated(igs: Parameters<typeof generateTo>[1]['igs']): { resources: Resource[]; manifest: { igs: Record<string, string> } } {
  const out = dir();
  const manifest = generateTo(out, { ...shippedProfile('default'), members: 3, igs });
  return { resources: bundleResources(out).flatMap((b) => b.resources), manifest };
}

const profilesOf = (resources: Resource[]) => resources.flatMap((r) => r.meta?.profile ?? []);

describe('IG selection: the profile igs', () => {
  let all: ReturnType<typeof generated>;
  beforeAll(() => {
    all = generated(undefined);
  });

  it('should emit every IG and list every package in the manifest by default', () => {
    expect(all.manifest.igs).toEqual({
      'hl7.fhir.us.carin-bb': '2.0.0',
      'hl7.fhir.us.core': '6.1.0',
      'hl7.fhir.us.davinci-pdex-plan-net': '1.1.0',
      'hl7.fhir.us.davinci-drug-formulary': '2.0.1',
      'hl7.fhir.us.davinci-pdex': '2.0.0',
    });
    expect(all.resources.some((r) => r.resourceType === 'ExplanationOfBenefit')).toBe(true);
    expect(all.resources.some((r) => r.resourceType === 'Observation')).toBe(true);
  });

  it('should emit only US Core (no EOB, no CARIN BB profile) with igs [us-core]', () => {
    const { resources, manifest } = generated(['us-core']);
    expect(manifest.igs).toEqual({ 'hl7.fhir.us.core': '6.1.0' });
    expect(resources.some((r) => r.resourceType === 'ExplanationOfBenefit')).toBe(false);
    expect(profilesOf(resources).filter((p) => p.startsWith(CARIN))).toEqual([]);
    // The member is still there, as a US Core Patient, with their clinical record.
    const patient = resources.find((r) => r.resourceType === 'Patient')!;
    expect(patient.meta?.profile).toEqual(['http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|6.1.0']);
    expect(resources.some((r) => r.resourceType === 'Observation')).toBe(true);
  });

  it('should emit only CARIN BB (no clinical resources, no US Core profile) with igs [carin-bb]', () => {
    const { resources, manifest } = generated(['carin-bb']);
    expect(manifest.igs).toEqual({ 'hl7.fhir.us.carin-bb': '2.0.0' });
    expect(profilesOf(resources).filter((p) => p.startsWith(US_CORE))).toEqual([]);
    const types = new Set(resources.map((r) => r.resourceType));
    const carinTypes = ['Coverage', 'ExplanationOfBenefit', 'Organization', 'Patient', 'Practitioner', 'RelatedPerson'];
    expect([...types].filter((t) => !carinTypes.includes(t))).toEqual([]);
    expect(types.has('ExplanationOfBenefit')).toBe(true);
    // Same claim EOBs as when every IG is emitted (PDex's prior authorizations, use preauthorization, are not CARIN BB's).
    const eobIds = (rs: Resource[]) =>
      rs.filter((r) => r.resourceType === 'ExplanationOfBenefit' && (r as { use?: string }).use !== 'preauthorization').map((r) => r.id);
    expect(eobIds(resources)).toEqual(eobIds(all.resources));
  });
});

describe('IG selection: Plan-Net', () => {
  it('should emit the directory with only Plan-Net profiles with igs [plan-net], and members with the base R4 ones', () => {
    const { resources, manifest } = generated(['plan-net']);
    expect(manifest.igs).toEqual({ 'hl7.fhir.us.davinci-pdex-plan-net': '1.1.0' });
    const foreign = profilesOf(resources).filter((p) => !p.startsWith('http://hl7.org/fhir/us/davinci-pdex-plan-net/') && !p.startsWith('http://hl7.org/fhir/StructureDefinition/'));
    expect(foreign).toEqual([]);
    const types = new Set<string>(resources.map((r) => r.resourceType));
    for (const t of ['InsurancePlan', 'HealthcareService', 'OrganizationAffiliation', 'PractitionerRole', 'Location', 'Endpoint']) expect(types.has(t), t).toBe(true);
    // The Plan-Net directory and the members' base resources, nothing of the other IGs (no EOB, no US Core EVS Questionnaire).
    const planNetAndMembers = ['Coverage', 'Endpoint', 'HealthcareService', 'InsurancePlan', 'Location', 'Organization', 'OrganizationAffiliation', 'Patient', 'Practitioner', 'PractitionerRole', 'RelatedPerson'];
    expect([...types].filter((t) => !planNetAndMembers.includes(t))).toEqual([]);
    expect(resources.find((r) => r.resourceType === 'Patient')!.meta?.profile).toEqual(['http://hl7.org/fhir/StructureDefinition/Patient']);
  });

  it('should emit no Plan-Net profile or resource without plan-net', () => {
    const { resources } = generated(['carin-bb', 'us-core']);
    expect(profilesOf(resources).filter((p) => p.includes('davinci-pdex-plan-net'))).toEqual([]);
    expect(resources.some((r) => r.resourceType === 'InsurancePlan' || r.resourceType === 'OrganizationAffiliation')).toBe(false);
  });
});

describe('IG selection: profile igs checks', () => {
  const text = readFileSync(join('profiles', 'default.yaml'), 'utf8');
  const options = profileLoadOptions(codeMaps);

  it('should default to every IG and keep a given list', () => {
    expect(parseProfile(text, 'ok.yaml', options).igs).toEqual(['carin-bb', 'us-core', 'plan-net', 'formulary', 'pdex']);
    expect(parseProfile(`${text}\nigs: [us-core, carin-bb]\n`, 'ok.yaml', options).igs).toEqual(['carin-bb', 'us-core']);
  });

  it('should refuse an unknown IG at file:line:column, naming the known ones', () => {
    const bad = `${text}\nigs: [carin-bb, plannet]\n`;
    const line = bad.split('\n').findIndex((l) => l.startsWith('igs:')) + 1;
    let error: unknown;
    try {
      parseProfile(bad, 'bad.yaml', options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as Error).message).toBe(`bad.yaml:${line}:17: igs[1]: must be one of carin-bb, us-core, plan-net, formulary, pdex`);
  });

  it('should refuse an IG named twice in one line naming it and where', () => {
    const bad = `${text}\nigs: [carin-bb, us-core, carin-bb]\n`;
    const line = bad.split('\n').findIndex((l) => l.startsWith('igs:')) + 1;
    expect(() => parseProfile(bad, 'dup.yaml', options)).toThrow(new ProfileError('dup.yaml', line, 6, 'igs', 'lists "carin-bb" twice (items 0 and 2)'));
  });
});

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

describe('fhirseed generate --ig', () => {
  it('should emit only the named IGs (repeatable, comma lists) and record them in the manifest', async () => {
    const out = join(dir(), 'out');
    const r = await run(['generate', '--members', '2', '--out', out, '--ig', 'us-core', '--ig', 'carin-bb,us-core']);
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.igs).toEqual({ 'hl7.fhir.us.carin-bb': '2.0.0', 'hl7.fhir.us.core': '6.1.0' });
  });

  it('should take NAME@VERSION as serve does: the version built, us-core@VERSION as --us-core VERSION', async () => {
    const out = join(dir(), 'out');
    const r = await run(['generate', '--members', '2', '--out', out, '--ig', 'carin-bb@2.0.0,us-core@3.1.1']);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.igs).toEqual({ 'hl7.fhir.us.carin-bb': '2.0.0', 'hl7.fhir.us.core': '3.1.1' });
  });

  it('should refuse a version fhirseed does not build, or two US Core versions, in one line, exit 2', async () => {
    const cases: [string[], string][] = [
      [['--ig', 'carin-bb@1.1.0'], '--ig carin-bb@1.1.0: fhirseed builds carin-bb 2.0.0 only (--ig carin-bb or carin-bb@2.0.0)'],
      [['--ig', 'us-core@7.0.0'], '--ig us-core@7.0.0: fhirseed builds US Core 6.1.0 or 3.1.1'],
      [['--ig', 'us-core@3.1.1', '--us-core', '6.1.0'], '--ig us-core@3.1.1: differs from --us-core 6.1.0; name one US Core version'],
      [['--ig', 'us-core@3.1.1,us-core@6.1.0'], '--ig us-core@6.1.0: differs from us-core@3.1.1; name one US Core version'],
    ];
    for (const [args, message] of cases) {
      const r = await run(['generate', '--members', '2', '--out', join(dir(), 'out'), ...args]);
      expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 2, stderr: `fhirseed: ${message}\n`, stdout: '' });
    }
  });

  it('should refuse an unknown IG in one line naming the known ones, exit 2, before any work', async () => {
    const out = join(dir(), 'out');
    const r = await run(['generate', '--members', '2', '--out', out, '--ig', 'us-core,fhir-r5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('fhirseed: --ig fhir-r5: unknown IG (known: carin-bb, us-core, plan-net, formulary, pdex)\n');
    expect(r.stdout).toBe('');
  });
});
