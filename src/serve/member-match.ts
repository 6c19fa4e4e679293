import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Consent, Coverage, Identifier, OperationOutcome, Parameters, ParametersParameter, Patient, Resource } from '@medplum/fhirtypes';
import type { SandboxAuth } from './auth.js';
import type { AtomicMemoryRepository } from './router.js';

/** The answer of `$member-match`: an HTTP status and a Parameters or OperationOutcome. */
export interface MemberMatchAnswer {
  status: number;
  body: Parameters | OperationOutcome;
}

const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

export const MEMBER_MATCH_PATH = 'Patient/$member-match';

/**
 * Answers `Patient/$member-match` (fhirPath relative to the FHIR base, bearer token already checked) and returns
 * true; false for any other path. POST only (405 otherwise); a member's (patient) token is refused (403): the
 * operation is for payers' systems.
 */
export async function handleMemberMatch(repo: AtomicMemoryRepository, auth: SandboxAuth, req: IncomingMessage, res: ServerResponse, fhirPath: string, readBody: (req: IncomingMessage) => Promise<Buffer>): Promise<boolean> {
  if (fhirPath.replace(/%24/gi, '$') !== MEMBER_MATCH_PATH) return false;
  let answer: (MemberMatchAnswer & { headers?: Record<string, string> }) | undefined;
  if (req.method !== 'POST') answer = { ...refuse(405, 'invalid', `${req.method} ${MEMBER_MATCH_PATH}: the operation is POST only`), headers: { allow: 'POST' } };
  else if (auth.patientGrant(req.headers.authorization)) answer = refuse(403, 'forbidden', 'a patient token may not use $member-match: it is for payer systems (SMART Backend Services)');
  else {
    const text = (await readBody(req)).toString('utf8');
    let body: unknown;
    try {
      body = text.trim() ? JSON.parse(text) : undefined;
    } catch (error) {
      body = undefined;
      answer = refuse(400, 'invalid', `request body is not JSON (${(error as Error).message})`);
    }
    answer ??= memberMatch(repo, body);
  }
  answer ??= refuse(500, 'invalid', 'no answer');
  const json = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/fhir+json; charset=utf-8', 'content-length': Buffer.byteLength(json), ...answer.headers });
  res.end(json);
  return true;
}

/**
 * `POST Patient/$member-match` (Da Vinci HRex 1.0.0, as PDex 2.0.0 uses it for payer-to-payer exchange): the
 * requesting payer sends Parameters with MemberPatient (the member's demographics), CoverageToMatch (the coverage
 * this payer issued, as on the member's card), CoverageToLink (the requester's own coverage, optional) and Consent.
 * The match is deterministic: a Coverage held here whose `subscriberId` or member-id `identifier` equals one of
 * CoverageToMatch's, whose beneficiary has the same family name and birth date (and first given name and gender when
 * both sides have them; names compared without case). Exactly one member: 200 with Parameters `MemberIdentifier`
 * (the member's identifier of type MB) and `MemberId` (the Patient reference). No member or more than one: 422.
 * A Consent that is not active: 422. A malformed Parameters (a part missing, of the wrong type, or without what the
 * match needs): 400 naming the part.
 */
