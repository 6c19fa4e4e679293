import { OperationOutcomeError, allOk, badRequest, isOk, normalizeOperationOutcome, preconditionFailed } from '@medplum/core';
import { randomUUID } from 'node:crypto';
import type { FhirRequest, FhirResponse, FhirRouter } from '@medplum/fhir-router';
import type { Bundle, BundleEntry, OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { fullUrlProblem } from '../validate/bundle-scope.js';
import { updateBodyProblem } from './request-checks.js';
import type { AtomicMemoryRepository } from './router.js';

/**
 * Runs writes one at a time. The in-memory engine awaits between the entries of a bundle, so two
 * overlapping transactions could otherwise interleave their writes and undo each other's on failure.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Processes a transaction or batch Bundle. A transaction is all-or-nothing: the repository undoes
 * the earlier writes when an entry fails, and the failing entry's OperationOutcome is the answer.
 * PUT entries that created their resource report `201 Created`, as a standalone PUT does.
 */
export async function processBundle(router: FhirRouter, repo: AtomicMemoryRepository, bundle: Bundle): Promise<FhirResponse> {
  if (bundle.resourceType !== 'Bundle') return [badRequest('expected a Bundle of type transaction or batch')];
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    return [badRequest(`Bundle.type must be transaction or batch, not ${bundle.type ?? '(missing)'}`)];
  }
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) {
    return [{ resourceType: 'OperationOutcome', issue: [bundleIssue('invalid', 'Bundle.entry', `Bundle.entry is not an array of entries: ${jsonType(bundle.entry)}`)] }];
  }
  const repeated = repeatedFullUrlRefusal(bundle);
  if (repeated) return [repeated];
  const problems = bundleRuleProblems(bundle);
  // A transaction is refused whole (nothing stored); a batch answers the entries alone (processBatch).
  const refusal = bundleRuleRefusal(bundle, problems);
  if (refusal) return [refusal];
  const existedBefore = (bundle.entry ?? []).map((entry) => putTarget(entry, repo));
  const versionsBefore = (bundle.entry ?? []).map((entry) => (putTarget(entry, repo) ? putVersion(entry, repo) : undefined));
  // medplum resolves urn:uuid: placeholders only: urn:oid: ones are handed to it as urn:uuid: ones.
  const sent = oidPlaceholdersAsUuids(bundle);
  const request: FhirRequest = {
    method: 'POST',
    url: '',
    pathname: '',
    params: {},
    query: {},
    body: sent,
    config: { transactions: true },
  };
  let response: FhirResponse;
  const chunks = bundle.type === 'transaction' ? splitAtUpdateLimit(sent.entry ?? []) : [];
  try {
    if (chunks.length > 1) {
      const resolved = resolvePlaceholders(sent.entry ?? []);
      if (!resolved) {
        return [badRequest(`a transaction with more than ${MEDPLUM_MAX_UPDATES} PUT entries can use urn: fullUrls here only on PUT Type/id entries; split it`)];
      }
      response = await repo.withTransaction(async () => {
        const entry: BundleEntry[] = [];
        for (const chunk of splitAtUpdateLimit(resolved)) {
          const [outcome, result] = await router.handleRequest({ ...request, body: { ...sent, entry: chunk } }, repo);
          if (!isOk(outcome)) throw new OperationOutcomeError(outcome);
          entry.push(...((result as Bundle | undefined)?.entry ?? []));
        }
        return [allOk, { resourceType: 'Bundle', type: 'transaction-response', entry } as Bundle];
      });
    } else if (bundle.type === 'batch') {
      response = await processBatch(router, repo, sent, request, problems);
    } else {
      response = await router.handleRequest(request, repo);
    }
  } catch (error) {
    return [normalizeOperationOutcome(error)];
  }
  const [outcome, result] = response;
  if (!isOk(outcome) || !result || result.resourceType !== 'Bundle') return response;
  result.entry?.forEach((entry, i) => {
    if (existedBefore[i] === false && entry.response?.status?.startsWith('200')) entry.response.status = '201 Created';
    const before = versionsBefore[i];
    if (before && entry.response?.status?.startsWith('200') && entry.resource?.meta?.versionId === before) {
      entry.response.outcome = unchangedOutcome(`${entry.resource.resourceType}/${entry.resource.id}/_history/${before}`);
    }
  });
  return [allOk, result];
}

