import type { Bundle, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { FHIRSEED_RUN_TAG_SYSTEM } from '../fhir/context.js';
import { UserError } from '../util/errors.js';
import { fetchCapabilities } from './capabilities.js';
import { connect } from './connect.js';
import type { FhirHttpClient } from './http.js';
import { Semaphore } from './limiter.js';
import { assertServerAllowed, normalizeServerUrl, SEED_CLI_NAMES, SEED_LIBRARY_NAMES, type ConnectionOptions, type SeedOptionNames } from './options.js';

/** How purge's errors name what its caller gave: the library's properties or the CLI's options (as seed's, options.ts). */
export interface PurgeOptionNames extends Pick<SeedOptionNames, 'server' | 'production'> {
  runId: string;
  allFhirseed: string;
}

export const PURGE_LIBRARY_NAMES: PurgeOptionNames = { server: SEED_LIBRARY_NAMES.server, production: SEED_LIBRARY_NAMES.production, runId: 'options.runId', allFhirseed: 'options.allFhirseed: true' };
export const PURGE_CLI_NAMES: PurgeOptionNames = { server: SEED_CLI_NAMES.server, production: SEED_CLI_NAMES.production, runId: '--run ID', allFhirseed: '--all-fhirseed' };
import { describeFailure } from './outcome.js';
import { PurgeSender, type PurgeRequest } from './purge-batch.js';
import type { Redactor } from './redact.js';
import { runningSeeds } from './seeding-marker.js';
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
  /** Resources deleted (or found gone): those the plan listed and any that appeared while purging. */
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
 * referenced) is tried again in a later pass, after its referrers are gone. Reads and deletes go a
 * search page at a time in `batch` Bundles, or one request each for a server without batch
 * (purge-batch.ts). Each page is searched again from the first, with `_total=none` (R4 search.html#total): a
 * server that honours it need not count every remaining match for each page (the sandbox did, which made a purge
 * quadratic in the resources of a type). Throws UserError: no run or both, a remote server without --production (exit 2),
 * a failed tag search or no searchable type (exit 1); NetworkFailure/AuthRefused from the client (exit 2). What the
 * caller gave is named as `names` says (default the properties: `purge needs options.runId or options.allFhirseed: true`);
 * the purge command passes PURGE_CLI_NAMES (`purge needs --run ID or --all-fhirseed`).
 */
export async function purge(options: PurgeOptions, names: PurgeOptionNames = PURGE_LIBRARY_NAMES): Promise<PurgeReport> {
  const server = normalizeServerUrl(options.server, names.server);
  if (!options.allFhirseed && !options.runId) throw new UserError(`purge needs ${names.runId} or ${names.allFhirseed}`);
  if (options.allFhirseed && options.runId) throw new UserError(`give ${names.runId} or ${names.allFhirseed}, not both`);
  assertServerAllowed(server, options.production, 'purge', names.production);
  if (!options.dryRun) {
    // A seed of the run writing while purge deletes: purge would chase it, and the seed's verify would be wrong.
    const seeding = runningSeeds(server, options.allFhirseed ? undefined : options.runId)[0];
    if (seeding) {
      throw new UserError(
        `a seed of run ${seeding.runId} into ${server} is running on this machine (pid ${seeding.pid}, output ${seeding.dir}): ` +
          'purging now would delete what it is writing; let it finish or stop it (Ctrl-C), then purge',
      );
    }
  }
  const tagToken = `${FHIRSEED_RUN_TAG_SYSTEM}|${options.runId ?? ''}`;
  const carriesTag = (r: Resource | undefined) =>
    Boolean(r?.meta?.tag?.some((t) => t.system === FHIRSEED_RUN_TAG_SYSTEM && (options.allFhirseed ? Boolean(t.code) : t.code === options.runId)));

  const { client, redactor } = connect(options);
  const report: PurgeReport = { plan: [], deleted: 0, untagged: 0, failed: [], remaining: [] };
  try {
    const capabilities = await fetchCapabilities(client);
    const types = deletionOrder(searchableTypes(client.baseUrl, capabilities.statement));
    const sender = new PurgeSender(client, new Semaphore(options.concurrency), options.retry, capabilities, options.log ? (line) => options.log!(redactor.redact(line)) : undefined, options.random);
    const counts = await countTaggedTypes(sender, client, types, tagToken);
    types.forEach((type, k) => {
      const count = counts[k] ?? 0;
      if (count > 0) report.plan.push({ type, count });
    });
    options.onPlan?.(report.plan);
    if (options.dryRun) return report;

    const total = report.plan.reduce((a, r) => a + r.count, 0);
    const refused = new Map<string, string>();
    // Passes: a 409 on a resource still referenced by another tagged one resolves once that one goes.
    for (let pass = 0; pass < 3; pass++) {
      refused.clear();
      for (const { type } of report.plan) {
        const seen = new Set<string>();
        const firstPage = `${type}?_tag=${encodeURIComponent(tagToken)}&_count=100&_elements=id,meta&_total=none`;
        for (let url = firstPage; ; ) {
          const page = await client.send('GET', url);
          if (page.status !== 200) throw new UserError(redactor.redact(`search ${type} by tag: ${describeFailure(page.status, page.body)}`), 1);
          const bundle = page.body as Bundle | undefined;
          const ids = [
            ...new Set(
              (bundle?.entry ?? [])
                .map((e) => e.resource)
                .filter((r): r is Resource => r?.resourceType === type && Boolean(r.id) && !seen.has(r.id!))
                .map((r) => r.id!),
            ),
          ];
          if (!ids.length) {
            // Everything on this page was handled (and left, or refused): go on to the next page, if any.
            const next = bundle?.link?.find((l) => l.relation === 'next')?.url;
            if (!next || !bundle?.entry?.length) break;
            url = next;
            continue;
          }
          url = firstPage;
          for (const id of ids) seen.add(id);
          await deletePage(sender, type, ids, carriesTag, report, refused, redactor);
          // More than the plan when resources of the run appear while purging (a seed elsewhere): the total grows with them.
          options.onProgress?.(report.deleted, Math.max(total, report.deleted + report.untagged + refused.size));
        }
      }
      if (!refused.size) break;
    }
    report.failed = [...refused].map(([key, reason]) => {
      const [type, id] = key.split('/') as [string, string];
      return { type, id, reason };
    });
    const left = await countTaggedTypes(sender, client, report.plan.map((r) => r.type), tagToken);
    report.plan.forEach(({ type }, k) => {
      const count = left[k] ?? -1;
      if (count !== 0) report.remaining.push({ type, count });
    });
  } finally {
    await client.close();
  }
  return report;
}

/**
 * Re-reads a page's resources, then deletes those that carry the tag, each at the version read (If-Match with its
 * ETag, so a resource changed in between is not deleted): both steps in batch Bundles when the server takes them.
 * 200/202/204/404/410 to a DELETE, and 404/410 to the re-read, count as deleted; anything else goes to `refused`
 * (tried again in a later pass) with its reason.
 */
async function deletePage(sender: PurgeSender, type: string, ids: string[], carriesTag: (r: Resource | undefined) => boolean, report: PurgeReport, refused: Map<string, string>, redactor: Redactor): Promise<void> {
  const reads = await sender.send(ids.map((id) => ({ method: 'GET', type, id })));
  const deletes: PurgeRequest[] = [];
  reads.forEach((read, k) => {
    const id = ids[k]!;
    if (read.status === 404 || read.status === 410) report.deleted++;
    else if (read.status !== 200) refused.set(`${type}/${id}`, redactor.redact(`read: ${describeFailure(read.status, read.body)}`));
    else if (!carriesTag(read.body as Resource | undefined)) report.untagged++;
    else deletes.push({ method: 'DELETE', type, id, ...(read.etag ? { ifMatch: read.etag } : {}) });
  });
  const answers = await sender.send(deletes);
  answers.forEach(({ status, body }, k) => {
    if (status !== undefined && GONE.has(status)) report.deleted++;
    else refused.set(`${type}/${deletes[k]!.id}`, redactor.redact(describeFailure(status, body)));
  });
}

const GONE = new Set([200, 202, 204, 404, 410]);

/**
 * How many resources of each type carry the tag (undefined where the count failed), in the order of `types`: the
 * `Type?_tag=…&_summary=count` searches go in `batch` Bundles of GETs (R4 http.html#transaction: a batch entry may be
 * a search, answered by its searchset Bundle), or one request each (PurgeSender: a server without batch). A type
 * whose answer is not a 200 with a numeric `total` is counted again on its own (countTagged: `_summary=count`, then
 * `_count=0&_total=accurate`), as it was before batches.
 */
export async function countTaggedTypes(sender: PurgeSender, client: FhirHttpClient, types: readonly string[], tagToken: string): Promise<(number | undefined)[]> {
  const search = `_tag=${encodeURIComponent(tagToken)}&_summary=count`;
  const answers = types.length > 1 ? await sender.send(types.map((type) => ({ method: 'GET', type, id: '', search }))) : [];
  const counts: (number | undefined)[] = [];
  for (const [k, type] of types.entries()) {
    const answer = answers[k];
    const total = answer?.status === 200 ? (answer.body as { total?: unknown } | undefined)?.total : undefined;
    counts.push(typeof total === 'number' ? total : await countTagged(client, type, tagToken).catch(() => undefined));
  }
  return counts;
}

/** Types the server can search, from its CapabilityStatement. */
function searchableTypes(base: string, statement: CapabilityStatement): string[] {
  const rest = statement.rest?.find((r) => r.mode === 'server');
  const types = (rest?.resource ?? [])
    .filter((r) => !r.interaction?.length || r.interaction.some((i) => i.code === 'search-type'))
    .flatMap((r) => (r.type ? [String(r.type)] : []));
  if (!types.length) throw new UserError(`${base}/metadata lists no searchable resource types; cannot find tagged resources`, 1);
  return types;
}
