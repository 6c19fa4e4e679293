// Validates only the directory bundle (what Plan-Net is about) at two seeds, with 1-3 members each: the
// directory depends on the profile seed alone, not on the member count, so it is the 25-member default's.
// About 12 s on 2 cores: loading three IG packages once (~4 s) and three small generations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/cli/run.js';
import { coverage } from '../../../src/validate/coverage.js';
import { createValidator, type Validator } from '../../../src/validate/validator.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../../helpers/output.js';
import { SHARED_PACKAGES } from '../../helpers/packages.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

function population(seed: number, members: number, formats: ('bundles' | 'ndjson')[] = ['bundles']): { dir: string; directory: Resource[]; members: Resource[] } {
  const t = tempDir('fhirseed-plan-net-');
  temps.push(t.cleanup);
  generateTo(t.dir, { ...shippedProfile('default'), seed, members }, { formats });
  const files = bundleResources(t.dir);
  return {
    dir: t.dir,
    directory: files.filter((f) => f.file === 'directory.json').flatMap((f) => f.resources),
    members: files.filter((f) => f.file !== 'directory.json').flatMap((f) => f.resources),
  };
}

let validator: Validator;
beforeAll(async () => {
  validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['carin-bb@2.0.0', 'us-core@6.1.0', 'plan-net@1.1.0'] });
});

describe.each([20260101, 777, 4242])('Plan-Net directory of the default profile, seed %i', (seed) => {
  let directory: Resource[];
  beforeAll(() => {
    directory = population(seed, 1).directory;
  });

  it('should validate against R4, CARIN BB, US Core 6.1.0 and Plan-Net 1.1.0 with 0 errors', () => {
    const errors = validator
      .validate(directory)
      .filter((i) => i.severity === 'error')
      .map((i) => `${i.resourceType}/${i.id}: ${i.path}: ${i.message}`);
    expect(errors.slice(0, 30)).toEqual([]);
  });

  it('should claim every Plan-Net profile and fill every must-support element', () => {
    const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.davinci-pdex-plan-net')!;
    const report = coverage(directory, pkg, validator);
    expect(report.unclaimed).toEqual([]);
    expect(report.profiles).toHaveLength(9);
    expect(report.profiles.reduce((n, p) => n + p.total, 0)).toBe(217);
    const gaps = Object.fromEntries(report.profiles.filter((p) => p.missing.length).map((p) => [p.name, p.missing]));
    expect(gaps).toEqual({});
    // Network telecom is must-support but prohibited (0..0); Network identifier:NPI is judged not applicable (a
    // network is not a health care provider, 45 CFR 162.410; src/validate/not-applicable.ts).
    const notApplicable = report.profiles.flatMap((p) => p.notApplicable.map((n) => `${p.name}: ${n.id}`));
    expect(notApplicable).toEqual(['PlannetNetwork: Organization.identifier:NPI', 'PlannetNetwork: Organization.telecom']);
  });
});

const PLAN_NET = 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/';
const NPI = 'http://hl7.org/fhir/sid/us-npi';
const claims = (r: Resource, profile: string) => (r.meta?.profile ?? []).some((p) => p.startsWith(PLAN_NET + profile + '|'));
const npiOf = (r: Resource) => ((r as { identifier?: { system?: string; value?: string }[] }).identifier ?? []).find((i) => i.system === NPI)?.value;

