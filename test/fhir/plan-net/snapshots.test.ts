import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildPlanNetHealthcareService, buildPlanNetOrganizationAffiliation, buildPlanNetTelehealthService } from '../../../src/fhir/plan-net/healthcare-service.js';
import { buildPlanNetDirectoryResources, layerPlanNet } from '../../../src/fhir/plan-net/index.js';
import { buildPlanNetInsurancePlan } from '../../../src/fhir/plan-net/insurance-plan.js';
import { buildPlanNetNetwork, buildPlanNetPayerEndpoint, buildPlanNetServiceArea } from '../../../src/fhir/plan-net/network.js';
import { buildUsCoreDirectoryResources } from '../../../src/fhir/us-core/index.js';
import { buildPlanNetDirectory } from '../../../src/story/plan-net-directory.js';
import { buildContext, directory, profile } from '../../helpers/population.js';

const ctx = buildContext('6.1.0');
const pn = buildPlanNetDirectory(profile, directory);
const clinic = directory.organizations.find((o) => o.kind === 'clinic')!;
const network = pn.networks[0]!;

// Each builder of src/fhir/plan-net on the default profile's directory (a pure function of it).
const CASES: Record<string, () => unknown> = {
  buildPlanNetNetwork: () => buildPlanNetNetwork(network, ctx, pn),
  buildPlanNetServiceArea: () => buildPlanNetServiceArea(ctx, pn),
  buildPlanNetPayerEndpoint: () => buildPlanNetPayerEndpoint(ctx),
  buildPlanNetInsurancePlan: () => buildPlanNetInsurancePlan(ctx.plansById.get(network.planId)!, network, ctx, pn),
  buildPlanNetHealthcareService: () => buildPlanNetHealthcareService(clinic, ctx, pn),
  buildPlanNetTelehealthService: () => buildPlanNetTelehealthService(clinic, ctx, pn),
  buildPlanNetOrganizationAffiliation: () => buildPlanNetOrganizationAffiliation(clinic, pn.organizations[directory.organizations.indexOf(clinic)]!.networks[0]!, ctx, pn),
  buildPlanNetDirectoryResources: () => buildPlanNetDirectoryResources(ctx, pn).map((r) => `${r.resourceType}/${r.id}`),
  layerPlanNet: () => buildUsCoreDirectoryResources(ctx).slice(0, 3).map((r) => layerPlanNet(r, ctx, pn)),
};

describe('Plan-Net builder snapshots', () => {
  it.each(Object.keys(CASES))('should build the same %s output from the default directory', (name) => {
    const first = CASES[name]!();
    expect(CASES[name]!()).toEqual(first);
    expect(first).toMatchSnapshot();
  });

  it('should draw the same Plan-Net facts for the same seed and others for another', () => {
    expect(buildPlanNetDirectory(profile, directory)).toEqual(pn);
    expect(buildPlanNetDirectory({ ...profile, seed: profile.seed + 1 }, directory).practitioners).not.toEqual(pn.practitioners);
  });

  it('should have a snapshot case for every builder exported from src/fhir/plan-net', async () => {
    const dir = join(process.cwd(), 'src', 'fhir', 'plan-net');
    const builders: string[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
      const module = (await import(pathToFileURL(join(dir, file)).href)) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) if (typeof value === 'function' && /^(build|layer)[A-Z]/.test(name)) builders.push(name);
    }
    expect(builders.length).toBeGreaterThanOrEqual(9);
    expect([...new Set(builders)].filter((b) => !(b in CASES))).toEqual([]);
  });
});
