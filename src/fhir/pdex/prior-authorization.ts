import type { ExplanationOfBenefit, ExplanationOfBenefitItemAdjudication, Extension } from '@medplum/fhirtypes';
import type { MemberStory, PriorAuthFact, PriorAuthItemFact } from '../../story/types.js';
import { money } from '../../util/money.js';
import { ids, meta, ref, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { payerSystem } from '../carin-bb/common.js';
import { isFacility, locationId } from '../us-core/care-common.js';

const PDEX = 'http://hl7.org/fhir/us/davinci-pdex';
const PAS = 'http://hl7.org/fhir/us/davinci-pas';
export const PDEX_VERSION = '2.0.0';

/** Versioned canonical of a PDex profile, e.g. pdexProfile('pdex-priorauthorization'). */
export function pdexProfile(name: string): string {
  return `${PDEX}/StructureDefinition/${name}|${PDEX_VERSION}`;
}

/** X12 code systems as PDex and its examples name them (src/util/systems.ts). */
const X12 = {
  serviceType: SYSTEMS.x12ServiceType,
  /** HCR01 action code (element 306). */
  reviewAction: SYSTEMS.x12ActionCode,
  /** UM06 level of service (element 1338). */
  levelOfService: SYSTEMS.x12LevelOfServiceCode,
  /** NM101 entity identifier code (element 98). */
  entity: SYSTEMS.x12EntityIdentifier,
};

/** X12 NM101 codes of the authorized provider: FA the facility of a stay or procedure, SJ the service provider. */
const AUTHORIZED_PROVIDER_TYPE = {
  facility: { code: 'FA', display: 'Facility' },
  service: { code: 'SJ', display: 'Service Provider' },
} as const;

/** X12 service type of each kind of request: 48 hospital inpatient, 62 MRI/CAT scan, 12 DME purchase. */
const SERVICE_TYPE = {
  'inpatient-admission': { code: '48', display: 'Hospital - Inpatient' },
  'advanced-imaging': { code: '62', display: 'MRI/CAT Scan' },
  dme: { code: '12', display: 'Durable Medical Equipment Purchase' },
} as const;

/** X12 HCR01 action codes: A1 certified in total, A3 not certified, A4 pended. */
const REVIEW_ACTION = {
  approved: { code: 'A1', display: 'Certified in total' },
  denied: { code: 'A3', display: 'Not Certified' },
  pended: { code: 'A4', display: 'Pended' },
} as const;

/**
 * PDex PriorAuthorization 2.0.0: a prior authorization request and the payer's decision, as an
 * ExplanationOfBenefit with `use` preauthorization — per item the review action (approved A1, denied A3,
 * pended A4), the units and period authorized, the denial reason, and the units the claim used; the
 * claim for an approved service carries the same number in `insurance.preAuthRef`. Item extensions from
 * Da Vinci PAS 2.0.1 (issue date, period, trace and reference numbers; on approved items the authorized
 * detail and provider) carry the URLs PDex names; the PAS package is not at hand, so the validator does not
 * check their contents (test/fhir/pdex/prior-authorization.test.ts checks them against a transcription).
 */
export function buildPdexPriorAuthorization(story: MemberStory, auth: PriorAuthFact, ctx: BuildContext): ExplanationOfBenefit {
  const payer = ctx.directory.payer;
  const claim = story.claims.find((c) => c.priorAuthNumber === auth.number);
  const decision = auth.items[0]!.decision;
  const facility = isFacility(ctx, auth.providerId);
  const submitted = auth.items.reduce((s, i) => s + i.submitted, 0);
  const approved = auth.items.filter((i) => i.decision === 'approved');
  return {
    resourceType: 'ExplanationOfBenefit',
    id: ids.member(story, `pa${auth.ordinal}`),
    meta: meta(ctx, [pdexProfile('pdex-priorauthorization')]),
    extension: [{ url: `${PDEX}/StructureDefinition/extension-levelOfServiceCode`, valueCodeableConcept: code(X12.levelOfService, 'E', 'Elective') }],
    identifier: [{ system: payerSystem(ctx, 'prior-authorization'), value: auth.number }],
    status: 'active',
    type: code(SYSTEMS.claimType, auth.kind === 'inpatient-admission' ? 'institutional' : 'professional'),
    use: 'preauthorization',
    patient: ref('Patient', ids.patient(story)),
    billablePeriod: { start: auth.service.start, end: auth.service.end },
    created: auth.requested,
    ...(auth.practitionerId ? { enterer: ref('Practitioner', auth.practitionerId) } : {}),
    insurer: ref('Organization', payer.id),
    provider: ref('Organization', auth.providerId),
    ...(facility ? { facility: ref('Location', locationId(auth.providerId)) } : {}),
    // The payer has answered every request, a pended one with review action A4 on its items; 'queued' would
    // also fail the CARIN BB kit's check that every ExplanationOfBenefit a patient search returns is complete.
    outcome: 'complete',
    ...(approved.length ? { preAuthRef: [auth.number], preAuthRefPeriod: [approved[0]!.authorizedPeriod!] } : {}),
    ...(auth.practitionerId ? { careTeam: [{ sequence: 1, provider: ref('Practitioner', auth.practitionerId), responsible: true }] } : {}),
    ...(auth.diagnoses.length
      ? { diagnosis: auth.diagnoses.map((d, i) => ({ sequence: i + 1, diagnosisCodeableConcept: code(SYSTEMS.icd10cm, d.icd10cm, d.display) })) }
      : {}),
    insurance: [{ focal: true, coverage: ref('Coverage', ids.coverage(story, auth.coverageOrdinal)) }],
    item: auth.items.map((i) => item(auth, i, claim ? i.authorizedUnits ?? 0 : 0, facility)),
    adjudication: [{
      extension: [reviewAction(auth, decision)],
      category: code(SYSTEMS.adjudication, 'submitted', 'Submitted Amount'),
      amount: usd(submitted),
    }],
    total: [
      { category: code(SYSTEMS.pdexPriorAuthorizationValueCodes, 'submitted', 'Submitted Amount'), amount: usd(submitted) },
      ...(approved.length
        ? [{
            extension: [{ url: `${PDEX}/StructureDefinition/PriorAuthorizationUtilization`, valueQuantity: { value: claim ? approved.reduce((s, i) => s + (i.authorizedUnits ?? 0), 0) : 0 } }],
            category: code(SYSTEMS.pdexPriorAuthorizationValueCodes, 'eligible', 'Eligible Amount'),
            amount: usd(approved.reduce((s, i) => s + i.submitted, 0)),
          }]
        : []),
    ],
  };
}

function item(auth: PriorAuthFact, i: PriorAuthItemFact, consumed: number, facility: boolean): NonNullable<ExplanationOfBenefit['item']>[number] {
  const system = i.code.system === 'cpt' || i.code.system === 'hcpcs' ? SYSTEMS[i.code.system] : undefined;
  const adjudication: ExplanationOfBenefitItemAdjudication[] = [{
    extension: [reviewAction(auth, i.decision)],
    category: code(SYSTEMS.adjudication, 'submitted', 'Submitted Amount'),
    amount: usd(i.submitted),
  }];
  if (i.decision === 'approved') {
    adjudication.push({ category: code(SYSTEMS.pdexAdjudicationDiscriminator, 'allowedunits'), value: i.authorizedUnits ?? 0 });
    adjudication.push({ category: code(SYSTEMS.pdexAdjudicationDiscriminator, 'consumedunits'), value: consumed });
  }
  if (i.denial) {
    adjudication.push({ category: code(SYSTEMS.pdexAdjudicationDiscriminator, 'denialreason'), reason: code(SYSTEMS.carc, i.denial.carc, i.denial.display) });
  }
  const extension: Extension[] = [
    { url: `${PAS}/StructureDefinition/extension-itemTraceNumber`, valueIdentifier: { system: SYSTEMS.priorAuthTrace, value: `${auth.number}-${i.sequence}` } },
    { url: `${PAS}/StructureDefinition/extension-administrationReferenceNumber`, valueString: `${auth.number}-${i.sequence}` },
    ...(auth.decided ? [{ url: `${PAS}/StructureDefinition/extension-itemPreAuthIssueDate`, valueDate: auth.decided }] : []),
    ...(auth.previousNumber ? [{ url: `${PAS}/StructureDefinition/extension-authorizationNumber`, valueString: auth.previousNumber }] : []),
    ...(i.authorizedPeriod ? [{ url: `${PAS}/StructureDefinition/extension-itemPreAuthPeriod`, valuePeriod: i.authorizedPeriod }] : []),
    ...(i.decision === 'approved' ? authorizedExtensions(auth, i, facility) : []),
  ];
  return {
    extension,
    sequence: i.sequence,
    category: code(X12.serviceType, SERVICE_TYPE[auth.kind].code, SERVICE_TYPE[auth.kind].display),
    productOrService: system
      ? code(system, i.code.code, i.code.display)
      : code(SYSTEMS.dataAbsentReason, 'not-applicable', 'Not Applicable'),
    servicedPeriod: { start: auth.service.start, end: auth.service.end },
    quantity: { value: i.quantity },
    adjudication,
  };
}

/**
 * The Da Vinci PAS 2.0.1 complex extensions of an approved item, as PAS defines them (its package is not at
 * hand; transcribed from hl7.org/fhir/us/davinci-pas/STU2 and HL7/davinci-pas input/fsh/ClaimResponse.fsh):
 * - extension-itemAuthorizedDetail: sub-extensions productOrServiceCode, productOrServiceCodeEnd, modifier,
 *   unitPrice (Money), quantity (SimpleQuantity), epsdtIndicator, nursingHomeLevelOfCare, revenue,
 *   revenueUnitRateLimit, authorizedService, each 0..1 but modifier 0..*. Only `quantity` is filled: the
 *   units authorized (days of a stay, or the line's units); the service authorized is the one requested
 *   (item.productOrService), and payers authorize services, not prices.
 * - extension-itemAuthorizedProvider: sub-extensions provider (Reference to a Practitioner or Organization)
 *   and providerType (X12 NM101, element 98), each 0..1. The provider authorized is the organization that
 *   will perform the service: the facility of a stay (FA), else the billing provider (SJ, service provider).
 */
function authorizedExtensions(auth: PriorAuthFact, i: PriorAuthItemFact, facility: boolean): Extension[] {
  const type = facility ? AUTHORIZED_PROVIDER_TYPE.facility : AUTHORIZED_PROVIDER_TYPE.service;
  return [
    {
      url: `${PAS}/StructureDefinition/extension-itemAuthorizedDetail`,
      extension: [{ url: 'quantity', valueQuantity: { value: i.authorizedUnits ?? 0 } }],
    },
    {
      url: `${PAS}/StructureDefinition/extension-itemAuthorizedProvider`,
      extension: [
        { url: 'provider', valueReference: ref('Organization', auth.providerId) },
        { url: 'providerType', valueCodeableConcept: code(X12.entity, type.code, type.display) },
      ],
    },
  ];
}

function reviewAction(auth: PriorAuthFact, decision: PriorAuthItemFact['decision']): Extension {
  const action = REVIEW_ACTION[decision];
  return {
    url: `${PDEX}/StructureDefinition/extension-reviewAction`,
    extension: [
      { url: 'number', valueString: auth.number },
      { url: `${PDEX}/StructureDefinition/extension-reviewActionCode`, valueCodeableConcept: code(X12.reviewAction, action.code, action.display) },
    ],
  };
}

function code(system: string, c: string, display?: string) {
  return { coding: [{ system, code: c, ...(display ? { display } : {}) }] };
}

const usd = money;

/** The member's PDex resources: a PriorAuthorization per request made by now. */
export function buildPdexMemberResources(story: MemberStory, ctx: BuildContext): ExplanationOfBenefit[] {
  return (story.priorAuthorizations ?? []).map((a) => buildPdexPriorAuthorization(story, a, ctx));
}
