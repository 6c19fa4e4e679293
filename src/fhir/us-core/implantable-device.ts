import type { Device } from '@medplum/fhirtypes';
import { udiCarrierHrf } from '../../story/clinical/care-devices.js';
import type { ImplantFact } from '../../story/clinical/care.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, usCoreProfile, type BuildContext } from '../context.js';
import { clinicalConcept, patientRef } from './care-common.js';

/** US Core Implantable Device: an implant placed during an operation, with its UDI. */
export function buildUsCoreImplantableDevice(story: MemberStory, implant: ImplantFact, ctx: BuildContext): Device {
  const hrf = udiCarrierHrf(implant);
  return {
    resourceType: 'Device',
    id: ids.member(story, `dev${implant.ordinal}`),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-implantable-device')]),
    udiCarrier: [{ deviceIdentifier: implant.deviceIdentifier, carrierAIDC: Buffer.from(hrf.replace(/[()]/g, '')).toString('base64'), carrierHRF: hrf, entryType: 'barcode' }],
    distinctIdentifier: `${implant.lotNumber}-${implant.serialNumber}`,
    // The record of an implant in a member who has died is no longer in use.
    status: story.member.deceasedDate ? 'inactive' : 'active',
    manufacturer: implant.manufacturer,
    manufactureDate: implant.manufactureDate,
    expirationDate: implant.expirationDate,
    lotNumber: implant.lotNumber,
    serialNumber: implant.serialNumber,
    deviceName: [{ name: implant.deviceName, type: 'udi-label-name' }],
    type: clinicalConcept(implant.type, []),
    patient: patientRef(story),
  };
}