export function memberMatch(repo: AtomicMemoryRepository, body: unknown): MemberMatchAnswer {
  const params = body as Parameters | undefined;
  if (params?.resourceType !== 'Parameters') return refuse(400, 'invalid', 'Patient/$member-match takes a Parameters resource');
  const parts = params.parameter ?? [];
  const part = <T extends Resource>(name: string, type: T['resourceType'], required: boolean): T | string | undefined => {
    const found = parts.filter((p: ParametersParameter) => p.name === name);
    if (found.length > 1) return `${name} is given ${found.length} times (0..1)`;
    const resource = found[0]?.resource;
    if (!found[0]) return required ? `${name} is missing` : undefined;
    if (resource?.resourceType !== type) return `${name} must hold a ${type} resource${resource ? ` (got ${resource.resourceType})` : ''}`;
    return resource as T;
  };
  const patient = part<Patient>('MemberPatient', 'Patient', true);
  const coverage = part<Coverage>('CoverageToMatch', 'Coverage', true);
  const link = part<Coverage>('CoverageToLink', 'Coverage', false);
  const consent = part<Consent>('Consent', 'Consent', true);
  const problem = [patient, coverage, link, consent].find((p): p is string => typeof p === 'string');
  if (problem) return refuse(400, 'required', problem);
  const member = patient as Patient;
  const card = coverage as Coverage;
  const family = member.name?.find((n) => n.family)?.family;
  if (!family) return refuse(400, 'required', 'MemberPatient has no name.family');
  if (!member.birthDate) return refuse(400, 'required', 'MemberPatient has no birthDate');
  const ids = memberIds(card);
  if (!ids.size) return refuse(400, 'required', 'CoverageToMatch has neither subscriberId nor an identifier value (a deterministic match needs the member or subscriber id)');
  if ((consent as Consent).status !== 'active') return refuse(422, 'business-rule', `Consent.status is ${(consent as Consent).status ?? 'missing'}: only an active Consent permits the exchange`);

  const matched = new Map<string, { patient: Patient; coverage: Coverage }>();
  for (const resource of repo.all('Coverage')) {
    const held = resource as Coverage;
    if (![...memberIds(held)].some((id) => ids.has(id))) continue;
    const patientId = /^Patient\/([^/]+)$/.exec(held.beneficiary?.reference ?? '')?.[1];
    const candidate = patientId ? (repo.get('Patient', patientId) as Patient | undefined) : undefined;
    if (candidate && sameDemographics(member, candidate)) matched.set(candidate.id!, { patient: candidate, coverage: held });
  }
  if (matched.size !== 1) {
    return refuse(422, 'business-rule', matched.size ? `no single member matches: ${matched.size} members match MemberPatient and CoverageToMatch` : 'no member matches MemberPatient and CoverageToMatch');
  }
  const { patient: found, coverage: held } = [...matched.values()][0]!;
  const identifier = memberIdentifier(found, held);
  return {
    status: 200,
    body: {
      resourceType: 'Parameters',
      parameter: [
        { name: 'MemberIdentifier', valueIdentifier: identifier },
        { name: 'MemberId', valueReference: { reference: `Patient/${found.id}` } },
      ],
    },
  };
}

/** A Coverage's member and subscriber ids (`subscriberId`, every identifier value). */
function memberIds(coverage: Coverage): Set<string> {
  const ids = new Set<string>();
  if (coverage.subscriberId) ids.add(coverage.subscriberId);
  for (const id of coverage.identifier ?? []) if (id.value) ids.add(id.value);
  return ids;
}

function sameDemographics(asked: Patient, held: Patient): boolean {
  const same = (a: string | undefined, b: string | undefined) => !a || !b || a.trim().toLowerCase() === b.trim().toLowerCase();
  if (asked.birthDate !== held.birthDate) return false;
  const askedFamily = asked.name?.find((n) => n.family)?.family;
  if (!held.name?.some((n) => n.family && same(askedFamily, n.family))) return false;
  const given = asked.name?.find((n) => n.given?.length)?.given?.[0];
  if (given && !held.name?.some((n) => n.given?.some((g) => same(given, g)))) return false;
  return same(asked.gender, held.gender);
}

/** The member's identifier of type MB: the Patient's, else the Coverage's, else its subscriber id and dependent number. */
function memberIdentifier(patient: Patient, coverage: Coverage): Identifier {
  const isMb = (id: Identifier) => id.type?.coding?.some((c) => c.system === V2_0203 && c.code === 'MB');
  const found = patient.identifier?.find(isMb) ?? coverage.identifier?.find(isMb);
  const type = { coding: [{ system: V2_0203, code: 'MB', display: 'Member Number' }] };
  if (found) return { ...found, type };
  return { type, value: coverage.dependent ? `${coverage.subscriberId}-${coverage.dependent}` : (coverage.subscriberId ?? patient.id!) };
}

function refuse(status: number, code: 'invalid' | 'required' | 'business-rule' | 'forbidden', text: string): MemberMatchAnswer {
  return { status, body: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] } };
}