/**
 * A batch in one store transaction (one SQLite commit, not one per entry), with each entry's own outcome kept:
 * medplum answers a failed batch entry in place without throwing, and each write is a savepoint of the transaction
 * (sqlite-repository.ts atomically), so a failed entry leaves nothing of itself and the others commit together.
 * Only a failure of the store as a whole (SQLite ended the transaction: a full disk) fails the batch, with nothing
 * of it stored. A DELETE entry whose `request.ifMatch` names another version than the current one is answered 412
 * and not applied (medplum's delete does not read If-Match).
 */
async function processBatch(router: FhirRouter, repo: AtomicMemoryRepository, bundle: Bundle, request: FhirRequest, problems: Map<number, OperationOutcomeIssue[]>): Promise<FhirResponse> {
  const entries = bundle.entry ?? [];
  const stale = new Map<number, { status: string; outcome: OperationOutcome }>();
  entries.forEach((entry, i) => {
    const problem = problems.get(i);
    if (problem) return void stale.set(i, ruleAnswer(problem));
    const refusal = deleteRefusal(entry, repo);
    if (refusal) stale.set(i, { status: '412 Precondition Failed', outcome: refusal });
  });
  const kept = entries.filter((_, i) => !stale.has(i));
  if (!stale.size) return repo.withTransaction(() => router.handleRequest(request, repo));
  const [outcome, result] = kept.length
    ? await repo.withTransaction(() => router.handleRequest({ ...request, body: { ...bundle, entry: kept } }, repo))
    : [allOk, { resourceType: 'Bundle', type: 'batch-response', entry: [] } as Bundle];
  if (!isOk(outcome) || result?.resourceType !== 'Bundle') return result ? [outcome, result] : [outcome];
  const answered = [...((result as Bundle).entry ?? [])];
  const entry = entries.map((_, i) => {
    const refused = stale.get(i);
    return refused ? { response: refused } : (answered.shift() ?? {});
  });
  return [allOk, { ...(result as Bundle), entry }];
}

/**
 * The entries of a transaction or batch that break a rule of the Bundle itself, by entry index: an issue for each
 * break, the entry's shape first (`invalid`), then its fullUrl's and its references' in document order (`processing`).
 * The rules: an entry of R4's shape (entryShapeProblems: an object with a request, bdl-3); a fullUrl of its form
 * (fullUrlProblem: absolute, `urn:uuid:` with a UUID in lower-case hex, `urn:oid:` with an OID; R4
 * Bundle.entry.fullUrl, uuid, oid); a `urn:uuid:` or `urn:oid:` reference names an entry's fullUrl, character for
 * character (R4 http.html#trules: placeholders are resolved against the Bundle's fullUrls; HAPI FHIR refuses such a
 * transaction as "unable to satisfy placeholder"); and in a batch, no reference names another entry's fullUrl
 * ("References within a Bundle.entry.resource to another Bundle.entry.resource that is being created within the batch
 * are considered to be non-conformant", R4 http.html#brules: its entries are processed apart, in no promised order).
 * Stored as they are, such references would resolve to nothing, ever (medplum rewrites only lower-case `urn:uuid:`
 * ones that match a fullUrl exactly), or in a batch to whichever entry medplum ran first. Never throws on odd entries.
 */
