import type { Identifier, Organization } from '@medplum/fhirtypes';
import type { ProviderOrgFact } from '../../story/types.js';
import { carinBbProfile, meta, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { concept } from './codings.js';
import { fhirAddress, npiIdentifier, phone, tinIdentifier } from './common.js';

/** C4BB Organization 2.0.0 for the payer: payer id (and NAIC code, tax id when the profile gives them). */
export function buildC4bbPayerOrganization(ctx: BuildContext): Organization {
  const payer = ctx.directory.payer;
  const identifier: Identifier[] = payer.identifiers.map((i) => {
    if (i.type === 'tax') return tinIdentifier(i.value);
    if (i.type === 'naiccode') return { type: concept('c4bbIdentifierType', 'naiccode'), system: SYSTEMS.naic, value: i.value };
    // An electronic payer id has no registered namespace (clearinghouses assign them), and CARIN's payerid slice
    // fixes only the type: the Inferno CARIN kit matches the slice on an identifier without a system.
    return { type: concept('c4bbIdentifierType', 'payerid'), value: i.value };
  });
  return {
    resourceType: 'Organization',
    id: payer.id,
    meta: meta(ctx, [carinBbProfile('C4BB-Organization')]),
    identifier,
    active: true,
    type: [concept('organizationType', 'pay', 'Payer')],
    name: payer.name,
    telecom: [phone(payer.phone, 'work')],
    address: [{ ...fhirAddress(payer.address), use: 'work' }],
  };
}

/** C4BB Organization 2.0.0 for a provider organization: NPI and tax id. */
export function buildC4bbProviderOrganization(org: ProviderOrgFact, ctx: BuildContext): Organization {
  return {
    resourceType: 'Organization',
    id: org.id,
    meta: meta(ctx, [carinBbProfile('C4BB-Organization')]),
    identifier: [npiIdentifier(org.npi), tinIdentifier(org.tin)],
    active: true,
    type: [concept('organizationType', 'prov', 'Healthcare Provider')],
    name: org.name,
    telecom: [phone(org.phone, 'work')],
    address: [{ ...fhirAddress(org.address), use: 'work' }],
  };
}
