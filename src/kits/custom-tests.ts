import type { CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { UserError } from '../util/errors.js';
import { groupResources } from './resource-tests.js';
import { result, type KitState, type TestContext, type TestResult } from './state.js';

const DATA_ABSENT_REASON = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';
const LOINC = 'http://loinc.org';
/** Inferno's clinical notes guidance: the DocumentReference types and DiagnosticReport categories a server shows. */
const NOTE_TYPES = ['11488-4', '18842-5', '34117-2', '28570-0', '11506-3', '18748-4', '11502-2', '11526-1'];
const REPORT_CATEGORIES = ['LP29684-5', 'LP29708-2', 'LP7839-6'];

/** The kits' hand-written data checks that can be replayed from what was found; undefined for those that cannot. */
export async function customTest(ctx: TestContext): Promise<TestResult | undefined> {
  const id = ctx.test.id;
  const eobs = () => groupResources(ctx) as (Resource & Record<string, any>)[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (id.endsWith('custom_eob_outcome_complete')) {
    const all = eobs();
    if (!all.length) return result(ctx, 'skip', 'no ExplanationOfBenefit found', 'data');
    const other = all.filter((r) => r.outcome !== 'complete');
    return other.length ? result(ctx, 'fail', `${other.length} of ${all.length} EOBs have outcome other than complete (${[...new Set(other.map((r) => r.outcome))].join(', ')})`, 'data') : result(ctx, 'pass');
  }
  if (id.endsWith('custom_eob_type_data_absent')) {
    const all = eobs();
    if (!all.length) return result(ctx, 'skip', 'no ExplanationOfBenefit found', 'data');
    const absent = all.filter((r) => JSON.stringify(r.type ?? {}).includes('data-absent-reason'));
    return absent.length ? result(ctx, 'fail', `${absent.length} EOBs use a data absent reason in type`, 'data') : result(ctx, 'pass');
  }
  if (id.endsWith('custom_eob_insurer_same')) {
    const all = eobs();
    if (!all.length) return result(ctx, 'skip', 'no ExplanationOfBenefit found', 'data');
    for (const eob of all.slice(0, 20)) {
      const coverageRef = eob.insurance?.find((i: { focal?: boolean }) => i.focal)?.coverage?.reference;
      const coverage = coverageRef ? await ctx.state.client.read(coverageRef) : undefined;
      const payors: string[] = (coverage?.body?.payor ?? []).map((p: { reference?: string }) => p.reference);
      if (!payors.includes(eob.insurer?.reference)) return result(ctx, 'fail', `ExplanationOfBenefit/${eob.id}: insurer ${eob.insurer?.reference} is not a payor of its focal coverage ${coverageRef}`, 'data');
    }
    return result(ctx, 'pass');
  }
  if (id.endsWith('document_reference_custodian_test')) {
    const docs = groupResources(ctx) as (Resource & { custodian?: unknown })[];
    if (!docs.length) return result(ctx, 'skip', 'no DocumentReference found', 'data');
    return docs.some((d) => d.custodian) ? result(ctx, 'pass') : result(ctx, 'fail', 'no DocumentReference has custodian', 'data');
  }
  if (id.endsWith('practitioner_address_test')) {
    const withAddress = ctx.state.delayedOf('Practitioner').some((p) => (p as { address?: unknown[] }).address?.length);
    const roles = ctx.state.delayedOf('PractitionerRole').length;
    return withAddress || roles ? result(ctx, 'pass') : result(ctx, 'fail', 'no Practitioner with an address and no PractitionerRole reached', 'data');
  }
  if (id === 'us_core_clinical_note_types') return clinicalNoteTypes(ctx);
  if (id === 'us_core_clinical_note_attachments') return clinicalNoteAttachments(ctx);
  return undefined;
}

async function clinicalNoteTypes(ctx: TestContext): Promise<TestResult> {
  const missing: string[] = [];
  const search = async (type: string, param: string, code: string) => {
    for (const patient of ctx.state.patients) {
      const reply = await ctx.state.client.search(type, [['patient', patient], [param, `${LOINC}|${code}`]]);
      if (reply.problem) throw new Error(reply.problem);
      if (reply.matches.length) {
        ctx.state.add(`notes:${type}`, reply.matches);
        return true;
      }
    }
    return false;
  };
  try {
    for (const code of NOTE_TYPES) if (!(await search('DocumentReference', 'type', code))) missing.push(`DocumentReference type ${code}`);
    for (const code of REPORT_CATEGORIES) if (!(await search('DiagnosticReport', 'category', code))) missing.push(`DiagnosticReport category ${code}`);
  } catch (error) {
    return result(ctx, 'fail', (error as Error).message, 'server');
  }
  return missing.length ? result(ctx, 'fail', `not found for the patients: ${missing.join(', ')}`, 'data') : result(ctx, 'pass');
}

async function clinicalNoteAttachments(ctx: TestContext): Promise<TestResult> {
  const docs = ctx.state.resources('notes:DocumentReference') as (Resource & { content?: { attachment?: { url?: string } }[] })[];
  const reports = ctx.state.resources('notes:DiagnosticReport') as (Resource & { presentedForm?: { url?: string }[] })[];
  if (!docs.length || !reports.length) return result(ctx, 'skip', 'no clinical notes found (see the clinical note types test)', 'data');
  const docUrls = new Set(docs.flatMap((d) => d.content ?? []).map((c) => c.attachment?.url).filter(Boolean));
  const unmatched = reports.flatMap((r) => r.presentedForm ?? []).map((f) => f.url).filter((url) => url && !docUrls.has(url));
  if (unmatched.length) return result(ctx, 'fail', `DiagnosticReport presentedForm URLs without a DocumentReference attachment: ${unmatched.slice(0, 3).join(', ')}`, 'data');
  return result(ctx, 'pass');
}

/**
 * The CapabilityStatement checks (a server that cannot be reached at all is a UserError) of the kits' hand-written groups that a client can make: it instantiates the
 * kit's statement and lists every profile the kit expects in supportedProfile.
 */
export async function capabilityTest(state: KitState, instantiates: string): Promise<{ outcome: 'pass' | 'fail'; reason?: string }> {
  const reply = await state.client.get('metadata');
  if (reply.status === 0) throw new UserError(`cannot reach ${reply.url}`);
  if (reply.status !== 200 || reply.body?.resourceType !== 'CapabilityStatement') return { outcome: 'fail', reason: `GET metadata: HTTP ${reply.status}` };
  const statement = reply.body as CapabilityStatement;
  const problems: string[] = [];
  if (!statement.instantiates?.includes(instantiates)) problems.push(`does not instantiate ${instantiates}`);
  const listed = new Set((statement.rest ?? []).flatMap((r) => r.resource ?? []).flatMap((r) => r.supportedProfile ?? []));
  const missing = state.kit.capability_profiles.filter((p) => !listed.has(p));
  if (missing.length) problems.push(`supportedProfile lacks ${missing.join(', ')}`);
  return problems.length ? { outcome: 'fail', reason: problems.join('; ') } : { outcome: 'pass' };
}

/** US Core's data absent reason group: the extension and the code both appear in what was found. */
export function dataAbsentReason(state: KitState, allResources: Resource[]): { extension: boolean; code: boolean } {
  void state;
  const text = allResources.map((r) => JSON.stringify(r));
  return {
    extension: text.some((t) => t.includes(DATA_ABSENT_REASON)),
    code: text.some((t) => t.includes('http://terminology.hl7.org/CodeSystem/data-absent-reason')),
  };
}
