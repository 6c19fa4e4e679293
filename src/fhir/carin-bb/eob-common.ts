import type {
  CodeableConcept, ExplanationOfBenefit, ExplanationOfBenefitItemAdjudication, ExplanationOfBenefitCareTeam,
  ExplanationOfBenefitDiagnosis, ExplanationOfBenefitItem, ExplanationOfBenefitSupportingInfo, ExplanationOfBenefitTotal, Organization,
  Practitioner, Reference,
} from '@medplum/fhirtypes';
import type { ClaimFact, DiagnosisFact, LineAmounts, LineFact, MemberStory } from '../../story/types.js';
import { money } from '../../util/money.js';
import { carinBbProfile, ids, meta, ref, type BuildContext } from '../context.js';
import type { SystemName } from '../systems.js';
import { concept, tableConcept } from './codings.js';
import { payerSystem } from './common.js';

const THO_ADJUDICATION = new Set(['submitted', 'copay', 'eligible', 'deductible', 'benefit']);

function category(code: string): CodeableConcept {
  return concept(THO_ADJUDICATION.has(code) ? 'adjudication' : 'c4bbAdjudication', code);
}

/** Adjudication amounts by category, in the story's integer cents: the same list for lines and totals. */
function amountEntries(a: LineAmounts, payee: ClaimFact['payee']): [string, number][] {
  const entries: [string, number][] = [
    ['submitted', a.submitted],
    ['eligible', a.allowed],
    ['deductible', a.deductible],
    ['copay', a.copay],
    ['coinsurance', a.coinsurance],
    ['noncovered', a.noncovered],
    ['discount', a.discount],
    ['benefit', a.benefit],
    [payee === 'provider' ? 'paidtoprovider' : 'paidtopatient', a.benefit],
    ['memberliability', a.memberLiability],
  ];
  if (a.priorPayerPaid) entries.push(['priorpayerpaid', a.priorPayerPaid]);
  return entries;
}

export function lineAdjudication(a: LineAmounts, payee: ClaimFact['payee']): ExplanationOfBenefitItemAdjudication[] {
  return amountEntries(a, payee).map(([code, cents]) => ({ category: category(code), amount: money(cents) }));
}

export function totals(claim: ClaimFact): ExplanationOfBenefitTotal[] {
  return amountEntries(claim.totals, claim.payee).map(([code, cents]) => ({ category: category(code), amount: money(cents) }));
}

function discriminator(code: string): CodeableConcept {
  return concept('c4bbAdjudicationDiscriminator', code);
}

export function networkStatus(kind: 'billingnetworkstatus' | 'renderingnetworkstatus' | 'benefitpaymentstatus', status: string): ExplanationOfBenefitItemAdjudication {
  return { category: discriminator(kind), reason: concept('c4bbPayerAdjudicationStatus', status) };
}

/** Why a denied line pays nothing: X12 CARC (adjustmentreason), or the NCPDP reject code on pharmacy claims. */
export function denialAdjudication(line: LineFact, pharmacy: boolean): ExplanationOfBenefitItemAdjudication[] {
  if (!line.denial) return [];
  if (pharmacy && line.denial.ncpdpReject) {
    return [{ category: discriminator('rejectreason'), reason: concept('ncpdpReject', line.denial.ncpdpReject) }];
  }
  if (pharmacy) return [];
  return [{ category: discriminator('adjustmentreason'), reason: concept('carc', line.denial.carc, line.denial.display) }];
}

const LINE_SYSTEMS: Record<LineFact['code']['system'], SystemName> = {
  cpt: 'cpt', hcpcs: 'hcpcs', cdt: 'cdt', ndc: 'ndc', 'not-applicable': 'dataAbsentReason',
};

export function productOrService(line: LineFact): CodeableConcept {
  return concept(LINE_SYSTEMS[line.code.system], line.code.code, line.code.display);
}

/** How a profile lets a line say when it was served: Outpatient and Pharmacy allow only `servicedDate`. */
export type ServicedAs = 'date' | 'date-or-period';

