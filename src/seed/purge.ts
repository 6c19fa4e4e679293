import type { Bundle, Resource } from '@medplum/fhirtypes';
import { FHIRSEED_RUN_TAG_SYSTEM } from '../fhir/context.js';
import { UserError } from '../util/errors.js';
import { fetchCapabilities } from './capabilities.js';
import { connect } from './connect.js';
import type { FhirHttpClient } from './http.js';
import { Semaphore } from './limiter.js';
import { assertServerAllowed, normalizeServerUrl, type ConnectionOptions } from './options.js';
import { describeFailure } from './outcome.js';
import { countTagged } from './verify.js';

export interface PurgeOptions extends ConnectionOptions {
  /** One run's resources… */
  runId?: string;
  /** …or every resource carrying any fhirseed run tag. */
  allFhirseed: boolean;
  dryRun: boolean;
  /** Told the plan (counts by type, in deletion order) before anything is deleted. */
  onPlan?: (plan: PurgeRow[]) => void;
  onProgress?: (done: number, total: number) => void;
}

export interface PurgeRow {
  type: string;
  count: number;
}

export interface PurgeReport {
  plan: PurgeRow[];
  deleted: number;
  /** Found by the search but without the tag on re-reading: left alone. */
  untagged: number;
  failed: { type: string; id: string; reason: string }[];
  /** Tagged resources still on the server afterwards, by type. */
  remaining: PurgeRow[];
}

/** Referrers before what they refer to; types not listed go between the first and the last group. */
const DELETE_FIRST = [
  'Provenance', 'ExplanationOfBenefit', 'Claim', 'ClaimResponse', 'DocumentReference', 'DiagnosticReport', 'Observation',
  'QuestionnaireResponse', 'MedicationDispense', 'MedicationRequest', 'Immunization', 'Procedure', 'CarePlan', 'CareTeam', 'Goal',
  'Specimen', 'ServiceRequest', 'Media', 'AllergyIntolerance', 'Device', 'Condition', 'Encounter', 'Medication',
];
const DELETE_LAST = [
  'Coverage', 'RelatedPerson', 'Patient', 'OrganizationAffiliation', 'PractitionerRole', 'HealthcareService', 'InsurancePlan',
  'Practitioner', 'Location', 'Endpoint', 'Organization',
];

