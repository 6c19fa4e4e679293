import type { CodeableConcept, Extension, ExplanationOfBenefit } from '@medplum/fhirtypes';

/*
 * What the /demo member app shows of a member's ExplanationOfBenefit resources, kept apart from the page
 * (demo/app.js, bundled by vite) so node tests can check it. Browser code: no node imports.
 */

const REVIEW_ACTION = 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/extension-reviewAction';
const REVIEW_ACTION_CODE = 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/extension-reviewActionCode';

/**
 * A member's EOBs split by `use` (FHIR R4 ExplanationOfBenefit.use): `claims` the adjudicated claims
 * (`claim`, CARIN BB), `priorAuthorizations` the payer's decisions on requests (`preauthorization`, PDex
 * PriorAuthorization), `other` anything else (`predetermination`). A prior authorization carries the
 * authorized amount where a claim carries the allowed one: listing it as a claim shows a bill nobody paid.
 */
export function splitExplanations(eobs: ExplanationOfBenefit[]): { claims: ExplanationOfBenefit[]; priorAuthorizations: ExplanationOfBenefit[]; other: ExplanationOfBenefit[] } {
  return {
    claims: eobs.filter((e) => e.use === 'claim'),
    priorAuthorizations: eobs.filter((e) => e.use === 'preauthorization'),
    other: eobs.filter((e) => e.use !== 'claim' && e.use !== 'preauthorization'),
  };
}

/** One row of the page's prior-authorization list, in words a member reads. */
export interface PriorAuthorizationRow {
  id: string;
  /** When it was asked for (EOB.created), YYYY-MM-DD. */
  requested: string;
  /** The X12 service type and the service, e.g. "MRI/CAT Scan: MRI brain without contrast". */
  service: string;
  /** Reference to the provider that asked (EOB.provider). */
  provider?: string;
  /** The payer's decision (X12 HCR01 review action of PDex extension-reviewAction: A1 "Approved", A3 "Denied", A4 "Pending"…), with the denial reason when refused. */
  decision: string;
  /** The period authorized (EOB.preAuthRefPeriod), "start to end"; empty when nothing was authorized. */
  authorized: string;
  /** The authorization number (EOB.preAuthRef, else the identifier). */
  number: string;
}

/** A PDex PriorAuthorization EOB as a row: what was asked, by whom, and what the payer decided. */
export function priorAuthorizationRow(eob: ExplanationOfBenefit): PriorAuthorizationRow {
  const items = eob.item ?? [];
  const services = unique(items.map((i) => [text(i.category), i.productOrService?.coding?.some((c) => c.code === 'not-applicable') ? undefined : text(i.productOrService)].filter(Boolean).join(': ')));
  const actions = unique([...items.flatMap((i) => (i.adjudication ?? []).map((a) => reviewAction(a.extension))), reviewAction(eob.adjudication?.[0]?.extension)]);
  const reasons = unique(items.flatMap((i) => (i.adjudication ?? []).filter((a) => a.category?.coding?.some((c) => c.code === 'denialreason')).map((a) => text(a.reason))));
  const period = eob.preAuthRefPeriod?.[0];
  return {
    id: eob.id ?? '',
    requested: (eob.created ?? '').slice(0, 10),
    service: services.join('; ') || 'a service',
    ...(eob.provider?.reference ? { provider: eob.provider.reference } : {}),
    decision: [actions.join(', ') || 'no decision recorded', ...reasons].join(' — '),
    authorized: period?.start ? `${period.start.slice(0, 10)} to ${period.end?.slice(0, 10) ?? '(open)'}` : '',
    number: eob.preAuthRef?.[0] ?? eob.identifier?.[0]?.value ?? '',
  };
}

/** X12 HCR01 review action codes (element 306) in a member's words; others keep their display. */
const DECISION: Record<string, string> = { A1: 'Approved', A2: 'Approved in part', A3: 'Denied', A4: 'Pending', A6: 'Approved with changes' };

function reviewAction(extensions: Extension[] | undefined): string | undefined {
  const action = extensions?.find((e) => e.url === REVIEW_ACTION)?.extension?.find((e) => e.url === REVIEW_ACTION_CODE)?.valueCodeableConcept;
  const code = action?.coding?.[0]?.code;
  return (code && DECISION[code]) || text(action);
}

function text(concept: CodeableConcept | undefined): string | undefined {
  return concept?.text ?? concept?.coding?.[0]?.display ?? concept?.coding?.[0]?.code;
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => Boolean(v)))];
}
