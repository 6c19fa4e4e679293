import type { Resource } from '@medplum/fhirtypes';
import { FHIRSEED_RUN_TAG_SYSTEM } from '../../../src/fhir/context.js';

/** The `meta` of a resource carrying fhirseed's run tag for `run`. */
export const tag = (run: string) => ({ meta: { tag: [{ system: FHIRSEED_RUN_TAG_SYSTEM, code: run }] } });

/** A run's Organization and `patients` Patients with a Coverage each (referrers of the Organization), all tagged. */
export function population(run: string, patients = 3): Resource[] {
  const s = run.slice(-10);
  return [
    { resourceType: 'Organization', id: `o-${s}`, name: 'Payer', ...tag(run) },
    ...Array.from({ length: patients }, (_, n): Resource[] => [
      { resourceType: 'Patient', id: `p${n}-${s}`, managingOrganization: { reference: `Organization/o-${s}` }, ...tag(run) },
      { resourceType: 'Coverage', id: `c${n}-${s}`, status: 'active', beneficiary: { reference: `Patient/p${n}-${s}` }, payor: [{ reference: `Organization/o-${s}` }], ...tag(run) },
    ]).flat(),
  ];
}