export function item(line: LineFact, extra: Partial<ExplanationOfBenefitItem>, servicedAs: ServicedAs = 'date-or-period'): ExplanationOfBenefitItem {
  const period = servicedAs === 'date-or-period' && line.serviceEnd && line.serviceEnd !== line.serviceDate;
  return {
    sequence: line.sequence,
    ...(line.diagnosisSequences.length ? { diagnosisSequence: line.diagnosisSequences } : {}),
    ...(line.revenue ? { revenue: concept('revenue', line.revenue.code, line.revenue.display) } : {}),
    productOrService: productOrService(line),
    ...(line.modifiers.length ? { modifier: line.modifiers.map((m) => concept(m.system, m.code, m.display)) } : {}),
    ...(period ? { servicedPeriod: { start: line.serviceDate, end: line.serviceEnd } } : { servicedDate: line.serviceDate }),
    quantity: { value: line.quantity },
    ...extra,
  };
}

const PRINCIPAL_ROLES = new Set(['principal', 'admitting']);

export function diagnoses(claim: ClaimFact, ctx: BuildContext, withPoa = false): ExplanationOfBenefitDiagnosis[] {
  return claim.diagnoses.map((d: DiagnosisFact) => ({
    sequence: d.sequence,
    diagnosisCodeableConcept: concept('icd10cm', d.icd10cm, d.display),
    type: [concept(PRINCIPAL_ROLES.has(d.role) ? 'diagnosisType' : 'c4bbClaimDiagnosisType', d.role)],
    ...(withPoa && d.onAdmission ? { onAdmission: tableConcept(ctx.codeMaps, 'present-on-admission', d.onAdmission) } : {}),
  }));
}

/** Builds supportingInfo entries with running sequence numbers. */
export class SupportingInfo {
  readonly entries: ExplanationOfBenefitSupportingInfo[] = [];

  add(code: string, value: Omit<ExplanationOfBenefitSupportingInfo, 'sequence' | 'category'>): this {
    this.entries.push({ sequence: this.entries.length + 1, category: concept('c4bbSupportingInfoType', code), ...value });
    return this;
  }
}

/** The provider's medical record and patient account numbers, as professional and oral claims carry them. */
export function addPatientRecord(info: SupportingInfo, record: NonNullable<ClaimFact['patientRecord']>): void {
  info.add('medicalrecordnumber', { valueString: record.medicalRecordNumber });
  info.add('patientaccountnumber', { valueString: record.patientAccountNumber });
}

export interface CareTeamMember {
  practitionerId: string;
  role: 'primary' | 'supervisor' | 'attending' | 'referring' | 'operating' | 'rendering' | 'prescribing';
  withQualification?: boolean;
}

export function careTeam(members: CareTeamMember[], ctx: BuildContext): ExplanationOfBenefitCareTeam[] {
  return members.map((m, i) => {
    const p = ctx.directory.practitioners.find((x) => x.id === m.practitionerId);
    const taxonomy = p ? ctx.codeMaps.taxonomy.find((t) => t.code === p.taxonomy) : undefined;
    return {
      sequence: i + 1,
      provider: ref('Practitioner', m.practitionerId),
      ...(m.role === 'rendering' || m.role === 'attending' ? { responsible: true } : {}),
      role: concept(m.role === 'primary' || m.role === 'supervisor' ? 'careTeamRole' : 'c4bbClaimCareTeamRole', m.role),
      ...(m.withQualification && p ? { qualification: concept('nucc', p.taxonomy, taxonomy?.display) } : {}),
    };
  });
}

