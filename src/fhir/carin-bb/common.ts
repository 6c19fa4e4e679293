import type { Address as FhirAddress, ContactPoint, HumanName, Identifier } from '@medplum/fhirtypes';
import type { Address, PersonName } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { concept } from './codings.js';

/**
 * Identifier systems of the payer's own ids (member ids, claim numbers), under a reserved example.org
 * host: `https://fhirseed.example.org/<payer id, lower case>/<kind>`, where the payer id is the
 * payer's `payerid` identifier (its resource id when it has none). Stable for a given payer.
 */
export function payerSystem(ctx: BuildContext, kind: 'member-id' | 'unique-member-id' | 'claim-number' | 'medicaid-id' | 'plan-id' | 'formulary-id' | 'prior-authorization'): string {
  const payer = ctx.directory.payer;
  const payerId = payer.identifiers.find((i) => i.type === 'payerid')?.value ?? payer.id;
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
  return { type: concept('v2IdentifierType', 'NPI'), system: SYSTEMS.npi, value: npi };
}

export function tinIdentifier(tin: string): Identifier {
  return { type: concept('v2IdentifierType', 'TAX'), system: SYSTEMS.tin, value: tin };
}
