import { describe, expect, it } from 'vitest';
import type { Coverage, Patient, Resource } from '@medplum/fhirtypes';
import { buildReport, type Report } from '../../src/report/build.js';
import { MemberCollector } from '../../src/report/members.js';
import { formatReport } from '../../src/report/render.js';
import { renderHtmlReport } from '../../src/report/html/page.js';
import { loadTargets } from '../../src/report/targets.js';

/**
 * The state and plan mixes (new-user trial s16 P4: a profile author could not check `demographics.states` or
 * `plans[].share` with `report`): members per state of residence and Coverage resources per plan, counts and
 * shares, in the report object (`--json`), the text and the HTML page.
 */
const SOPT = 'https://nahdo.org/sopt';

function patient(id: string, addresses: Patient['address']): Patient {
  return { resourceType: 'Patient', id, birthDate: '1980-05-01', gender: 'female', ...(addresses ? { address: addresses } : {}) };
}

function coverage(id: string, member: string, plan: string, dental = false): Coverage {
  return {
    resourceType: 'Coverage',
    id,
    status: 'active',
    beneficiary: { reference: `Patient/${member}` },
    payor: [{ reference: 'Organization/payer' }],
    period: { start: '2025-01-01', end: '2025-12-31' },
    type: { coding: dental ? [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'DENTAL' }] : [{ system: SOPT, code: '5' }] },
    class: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' }] }, value: plan.toUpperCase(), name: plan }],
  };
}

/** Five members: three in OR (one with a work address in WA listed first), one in WA, one without an address; 3 PPO, 2 HMO, 1 dental. */
function population(): Report {
  const resources: Resource[] = [
    patient('a', [{ use: 'home', state: 'OR' }]),
    patient('b', [{ use: 'work', state: 'WA' }, { use: 'home', state: 'OR' }]),
    patient('c', [{ state: 'OR' }]),
    patient('d', [{ use: 'home', state: 'WA' }]),
    patient('e', undefined),
    coverage('ca', 'a', 'Acme PPO'),
    coverage('cb', 'b', 'Acme PPO'),
    coverage('cc', 'c', 'Acme HMO'),
    coverage('cd', 'd', 'Acme PPO'),
    coverage('ce', 'e', 'Acme HMO'),
    coverage('cad', 'a', 'Acme Dental', true),
  ];
  const collector = new MemberCollector(new Map());
  for (const r of resources) collector.add(r);
  return buildReport(collector.result, loadTargets(), 'mix', 'built-in');
}

describe('report: state and plan mix', () => {
  const report = population();

  it('should count members per state of residence (home address first) with their shares', () => {
    expect(report.states).toEqual([
      { state: 'OR', members: 3, share: 0.6 },
      { state: 'WA', members: 1, share: 0.2 },
      { state: '(none)', members: 1, share: 0.2 },
    ]);
  });

  it('should count Coverage resources per plan with their share of the book', () => {
    expect(report.plans).toEqual([
      { book: 'commercial', plan: 'Acme PPO', coverages: 3, share: 0.6 },
      { book: 'commercial', plan: 'Acme HMO', coverages: 2, share: 0.4 },
      { book: 'dental', plan: 'Acme Dental', coverages: 1, share: 1 },
    ]);
  });

  it('should print both mixes, labelled, in the text report and in --json', () => {
    const text = formatReport(report);
    expect(text).toContain('state mix (Patient address; share of all members)');
    expect(text).toMatch(/^\s+OR\s+3\s+60\.0%$/m);
    expect(text).toMatch(/^\s+\(none\)\s+1\s+20\.0%$/m);
    expect(text).toContain('plan mix (Coverage.class plan; share of the book’s Coverage resources)');
    expect(text).toMatch(/^\s+commercial\s+Acme HMO\s+2\s+40\.0%$/m);
    expect(text).toMatch(/^\s+dental\s+Acme Dental\s+1\s+100\.0%$/m);
    const json = JSON.parse(JSON.stringify(report)) as Report;
    expect(json.states[1]).toEqual({ state: 'WA', members: 1, share: 0.2 });
    expect(json.plans[0]).toEqual({ book: 'commercial', plan: 'Acme PPO', coverages: 3, share: 0.6 });
  });

  it('should show both mixes as charts and tables in the HTML report', () => {
    const details = { distributions: { allowed: [], paid: [], memberLiability: [] }, plans: [], profiles: [], topCodes: [] };
    const html = renderHtmlReport({ report, details });
    expect(html).toContain('data-chart="states"');
    expect(html).toContain('data-chart="plans"');
    expect(html).toContain('<th>state</th><th class="num">members</th><th class="num">share of members</th>');
    expect(html).toContain('<td>OR</td><td class="num">3</td><td class="num">60.0%</td>');
    expect(html).toContain('<td>commercial</td><td>Acme HMO</td><td class="num">2</td><td class="num">40.0%</td>');
  });
});