export function bundleRuleProblems(bundle: Bundle): Map<number, OperationOutcomeIssue[]> {
  const entries: (BundleEntry | null | undefined)[] = Array.isArray(bundle.entry) ? bundle.entry : [];
  // Each fullUrl's first entry.
  const owners = new Map<string, number>();
  entries.forEach((entry, i) => {
    if (typeof entry?.fullUrl === 'string' && !owners.has(entry.fullUrl)) owners.set(entry.fullUrl, i);
  });
  const problems = new Map<number, OperationOutcomeIssue[]>();
  entries.forEach((entry, i) => {
    const issues = entryShapeProblems(entry, `Bundle.entry[${i}]`);
    const fullUrl = entry?.fullUrl;
    const form = typeof fullUrl === 'string' ? fullUrlProblem(fullUrl) : undefined;
    if (form) issues.push(bundleIssue('processing', `Bundle.entry[${i}].fullUrl`, `Bundle.entry[${i}].fullUrl ${form}`));
    // PUT Type/id whose resource is another (medplum said only "Incorrect resource ID"): as a PUT alone answers it.
    const target = entry?.request?.method === 'PUT' && typeof entry.request.url === 'string' ? /^([A-Za-z]+)\/([^/?]+)$/.exec(entry.request.url) : undefined;
    const mismatch = target && updateBodyProblem(target[1]!, target[2]!, entry?.resource, `Bundle.entry[${i}].resource`);
    if (mismatch) issues.push(bundleIssue('invalid', `Bundle.entry[${i}].resource.${mismatch.element}`, mismatch.text));
    forEachReference(entry?.resource, `Bundle.entry[${i}].resource`, (reference, path) => {
      const owner = owners.get(reference);
      const why =
        owner === undefined
          ? /^urn:(uuid|oid):/i.test(reference) && 'names no entry of this Bundle (no entry has this fullUrl), so it cannot be resolved'
          : bundle.type === 'batch' && entries[owner]?.fullUrl !== fullUrl && `is the fullUrl of Bundle.entry[${owner}]: the entries of a batch are processed apart and may not refer to each other (FHIR R4 http.html#brules); send them as a transaction`;
      if (why) issues.push(bundleIssue('processing', path, `${path}: reference "${reference}" ${why}`));
    });
    if (issues.length) problems.set(i, issues);
  });
  return problems;
}

/**
 * The 400 `invalid` answer to a transaction or batch that breaks R4 Bundle invariant bdl-7 ("FullUrl must be unique in
 * a bundle, or else entries with the same fullUrl must have different meta.versionId": `fullUrl & resource.meta.versionId`
 * distinct over the entries with a fullUrl): one issue per repeated fullUrl, naming it and every entry that has it, its
 * expressions those entries' `Bundle.entry[N].fullUrl`. The Bundle as a whole is not valid, so a batch is refused whole
 * too, before anything is written. Undefined when there is no repeat. Never throws on odd entries.
 */
export function repeatedFullUrlRefusal(bundle: Bundle): OperationOutcome | undefined {
  const entries: (BundleEntry | null | undefined)[] = Array.isArray(bundle.entry) ? bundle.entry : [];
  const byKey = new Map<string, number[]>();
  entries.forEach((entry, i) => {
    if (typeof entry?.fullUrl !== 'string') return;
    const versionId = entry.resource && typeof entry.resource === 'object' ? entry.resource.meta?.versionId : undefined;
    const key = JSON.stringify([entry.fullUrl, typeof versionId === 'string' ? versionId : '']);
    byKey.set(key, [...(byKey.get(key) ?? []), i]);
  });
  const issue = [...byKey.values()]
    .filter((indexes) => indexes.length > 1)
    .map((indexes) => {
      const fullUrl = entries[indexes[0]!]!.fullUrl!;
      const where = indexes.map((i) => `Bundle.entry[${i}]`);
      const text = `fullUrl "${fullUrl}" is on ${where.slice(0, -1).join(', ')} and ${where.at(-1)}: a fullUrl must be unique in a Bundle, or else the entries with it must have different meta.versionId (R4 Bundle invariant bdl-7); nothing was stored`;
      return { severity: 'error' as const, code: 'invalid' as const, details: { text }, expression: where.map((w) => `${w}.fullUrl`) };
    });
  return issue.length ? { resourceType: 'OperationOutcome', issue } : undefined;
}