export function deletionOrder(types: Iterable<string>): string[] {
  const rank = (t: string) => {
    const first = DELETE_FIRST.indexOf(t);
    if (first >= 0) return first;
    const last = DELETE_LAST.indexOf(t);
    return last >= 0 ? 1000 + last : 500;
  };
  return [...new Set(types)].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Deletes exactly the resources carrying the run tag (or any fhirseed tag), in reverse dependency
 * order. Each resource is re-read and its tag checked before its DELETE (sent with If-Match, so a
 * resource changed in between is not deleted). 404 and 410 count as deleted. A 409 (still
 * referenced) is tried again in a later pass, after its referrers are gone.
 */
export async function purge(options: PurgeOptions): Promise<PurgeReport> {
  const server = normalizeServerUrl(options.server);
  if (!options.allFhirseed && !options.runId) throw new UserError('purge needs --run ID or --all-fhirseed');
  if (options.allFhirseed && options.runId) throw new UserError('give --run ID or --all-fhirseed, not both');
  assertServerAllowed(server, options.production, 'purge');
  const tagToken = `${FHIRSEED_RUN_TAG_SYSTEM}|${options.runId ?? ''}`;
  const carriesTag = (r: Resource | undefined) =>
    Boolean(r?.meta?.tag?.some((t) => t.system === FHIRSEED_RUN_TAG_SYSTEM && (options.allFhirseed ? Boolean(t.code) : t.code === options.runId)));

  const { client, redactor } = connect(options);
  const report: PurgeReport = { plan: [], deleted: 0, untagged: 0, failed: [], remaining: [] };
  try {
    const types = deletionOrder(await searchableTypes(client));
    for (const type of types) {
      const count = await countTagged(client, type, tagToken).catch(() => 0);
      if (count > 0) report.plan.push({ type, count });
    }
    options.onPlan?.(report.plan);
    if (options.dryRun) return report;

    const total = report.plan.reduce((a, r) => a + r.count, 0);
    const slots = new Semaphore(options.concurrency);
    const refused = new Map<string, string>();
    // Passes: a 409 on a resource still referenced by another tagged one resolves once that one goes.
    for (let pass = 0; pass < 3; pass++) {
      refused.clear();
      for (const { type } of report.plan) {
        const seen = new Set<string>();
        const firstPage = `${type}?_tag=${encodeURIComponent(tagToken)}&_count=100&_elements=id,meta`;
        for (let url = firstPage; ; ) {
          const page = await client.send('GET', url);
          if (page.status !== 200) throw new UserError(redactor.redact(`search ${type} by tag: ${describeFailure(page.status, page.body)}`), 1);
          const bundle = page.body as Bundle | undefined;
          const ids = (bundle?.entry ?? [])
            .map((e) => e.resource)
            .filter((r): r is Resource => r?.resourceType === type && Boolean(r.id) && !seen.has(r.id!))
            .map((r) => r.id!);
          if (!ids.length) {
            // Everything on this page was handled (and left, or refused): go on to the next page, if any.
            const next = bundle?.link?.find((l) => l.relation === 'next')?.url;
            if (!next || !bundle?.entry?.length) break;
            url = next;
            continue;
          }
          url = firstPage;
          await Promise.all(
            ids.map((id) =>
              slots.run(async () => {
                seen.add(id);
                const outcome = await deleteIfTagged(client, type, id, carriesTag);
                if (outcome === 'deleted') report.deleted++;
                else if (outcome === 'untagged') report.untagged++;
                else refused.set(`${type}/${id}`, redactor.redact(outcome.reason));
                options.onProgress?.(report.deleted, total);
              }),
            ),
          );
        }
      }
      if (!refused.size) break;
    }
    report.failed = [...refused].map(([key, reason]) => {
      const [type, id] = key.split('/') as [string, string];
      return { type, id, reason };
    });
    for (const { type } of report.plan) {
      const count = await countTagged(client, type, tagToken).catch(() => -1);
      if (count !== 0) report.remaining.push({ type, count });
    }
  } finally {
    await client.close();
  }
  return report;
}

type DeleteOutcome = 'deleted' | 'untagged' | { reason: string };

async function deleteIfTagged(client: FhirHttpClient, type: string, id: string, carriesTag: (r: Resource | undefined) => boolean): Promise<DeleteOutcome> {
  const path = `${type}/${encodeURIComponent(id)}`;
  const current = await client.send('GET', path);
  if (current.status === 404 || current.status === 410) return 'deleted';
  if (current.status !== 200) return { reason: `read: ${describeFailure(current.status, current.body)}` };
  if (!carriesTag(current.body as Resource)) return 'untagged';
  // The ETag is passed back as it came (never parsed): the delete only applies to the version read.
  const etag = current.headers.etag;
  const response = await client.send('DELETE', path, undefined, typeof etag === 'string' ? { 'if-match': etag } : {});
  if (response.status === 200 || response.status === 202 || response.status === 204 || response.status === 404 || response.status === 410) return 'deleted';
  return { reason: describeFailure(response.status, response.body) };
}

/** Types the server can search, from its CapabilityStatement. */
async function searchableTypes(client: FhirHttpClient): Promise<string[]> {
  const capabilities = await fetchCapabilities(client);
  const rest = capabilities.statement.rest?.find((r) => r.mode === 'server');
  const types = (rest?.resource ?? [])
    .filter((r) => !r.interaction?.length || r.interaction.some((i) => i.code === 'search-type'))
    .flatMap((r) => (r.type ? [String(r.type)] : []));
  if (!types.length) throw new UserError(`${client.baseUrl}/metadata lists no searchable resource types; cannot find tagged resources`, 1);
  return types;
}
