import type { Organization } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { CoverageIndex } from '../../src/validate/coverage.js';
import { JUDGED_NOT_APPLICABLE, judged, judgedNotApplicable } from '../../src/validate/not-applicable.js';
import { formatSummary, type ValidationReport } from '../../src/validate/summary.js';
import { createValidator, type Validator } from '../../src/validate/validator.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const NETWORK = 'http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/plannet-Network';

let validator: Validator;
let network: Organization;
beforeAll(async () => {
  validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['plan-net@1.1.0'] });
  const pkg = validator.packages.find((p) => p.name === 'hl7.fhir.us.davinci-pdex-plan-net')!;
  network = pkg.examples.map((e) => e.resource).find((r) => r.id === 'AcmeofCTStdNet') as Organization;
});

describe('must-support elements judged not applicable', () => {
  it('should leave Network identifier:NPI out of the denominator and show it as n/a with its reason', () => {
    const index = new CoverageIndex(validator.packages.find((p) => p.name === 'hl7.fhir.us.davinci-pdex-plan-net')!, validator);
    expect(network.identifier).toBeUndefined();
    index.add(network);
    const report = index.report();
    const net = report.profiles.find((p) => p.profile === NETWORK)!;
    expect(net.missing).not.toContain('Organization.identifier:NPI');
    const npi = net.notApplicable.find((n) => n.id === 'Organization.identifier:NPI');
    expect(npi?.reason).toMatch(/not a health care provider/);
    expect(npi?.source).toMatch(/45 CFR 162\.410/);
    // Elements the profile itself prohibits carry no source: derived, not judged.
    expect(net.notApplicable.find((n) => n.id === 'Organization.telecom')?.source).toBeUndefined();
    const summary = formatSummary({ resources: 1, errors: 0, warnings: 0, readProblems: [], errorsByProfile: {}, issues: [], coverage: [report], notes: [] } satisfies ValidationReport);
    expect(summary).toContain(`      n/a Organization.identifier:NPI (${npi!.reason})`);
    const line = summary.split('\n').find((l) => l.includes('PlannetNetwork'))!;
    const [covered, applicable] = line.match(/(\d+)\/(\d+)/)!.slice(1).map(Number);
    expect(applicable).toBe(net.total - net.notApplicable.length);
    expect(covered).toBe(net.covered);
  });

  it('should give every entry a reason and a source, each matching an element of its profile', () => {
    const byUrl = new Map(validator.packages.flatMap((p) => p.resources).filter((r) => r.resourceType === 'StructureDefinition').map((r) => [(r as { url: string }).url, r as { snapshot?: { element: { id: string; mustSupport?: boolean }[] } }]));
    for (const j of JUDGED_NOT_APPLICABLE) {
      expect(j.reason.trim().length).toBeGreaterThan(10);
      expect(j.source.trim().length).toBeGreaterThan(5);
      const sd = byUrl.get(j.profile);
      // PDex is not loaded here; Plan-Net's entries must name a must-support element of their profile.
      if (sd) expect(sd.snapshot?.element.find((e) => e.id === j.element)?.mustSupport).toBe(true);
    }
    expect(judgedNotApplicable(NETWORK, 'Organization.identifier:NPI.system')?.element).toBe('Organization.identifier:NPI');
    expect(judgedNotApplicable(NETWORK, 'Organization.identifier')).toBeUndefined();
  });

  it('should refuse an entry without a reason or a source', () => {
    // @ts-expect-error an empty reason does not type-check
    expect(() => judged({ profile: NETWORK, element: 'Organization.identifier:NPI', reason: '', source: '45 CFR 162.410' })).toThrow(/empty reason/);
    // @ts-expect-error an empty source does not type-check
    expect(() => judged({ profile: NETWORK, element: 'Organization.identifier:NPI', reason: 'not a provider', source: '' })).toThrow(/empty source/);
    const blank: string = '  ';
    expect(() => judged({ profile: NETWORK, element: 'Organization.identifier:NPI', reason: blank, source: 'x' })).toThrow(/empty reason/);
  });
});