/**
 * The 400 `processing` answer to a transaction that breaks the Bundle's rules (bundleRuleProblems), each entry's issue
 * in it; undefined for a batch (its entries fail alone) or a transaction without any.
 */
export function bundleRuleRefusal(bundle: Bundle, problems = bundleRuleProblems(bundle)): OperationOutcome | undefined {
  return bundle.type === 'transaction' && problems.size ? { resourceType: 'OperationOutcome', issue: [...problems.values()].flat() } : undefined;
}

/** A batch entry's answer to its bundleRuleProblems issues: 400, those issues. */
export function ruleAnswer(issues: OperationOutcomeIssue[]): { status: string; outcome: OperationOutcome } {
  return { status: '400 Bad Request', outcome: { resourceType: 'OperationOutcome', issue: issues } };
}

/**
 * `bundle` with each `urn:oid:` fullUrl replaced by a new `urn:uuid:` one, and that placeholder replaced by the same where
 * medplum looks for a `urn:uuid:` one to rewrite: in every `reference` (a whole one, or a conditional one's query) and in
 * each entry's `request.url` and `request.ifNoneExist` (a conditional create, update, patch or delete), written plain or
 * with `%3A` for its colons. medplum rewrites only `urn:uuid:` placeholders: stored `urn:oid:1.2.3` referred to nothing,
 * and `Encounter?subject=urn:oid:1.2.3` matched nothing. (medplum rewrites a `urn:uuid:` one in any string of an entry;
 * a `urn:oid:` one is also how identifier and code systems are named, `urn:oid:2.16.840.1.113883.4.1`, so those stay.)
 * `bundle` itself is not changed; returned as it is when it has none.
 */
function oidPlaceholdersAsUuids(bundle: Bundle): Bundle {
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const uuids = new Map<string, string>();
  for (const fullUrl of entries.map((entry) => entry?.fullUrl)) if (typeof fullUrl === 'string' && /^urn:oid:/i.test(fullUrl) && !uuids.has(fullUrl)) uuids.set(fullUrl, `urn:uuid:${randomUUID()}`);
  if (!uuids.size) return bundle;
  // The whole OID (greedy), so that urn:oid:1.2.3 is not taken for a part of urn:oid:1.2.34.
  const inText = (text: string) => text.replace(/urn(?::|%3[Aa])oid(?::|%3[Aa])(\d+(?:\.\d+)*)/g, (whole, oid: string) => uuids.get(`urn:oid:${oid}`) ?? whole);
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'reference' && typeof v === 'string' ? inText(v) : rewrite(v)]));
  };
  const request = (r: BundleEntry['request']) =>
    r && typeof r === 'object' ? { ...r, ...(typeof r.url === 'string' ? { url: inText(r.url) } : {}), ...(typeof r.ifNoneExist === 'string' ? { ifNoneExist: inText(r.ifNoneExist) } : {}) } : r;
  return {
    ...bundle,
    // An entry that is no object (a batch answers it alone, bundleRuleProblems) is passed on as it is.
    entry: entries.map((entry) =>
      entry && typeof entry === 'object'
        ? {
            ...entry,
            ...(typeof entry.fullUrl === 'string' && uuids.has(entry.fullUrl) ? { fullUrl: uuids.get(entry.fullUrl) } : {}),
            ...(entry.resource ? { resource: rewrite(entry.resource) as Resource } : {}),
            ...(entry.request ? { request: request(entry.request) } : {}),
          }
        : entry,
    ),
  };
}

function bundleIssue(code: 'invalid' | 'processing', expression: string, text: string): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, expression: [expression] };
}

