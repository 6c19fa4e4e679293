import { allOk, badRequest, isOk, normalizeOperationOutcome } from '@medplum/core';
import type { FhirRequest, FhirResponse, FhirRouter } from '@medplum/fhir-router';
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
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
  const existedBefore = (bundle.entry ?? []).map((entry) => putTarget(entry, repo));
  const request: FhirRequest = {
    method: 'POST',
    url: '',
    pathname: '',
    params: {},
    query: {},
    body: bundle,
    config: { transactions: true },
  };
  let response: FhirResponse;
  try {
    response = await router.handleRequest(request, repo);
  } catch (error) {
    return [normalizeOperationOutcome(error)];
  }
  const [outcome, result] = response;
  if (!isOk(outcome) || !result || result.resourceType !== 'Bundle') return response;
  result.entry?.forEach((entry, i) => {
    if (existedBefore[i] === false && entry.response?.status?.startsWith('200')) entry.response.status = '201 Created';
  });
  return [allOk, result];
}

/** For a `PUT Type/id` entry, whether that resource existed before; undefined for other entries. */
function putTarget(entry: BundleEntry, repo: AtomicMemoryRepository): boolean | undefined {
  if (entry.request?.method !== 'PUT') return undefined;
  const [type, id, extra] = (entry.request.url ?? '').split('?')[0]?.split('/') ?? [];
  if (!type || !id || extra !== undefined) return undefined;
  return repo.has(type, id);
}

export function isWrite(method: string, path: string): boolean {
  return method !== 'GET' && method !== 'HEAD' && !path.endsWith('/_search');
}