describe('Plan-Net directory and the claims', () => {
  let generated: ReturnType<typeof population>;
  beforeAll(() => {
    generated = population(20260101, 3, ['bundles', 'ndjson']);
  });

  it('should be the directory the claims use: every provider an EOB names is a Plan-Net one, by the same NPI', () => {
    const byKey = new Map(generated.directory.map((r) => [`${r.resourceType}/${r.id}`, r]));
    const named = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const ref = (v as { reference?: unknown }).reference;
        if (typeof ref === 'string' && /^(Practitioner|Organization)\//.test(ref)) named.add(ref);
        Object.values(v).forEach(walk);
      }
    };
    const eobs = generated.members.filter((r) => r.resourceType === 'ExplanationOfBenefit');
    expect(eobs.length).toBeGreaterThan(0);
    eobs.forEach(walk);
    const roles = generated.directory.filter((r) => r.resourceType === 'PractitionerRole' && claims(r, 'plannet-PractitionerRole'));
    for (const key of named) {
      const r = byKey.get(key)!;
      expect(r, key).toBeDefined();
      if (r.resourceType === 'Practitioner') {
        expect(claims(r, 'plannet-Practitioner'), key).toBe(true);
        expect(roles.some((role) => (role as { practitioner?: { reference?: string } }).practitioner?.reference === key), key).toBe(true);
      } else if (r.id !== generated.directory.find((x) => x.resourceType === 'Organization' && /payer$/.test(x.id!))?.id) {
        expect(claims(r, 'plannet-Organization'), key).toBe(true);
      }
    }
    // One resource per NPI: Plan-Net's practitioners and organizations are the CARIN BB ones.
    const providers = generated.directory.filter((r) => r.resourceType === 'Practitioner' || (r.resourceType === 'Organization' && npiOf(r)));
    expect(providers.length).toBeGreaterThan(0);
    for (const r of providers) {
      expect(claims(r, r.resourceType === 'Practitioner' ? 'plannet-Practitioner' : 'plannet-Organization'), r.id).toBe(true);
      expect((r.meta?.profile ?? []).some((p) => p.includes('/carin-bb/')), r.id).toBe(true);
    }
    expect(new Set(providers.map(npiOf)).size).toBe(providers.length);
  });

  it('should put every provider organization in a network of the plans, with an affiliation per network', () => {
    const networks = generated.directory.filter((r) => claims(r, 'plannet-Network'));
    // Formulary's PayerInsurancePlan and Formulary are InsurancePlans too: count Plan-Net's.
    const plans = generated.directory.filter((r) => claims(r, 'plannet-InsurancePlan'));
    // As a set: a directory large enough to split over several bundle files is read back file by file.
    expect(networks.map((n) => (n as { name?: string }).name).sort()).toEqual(shippedProfile('default').plans.map((p) => `${p.name} Network`).sort());
    expect(plans).toHaveLength(networks.length);
    const affiliated = new Set(generated.directory.filter((r) => r.resourceType === 'OrganizationAffiliation').map((a) => (a as { participatingOrganization?: { reference?: string } }).participatingOrganization?.reference));
    const providerOrgs = generated.directory.filter((r) => r.resourceType === 'Organization' && npiOf(r));
    for (const o of providerOrgs) expect(affiliated.has(`Organization/${o.id}`), o.id).toBe(true);
    // The NDJSON holds the same Plan-Net resources as the directory bundle.
    for (const type of ['InsurancePlan', 'HealthcareService', 'OrganizationAffiliation']) {
      const lines = readFileSync(join(generated.dir, 'ndjson', `${type}.ndjson`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Resource);
      const byId = (a: Resource, b: Resource) => (a.id! < b.id! ? -1 : a.id! > b.id! ? 1 : 0);
      expect(lines.sort(byId)).toEqual(generated.directory.filter((r) => r.resourceType === type).sort(byId));
    }
  });

  it('should have fhirseed validate print the Plan-Net coverage rows', async () => {
    let stdout = '';
    const code = await runCli(['validate', join(generated.dir, 'bundles', 'directory.json'), '--packages', SHARED_PACKAGES, '--ig', 'carin-bb@2.0.0', '--ig', 'us-core@6.1.0', '--ig', 'plan-net@1.1.0'], {
      stdout: (t) => (stdout += t),
      stderr: () => undefined,
      isTty: false,
    });
    expect(stdout).toMatch(/^validated \d+ resources: 0 errors/);
    expect(stdout).toContain('must-support coverage, hl7.fhir.us.davinci-pdex-plan-net#1.1.0:');
    expect(stdout).toMatch(/PlannetPractitionerRole\s+\d+\/\d+\s+100%/);
    expect(code).toBe(0);
  });
});
