import type { Practitioner } from '@medplum/fhirtypes';
import type { PractitionerFact } from '../../story/types.js';
import { carinBbProfile, meta, type BuildContext } from '../context.js';
import { concept } from './codings.js';
import { fhirAddress, humanName, npiIdentifier, phone, tinIdentifier } from './common.js';

/** C4BB Practitioner 2.0.0: NPI, name, and the NUCC taxonomy as a qualification. */
export function buildC4bbPractitioner(p: PractitionerFact, ctx: BuildContext): Practitioner {
  const taxonomy = ctx.codeMaps.taxonomy.find((t) => t.code === p.taxonomy);
  return {
    resourceType: 'Practitioner',
    id: p.id,
    meta: meta(ctx, [carinBbProfile('C4BB-Practitioner')]),
    identifier: [npiIdentifier(p.npi), tinIdentifier(p.tin)],
    active: true,
    name: [humanName(p.name)],
    telecom: [phone(p.phone, 'work')],
    address: [{ ...fhirAddress(p.address), use: 'work' }],
    gender: p.sex,
    qualification: [{ code: concept('nucc', p.taxonomy, taxonomy?.display) }],
  };
}
