import type { Address as FhirAddress, ContactPoint, HumanName, Identifier } from '@medplum/fhirtypes';
import type { Address, PersonName } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { concept } from './codings.js';

/** Identifier systems of the payer's own ids (member ids, claim numbers): under a reserved example.org host. */
export function payerSystem(ctx: BuildContext, kind: 'member-id' | 'unique-member-id' | 'claim-number' | 'medicaid-id' | 'payer-id'): string {
  const payerId = ctx.profile.payer.identifiers.find((i) => i.type === 'payerid')?.value ?? ctx.profile.payer.memberIdPrefix;
  return `https://fhirseed.example.org/${payerId.toLowerCase()}/${kind}`;
}

export function humanName(name: PersonName): HumanName {
  return {
    use: 'official',
    family: name.family,
    given: name.given,
    ...(name.prefix ? { prefix: [name.prefix] } : {}),
    ...(name.suffix ? { suffix: [name.suffix] } : {}),
  };
}

export function fhirAddress(a: Address): FhirAddress {
  return { use: 'home', type: 'physical', line: a.line, city: a.city, state: a.state, postalCode: a.postalCode, country: a.country };
}

export function phone(value: string, use: ContactPoint['use'] = 'home'): ContactPoint {
  return { system: 'phone', value, use };
}

export function npiIdentifier(npi: string): Identifier {
  return { type: concept('v2IdentifierType', 'NPI'), system: 'http://hl7.org/fhir/sid/us-npi', value: npi };
}

export function tinIdentifier(tin: string): Identifier {
  return { type: concept('v2IdentifierType', 'TAX'), system: 'urn:oid:2.16.840.1.113883.4.4', value: tin };
}
