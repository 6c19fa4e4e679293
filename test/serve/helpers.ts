import type { Bundle, Resource } from '@medplum/fhirtypes';

/** FHIR_BASE_URL, when set: the read/search checks then run against that server (test/helpers/fhir-server.ts). */
export { describeEmbedded, externalBaseUrl, startTestServer, type TestServer } from '../helpers/fhir-server.js';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function fhir<T = any>(url: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { accept: 'application/fhir+json' };
  if (init.body !== undefined) headers['content-type'] = 'application/fhir+json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as T) : (undefined as T) };
}

/** Every resource of a search, following `next` links to the end; also the pages' match entries in order. */
export async function searchAll(url: string): Promise<{ matches: Resource[]; pages: number; total?: number }> {
  const matches: Resource[] = [];
  let next: string | undefined = url;
  let pages = 0;
  let total: number | undefined;
  while (next) {
    const reply: Reply<Bundle> = await fhir<Bundle>(next);
    if (reply.status !== 200) throw new Error(`${next}: HTTP ${reply.status}`);
    pages++;
    total ??= reply.body.total;
    for (const e of reply.body.entry ?? []) if (e.search?.mode !== 'include' && e.resource) matches.push(e.resource);
    next = reply.body.link?.find((l) => l.relation === 'next')?.url;
    if (pages > 1000) throw new Error('paging does not end');
  }
  return { matches, pages, total };
}

export function key(r: Resource): string {
  return `${r.resourceType}/${r.id}`;
}