/** What every C4BB EOB has, from the claim: identity, parties, dates, insurance, totals, payment. */
export function eobBase(
  story: MemberStory,
  claim: ClaimFact,
  ctx: BuildContext,
  profile: string,
  type: { code: 'institutional' | 'professional' | 'pharmacy' | 'oral'; subType?: 'inpatient' | 'outpatient' },
  provider: Reference<Organization | Practitioner>,
): ExplanationOfBenefit {
  const patient = ref('Patient', ids.patient(story));
  const payeeParty =
    claim.payee === 'provider'
      ? ref('Organization', claim.billingProviderId)
      : story.member.relationship === 'self'
        ? patient
        : ref('RelatedPerson', ids.subscriber(story));
  return {
    resourceType: 'ExplanationOfBenefit',
    id: ids.eob(story, claim.ordinal),
    meta: meta(ctx, [carinBbProfile(profile)]),
    identifier: [{ type: concept('c4bbIdentifierType', 'uc'), system: payerSystem(ctx, 'claim-number'), value: claim.claimNumber }],
    status: 'active',
    type: concept('claimType', type.code),
    ...(type.subType ? { subType: concept('c4bbInstitutionalClaimSubType', type.subType) } : {}),
    use: 'claim',
    patient,
    billablePeriod: { start: claim.serviceStart, end: claim.serviceEnd },
    created: claim.adjudicated,
    insurer: ref('Organization', ctx.directory.payer.id),
    provider,
    ...(claim.replaces
      ? {
          related: [{
            relationship: concept('relatedClaimRelationship', 'prior'),
            reference: { system: payerSystem(ctx, 'claim-number'), value: claim.replaces },
          }],
        }
      : {}),
    payee: {
      type: claim.payee === 'provider' ? concept('payeeType', 'provider') : concept('payeeType', 'subscriber'),
      party: payeeParty,
    },
    // Processing status (FHIR ClaimProcessingCodes), not the payment result: every EOB is an adjudicated claim. A
    // partial denial is in the lines' adjudications and payment.type (partiallypaid), as the CARIN kit expects.
    outcome: 'complete',
    insurance: [{
      focal: true,
      coverage: ref('Coverage', ids.coverage(story, claim.coverageOrdinal)),
      // The prior authorization the service was approved under (its PDex PriorAuthorization EOB has this number).
      ...(claim.priorAuthNumber ? { preAuthRef: [claim.priorAuthNumber] } : {}),
    }],
    total: totals(claim),
    payment: {
      type: concept('c4bbPayerAdjudicationStatus', claim.outcome),
      // An adjudicated claim not yet paid at now has no payment date (C4BB: "The date the claim was paid").
      ...(claim.paymentDate ? { date: claim.paymentDate } : {}),
      amount: money(claim.totals.benefit),
    },
    ...(claim.processNote ? { processNote: [{ number: 1, type: 'display', text: claim.processNote }] } : {}),
  };
}


/**
 * A line of a professional or oral EOB: both profiles require the place of service and a line-level
 * benefit payment status, and link the line to the rendering care-team member.
 */
export function professionalItem(
  claim: ClaimFact,
  line: LineFact,
  ctx: BuildContext,
  extra: Partial<ExplanationOfBenefitItem> = {},
  renderedByCareTeamMember1 = true,
): ExplanationOfBenefitItem {
  return item(line, {
    ...(renderedByCareTeamMember1 ? { careTeamSequence: [1] } : {}),
    locationCodeableConcept: tableConcept(ctx.codeMaps, 'place-of-service', line.placeOfService ?? '11'),
    ...extra,
    adjudication: [
      ...lineAdjudication(line.amounts, claim.payee),
      networkStatus('benefitpaymentstatus', claim.network),
      ...denialAdjudication(line, false),
      ...allowedUnits(line),
    ],
  });
}

/** Header-level reason for a claim with denied lines: the first line's X12 CARC. */
export function headerAdjustmentReason(claim: ClaimFact): ExplanationOfBenefitItemAdjudication[] {
  const denied = claim.lines.find((l) => l.denial);
  return denied?.denial ? [{ category: discriminator('adjustmentreason'), reason: concept('carc', denied.denial.carc, denied.denial.display) }] : [];
}

/**
 * Header adjudication:adjudicationamounttype of an institutional claim priced at claim level (MS-DRG,
 * case rate): the full list of amounts, equal to the EOB totals; the lines then carry none, since
 * CARIN BB allows the amounts at the line or at the header, not both.
 */
export function claimLevelAmounts(claim: ClaimFact): ExplanationOfBenefitItemAdjudication[] {
  return claim.claimLevelAdjudication ? lineAdjudication(claim.totals, claim.payee) : [];
}

function allowedUnits(line: LineFact): ExplanationOfBenefitItemAdjudication[] {
  return line.allowedUnits ? [{ category: discriminator('allowedunits'), value: line.allowedUnits }] : [];
}

/** A line of an institutional EOB: amounts, the denial reason, and the allowed units. */
export function institutionalItem(claim: ClaimFact, line: LineFact, servicedAs: ServicedAs): ExplanationOfBenefitItem {
  // A claim adjudicated at claim level has no line adjudication at all: CARIN BB wants an amount on any line that has one.
  const adjudication = claim.claimLevelAdjudication
    ? []
    : [...lineAdjudication(line.amounts, claim.payee), ...denialAdjudication(line, false), ...allowedUnits(line)];
  return item(
    line,
    adjudication.length ? { adjudication } : {},
    servicedAs,
  );
}
