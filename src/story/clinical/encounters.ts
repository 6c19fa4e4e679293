import { procedureKeyOf } from '../../codemaps/procedure-key.js';
import type { CodeMaps } from '../../codemaps/types.js';
import type { ClaimFact, IsoDate } from '../types.js';
import type { CodeFact, EncounterFact, EncounterKind } from './types.js';

const LINE_SYSTEMS = { cpt: 'cpt', hcpcs: 'hcpcs', cdt: 'cdt', ndc: 'ndc' } as const;

/**
 * The member's visits, read off the claims: no randomness, so the clinical record cannot
 * disagree with the claims on dates, providers or diagnoses. Pharmacy fills and ambulance
 * transports are not visits. A visit that begins after `now` has not happened; one that goes on
 * past it (a stay not yet discharged) is in progress, its end `now` and no discharge status.
 */
export function encountersFromClaims(claims: readonly ClaimFact[], codeMaps: CodeMaps, now: IsoDate): EncounterFact[] {
  const visits = claims
    .filter((c) => c.type !== 'pharmacy' && !c.ambulance && c.serviceStart <= now)
    .slice()
    .sort((a, b) => (a.serviceStart < b.serviceStart ? -1 : a.serviceStart > b.serviceStart ? 1 : a.ordinal - b.ordinal));
  return visits.map((claim, i) => {
    const kind = encounterKind(claim, codeMaps);
    const inProgress = claim.serviceEnd > now;
    return {
      ordinal: i + 1,
      claimOrdinals: [claim.ordinal],
      kind,
      actClass: kind === 'inpatient' ? 'IMP' : kind === 'emergency' ? 'EMER' : 'AMB',
      type: visitCode(claim),
      start: claim.serviceStart,
      end: inProgress ? now : claim.serviceEnd,
      ...(inProgress ? { inProgress } : {}),
      practitionerId: claim.renderingPractitionerId ?? claim.attendingPractitionerId,
      organizationId: claim.facilityId ?? claim.billingProviderId,
      diagnoses: claim.diagnoses
        .filter((d) => d.role !== 'admitting' && d.role !== 'patientreasonforvisit')
        .map((d) => ({ icd10cm: d.icd10cm, display: d.display, ...(d.conditionKey ? { conditionKey: d.conditionKey } : {}) })),
      ...(claim.institutional && claim.type === 'inpatient' && !inProgress ? { dischargeStatus: claim.institutional.dischargeStatus } : {}),
    };
  });
}

function encounterKind(claim: ClaimFact, codeMaps: CodeMaps): EncounterKind {
  if (claim.type === 'inpatient') return 'inpatient';
  if (claim.type === 'oral') return 'dental';
  const emergency = claim.lines.some(
    (l) => l.revenue?.code.startsWith('045') || useOf(l.code.code, codeMaps) === 'ed-visit',
  );
  if (emergency) return 'emergency';
  if (claim.type === 'outpatient') return 'outpatient';
  const preventive = claim.lines.some((l) => useOf(l.code.code, codeMaps) === 'preventive');
  return preventive ? 'preventive' : 'office';
}

function useOf(code: string, codeMaps: CodeMaps): string | undefined {
  const key = procedureKeyOf(codeMaps.procedures, code);
  return key ? codeMaps.procedures.get(key)?.use : undefined;
}

function visitCode(claim: ClaimFact): CodeFact {
  const line = claim.lines.find((l) => l.code.system !== 'not-applicable' && l.code.system !== 'ndc') ?? claim.lines[0];
  if (line && line.code.system !== 'not-applicable' && line.code.system !== 'ndc') {
    return { system: LINE_SYSTEMS[line.code.system], code: line.code.code, display: line.code.display };
  }
  const revenue = claim.lines.find((l) => l.revenue)?.revenue;
  return revenue ? { system: 'revenue', code: revenue.code, display: revenue.display } : { system: 'revenue', code: '0001', display: 'Total charge' };
}
