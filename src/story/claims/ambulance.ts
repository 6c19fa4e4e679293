import type { ConditionFact, CoverageFact, IsoDate } from '../types.js';
import type { MemberClaimsContext } from './context.js';
import type { ClaimDraft } from './draft.js';
import { procedureLine, tableEntry } from './lines.js';

/** An emergency ambulance transport to the hospital: a professional claim of the ambulance service. */
export function ambulanceClaim(ctx: MemberClaimsContext, visit: { coverage: CoverageFact; date: IsoDate; condition: ConditionFact; forced?: boolean }): ClaimDraft {
  const { rng } = ctx;
  const service = ctx.org('ambulance');
  const network = ctx.network(false);
  const diagnoses = [ctx.diagnosisOf(visit.condition, 1, 'principal')];
  const miles = rng.int(2, 25);
  const options = { date: visit.date, coverage: visit.coverage, network, placeOfService: '41', diagnosisSequences: [1] };
  const transport = ctx.procedures('ambulance').filter((r) => !/mileage/i.test(r.display));
  const mileage = ctx.procedures('ambulance').filter((r) => /mileage/i.test(r.display));
  if (!transport.length || !mileage.length) throw new Error('code-maps/professional-procedures.json needs ambulance transport and mileage codes');
  const address = ctx.member.address;
  return {
    type: 'professional',
    coverageOrdinal: visit.coverage.ordinal,
    serviceStart: visit.date,
    serviceEnd: visit.date,
    billingProviderId: service.id,
    facilityId: service.id,
    renderingPractitionerId: undefined,
    network,
    diagnoses,
    procedures: [],
    lines: [
      procedureLine(ctx, rng.pick(transport), { ...options, denial: ctx.denial('professional', false) }),
      procedureLine(ctx, mileage[0]!, { ...options, quantity: miles }),
    ],
    ambulance: {
      reason: tableEntry(ctx, 'ambulance-transport-reason', 'A').code,
      miles,
      weightLb: rng.int(90, 260),
      pickup: `${address.line[0]}, ${address.city}, ${address.state} ${address.postalCode}`,
      dropoff: `${ctx.hospital.name}, ${ctx.hospital.address.line[0]}, ${ctx.hospital.address.city}, ${ctx.hospital.address.state}`,
      stretcherPurpose: 'Patient unable to sit or stand safely',
      ...(visit.forced ? { roundTripPurpose: 'Return home after emergency department care' } : {}),
    },
    forced: visit.forced,
  };
}