/** R4 http-verb (Bundle.entry.request.method). */
const HTTP_VERBS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'];

/**
 * Why the JSON value at `at` (`Bundle.entry[N]`) is not a transaction or batch entry of R4's shape, one `invalid` issue
 * per element: an object, with a `request` (bdl-3) whose `method` is an http-verb and whose `url` is a non-empty text,
 * a `fullUrl` that is a text and a `resource` that is an object, when they are there. medplum
 * answers some in place even in a transaction (the others stored), and throws on others (a 500).
 */
function entryShapeProblems(entry: unknown, at: string): OperationOutcomeIssue[] {
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return [bundleIssue('invalid', at, `${at} is not a Bundle entry (a JSON object): ${JSON.stringify(entry)?.slice(0, 100)}`)];
  const { request, fullUrl, resource } = entry as { request?: unknown; fullUrl?: unknown; resource?: unknown };
  const issues: OperationOutcomeIssue[] = [];
  if (fullUrl !== undefined && typeof fullUrl !== 'string') issues.push(bundleIssue('invalid', `${at}.fullUrl`, `${at}.fullUrl is not a text (a uri): ${JSON.stringify(fullUrl)?.slice(0, 100)}`));
  if (!request || typeof request !== 'object' || Array.isArray(request)) {
    issues.push(bundleIssue('invalid', `${at}.request`, `${at}.request is missing: each entry of a transaction or batch says what to do with it (R4 bdl-3), a request with method and url`));
  } else {
    const { method, url } = request as { method?: unknown; url?: unknown };
    if (typeof method !== 'string' || !HTTP_VERBS.includes(method)) issues.push(bundleIssue('invalid', `${at}.request.method`, `${at}.request.method ${JSON.stringify(method) ?? '(missing)'} is not one of ${HTTP_VERBS.join(', ')} (R4 http-verb)`));
    if (typeof url !== 'string' || !url) issues.push(bundleIssue('invalid', `${at}.request.url`, `${at}.request.url is missing or not a text: the URL of the entry's request, relative to the base (Patient, Patient/123, Patient?identifier=…)`));
  }
  // One without resourceType is left to the validator (--validate names it) and medplum.
  if (resource !== undefined && (!resource || typeof resource !== 'object' || Array.isArray(resource))) issues.push(bundleIssue('invalid', `${at}.resource`, `${at}.resource is not a resource (a JSON object): ${JSON.stringify(resource)?.slice(0, 100)}`));
  return issues;
}

/** A JSON value's kind, for a message: an object, an array, a text, a number… */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return ({ object: 'an object', string: 'a text', number: 'a number', boolean: 'a boolean' } as Record<string, string>)[typeof value] ?? typeof value;
}

/** Calls `visit` with every string `reference` under `value` (at `path`; contained resources too) and its path, in document order. */
function forEachReference(value: unknown, path: string, visit: (reference: string, path: string) => void): void {
  if (Array.isArray(value)) return value.forEach((item, i) => forEachReference(item, `${path}[${i}]`, visit));
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'reference' && typeof v === 'string') visit(v, `${path}.reference`);
    else if (typeof v === 'object') forEachReference(v, `${path}.${k}`, visit);
  }
}

/** For a `DELETE Type/id` entry with `request.ifMatch`: the 412 outcome when the stored version is another one. */
export function deleteRefusal(entry: BundleEntry, repo: AtomicMemoryRepository): OperationOutcome | undefined {
  const ifMatch = entry.request?.method === 'DELETE' ? entry.request.ifMatch : undefined;
  if (!ifMatch) return undefined;
  const [type = '', id, extra] = (entry.request?.url ?? '').split('?')[0]!.split('/');
  const current = id && extra === undefined ? repo.get(type, id)?.meta?.versionId : undefined;
  const wanted = /"([^"]+)"/.exec(ifMatch)?.[1] ?? ifMatch;
  if (current === undefined || wanted === '*' || wanted === current) return undefined;
  return { ...preconditionFailed, issue: [{ ...preconditionFailed.issue![0]!, diagnostics: `If-Match ${ifMatch}: ${type}/${id} is at version ${current}` }] } as OperationOutcome;
}

