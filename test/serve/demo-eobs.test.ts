import { describe, expect, it } from 'vitest';
import type { ExplanationOfBenefit } from '@medplum/fhirtypes';
import { priorAuthorizationRow, splitExplanations } from '../../src/serve/demo-eobs.js';

/*
 * The /demo app's reading of a member's EOBs (U's trial s16 B2: prior authorizations were listed as claims,
 * "21 claims" where the member had 17). The page itself is checked in test/browser/demo.test.ts.
 */

const PDEX = 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition';

/** A PDex PriorAuthorization in the shape src/fhir/pdex/prior-authorization.ts builds. */
function priorAuth(id: string, action: { code: string; display: string }, extra: Partial<ExplanationOfBenefit> = {}, denial?: string): ExplanationOfBenefit {
  const review = { url: `${PDEX}/extension-reviewAction`, extension: [{ url: 'number', valueString: 'PA1' }, { url: `${PDEX}/extension-reviewActionCode`, valueCodeableConcept: { coding: [{ system: 'https://codesystem.x12.org/005010/306', ...action }] } }] };
  return {
    resourceType: 'ExplanationOfBenefit', id, status: 'active', use: 'preauthorization', created: '2025-05-05T10:00:00Z', outcome: 'complete',
    type: { coding: [{ code: 'professional' }] }, patient: { reference: 'Patient/p' }, insurer: { reference: 'Organization/payer' }, provider: { reference: 'Organization/dme' },
    insurance: [{ focal: true, coverage: { reference: 'Coverage/c' } }],
    identifier: [{ value: `N-${id}` }],
    adjudication: [{ extension: [review], category: { coding: [{ code: 'submitted' }] } }],
    item: [{
      sequence: 1,
      category: { coding: [{ code: '12', display: 'Durable Medical Equipment Purchase' }] },
      productOrService: { coding: [{ code: 'E0601', display: 'Cont airway pressure device' }] },
      adjudication: [
        { extension: [review], category: { coding: [{ code: 'submitted' }] } },
        ...(denial ? [{ category: { coding: [{ code: 'denialreason' }] }, reason: { coding: [{ code: '50', display: denial }] } }] : []),
      ],
    }],
    ...extra,
  } as ExplanationOfBenefit;
}

const claim = (id: string): ExplanationOfBenefit => ({ ...priorAuth(id, { code: 'A1', display: 'Certified in total' }), use: 'claim' });

describe('demo app: claims and prior authorizations', () => {
  it('should count only use=claim EOBs as claims, and list prior authorizations apart', () => {
    const eobs = [claim('c1'), priorAuth('pa1', { code: 'A1', display: 'Certified in total' }), claim('c2'), { ...claim('pd1'), use: 'predetermination' as const }];
    const { claims, priorAuthorizations, other } = splitExplanations(eobs);
    expect(claims.map((e) => e.id)).toEqual(['c1', 'c2']);
    expect(priorAuthorizations.map((e) => e.id)).toEqual(['pa1']);
    expect(other.map((e) => e.id)).toEqual(['pd1']);
  });

  it('should read the decision, the service, the period and the number of an approved request', () => {
    const row = priorAuthorizationRow(priorAuth('pa1', { code: 'A1', display: 'Certified in total' }, { preAuthRef: ['PA2025X'], preAuthRefPeriod: [{ start: '2025-05-06', end: '2025-07-05' }] }));
    expect(row).toEqual({
      id: 'pa1', requested: '2025-05-05', service: 'Durable Medical Equipment Purchase: Cont airway pressure device', provider: 'Organization/dme',
      decision: 'Approved', authorized: '2025-05-06 to 2025-07-05', number: 'PA2025X',
    });
  });

  it('should give a denial its reason, and a pended or unknown action in words', () => {
    const denied = priorAuthorizationRow(priorAuth('pa2', { code: 'A3', display: 'Not Certified' }, {}, 'Not medically necessary'));
    expect([denied.decision, denied.authorized, denied.number]).toEqual(['Denied — Not medically necessary', '', 'N-pa2']);
    expect(priorAuthorizationRow(priorAuth('pa3', { code: 'A4', display: 'Pended' })).decision).toBe('Pending');
    expect(priorAuthorizationRow(priorAuth('pa4', { code: 'CT', display: 'Contact Payer' })).decision).toBe('Contact Payer');
    const bare = priorAuthorizationRow({ ...priorAuth('pa5', { code: 'A1', display: 'x' }), item: [], adjudication: [] });
    expect([bare.decision, bare.service]).toEqual(['no decision recorded', 'a service']);
  });

  it('should name an inpatient stay by its service type alone when the item has no procedure code', () => {
    const stay = priorAuth('pa6', { code: 'A1', display: 'Certified in total' });
    stay.item![0]!.category = { coding: [{ code: '48', display: 'Hospital - Inpatient' }] };
    stay.item![0]!.productOrService = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/data-absent-reason', code: 'not-applicable', display: 'Not Applicable' }] };
    expect(priorAuthorizationRow(stay).service).toBe('Hospital - Inpatient');
  });
});
