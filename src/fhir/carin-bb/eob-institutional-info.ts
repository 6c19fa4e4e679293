import type { ClaimFact } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { tableConcept } from './codings.js';
import { SupportingInfo } from './eob-common.js';

/** The supportingInfo both institutional EOB profiles share: receipt date, bill type, admission codes, record numbers. */
export function institutionalSupportingInfo(claim: ClaimFact, ctx: BuildContext): SupportingInfo {
  const facts = claim.institutional;
  if (!facts) throw new Error(`institutional claim ${claim.claimNumber} has no institutional facts`);
  const maps = ctx.codeMaps;
  return new SupportingInfo()
    .add('clmrecvddate', { timingDate: claim.received })
    .add('typeofbill', { code: tableConcept(maps, 'type-of-bill', facts.typeOfBill) })
    .add('pointoforigin', { code: tableConcept(maps, 'point-of-origin', facts.pointOfOrigin) })
    .add('admtype', { code: tableConcept(maps, 'admission-type', facts.admissionType) })
    .add('discharge-status', { code: tableConcept(maps, 'discharge-status', facts.dischargeStatus) })
    .add('medicalrecordnumber', { valueString: facts.medicalRecordNumber })
    .add('patientaccountnumber', { valueString: facts.patientAccountNumber });
}