/**
 * medplum refuses a transaction with more than 50 updates (PUT entries). fhirseed's member bundles
 * hold a few hundred, so a longer transaction runs as consecutive pieces of at most 50 PUTs inside
 * one repository transaction: a failing piece still undoes every earlier one.
 */
const MEDPLUM_MAX_UPDATES = 50;

function splitAtUpdateLimit(entries: BundleEntry[]): BundleEntry[][] {
  const chunks: BundleEntry[][] = [[]];
  let updates = 0;
  for (const entry of entries) {
    if (entry.request?.method === 'PUT') {
      if (updates === MEDPLUM_MAX_UPDATES) {
        chunks.push([]);
        updates = 0;
      }
      updates++;
    }
    chunks[chunks.length - 1]!.push(entry);
  }
  return chunks;
}

/**
 * The pieces of a split transaction cannot see each other's `urn:` fullUrls, so a placeholder on a
 * `PUT Type/id` entry is replaced by `Type/id` wherever it is referenced. Undefined when some other
 * entry (e.g. a POST) has a placeholder: its id is only known once medplum creates it.
 */
function resolvePlaceholders(entries: BundleEntry[]): BundleEntry[] | undefined {
  const map = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.fullUrl?.startsWith('urn:')) continue;
    const [path = '', query] = (entry.request?.url ?? '').split('?');
    const [type, id, extra] = path.split('/');
    if (entry.request?.method !== 'PUT' || query !== undefined || !type || !id || extra !== undefined) return undefined;
    map.set(entry.fullUrl, `${type}/${id}`);
  }
  if (!map.size) return entries;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = k === 'reference' && typeof v === 'string' && map.has(v) ? map.get(v) : rewrite(v);
    return out;
  };
  return entries.map(({ fullUrl, ...entry }) => {
    const kept = fullUrl && !map.has(fullUrl) ? { fullUrl } : {};
    return { ...kept, ...entry, ...(entry.resource ? { resource: rewrite(entry.resource) as Resource } : {}) };
  });
}

/** For a `PUT Type/id` entry, whether that resource existed before; undefined for other entries. */
function putTarget(entry: BundleEntry | null, repo: AtomicMemoryRepository): boolean | undefined {
  if (entry?.request?.method !== 'PUT' || typeof entry.request.url !== 'string') return undefined;
  const [type, id, extra] = entry.request.url.split('?')[0]?.split('/') ?? [];
  if (!type || !id || extra !== undefined) return undefined;
  return repo.has(type, id);
}

function putVersion(entry: BundleEntry, repo: AtomicMemoryRepository): string | undefined {
  const [type = '', id = ''] = (entry.request?.url ?? '').split('?')[0]?.split('/') ?? [];
  return repo.get(type, id)?.meta?.versionId;
}

/**
 * The answer to an update that changed nothing (the version is kept): HAPI FHIR's wording and storage
 * response code, so that a client (fhirseed seed) can tell it from a real update.
 */
export function unchangedOutcome(versioned: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'information',
        code: 'informational',
        details: { coding: [{ system: UNCHANGED_SYSTEM, code: UNCHANGED_CODE }] },
        diagnostics: `Successfully updated resource "${versioned}". No changes were detected so no action was taken.`,
      },
    ],
  };
}

/** HAPI FHIR's storage response codes (6.x and later). */
export const UNCHANGED_SYSTEM = 'https://hapifhir.io/fhir/CodeSystem/hapi-fhir-storage-response-code';
export const UNCHANGED_CODE = 'SUCCESSFUL_UPDATE_NO_CHANGE';

export function isWrite(method: string, path: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && !path.endsWith('/_search');
}
