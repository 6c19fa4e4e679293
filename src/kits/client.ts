import type { Bundle, Resource } from '@medplum/fhirtypes';

export interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  url: string;
}

/** What a search answered: the first page's status, the matches of the pages read, and what was included. */
export interface SearchReply {
  status: number;
  url: string;
  matches: Resource[];
  included: Resource[];
  /** Why the answer is not a usable searchset (HTTP status, not a Bundle, a page failing), when it is not. */
  problem?: string;
}

/**
 * The kits' HTTP client: GET and POST `_search` with `Accept: application/fhir+json`, an optional
 * bearer token, reads cached by URL (the kits read the same reference targets many times).
 */
export class KitClient {
  private readonly reads = new Map<string, Promise<Reply>>();
  requests = 0;

  constructor(
    readonly base: string,
    private readonly token?: string,
  ) {}

  async get(path: string): Promise<Reply> {
    const url = path.startsWith('http') ? path : `${this.base}/${path}`;
    return this.send('GET', url);
  }

  /** A read (GET Type/id or an absolute URL), once per URL. */
  read(reference: string): Promise<Reply> {
    const url = reference.startsWith('http') ? reference : `${this.base}/${reference}`;
    let reply = this.reads.get(url);
    if (!reply) {
      reply = this.send('GET', url);
      this.reads.set(url, reply);
    }
    return reply;
  }

  /**
   * A search: `Type?params` by GET (or POST `Type/_search` with a form body), following `next` links
   * for up to `pages` pages (the CARIN kit reads one, the US Core kit 20).
   */
  async search(type: string, params: [string, string][], options: { post?: boolean; pages?: number } = {}): Promise<SearchReply> {
    const query = new URLSearchParams(params).toString();
    let reply = options.post
      ? await this.send('POST', `${this.base}/${type}/_search`, query)
      : await this.send('GET', `${this.base}/${type}${query ? `?${query}` : ''}`);
    const result: SearchReply = { status: reply.status, url: reply.url, matches: [], included: [] };
    for (let page = 1; ; page++) {
      const bundle = reply.body as Bundle | undefined;
      if (reply.status !== 200) return { ...result, problem: `HTTP ${reply.status} for ${reply.url}${outcomeText(reply.body)}` };
      if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'searchset') return { ...result, problem: `${reply.url} did not answer a searchset Bundle` };
      for (const entry of bundle.entry ?? []) {
        if (!entry.resource) continue;
        if (entry.search?.mode === 'include' || entry.search?.mode === 'outcome') result.included.push(entry.resource);
        else if (entry.resource.resourceType === type) result.matches.push(entry.resource);
        else result.included.push(entry.resource);
      }
      const next = bundle.link?.find((l) => l.relation === 'next')?.url;
      if (!next || page >= (options.pages ?? 1)) return result;
      reply = await this.send('GET', next);
    }
  }

  private async send(method: string, url: string, form?: string): Promise<Reply> {
    this.requests++;
    const headers: Record<string, string> = { accept: 'application/fhir+json' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: form });
    } catch (error) {
      return { status: 0, body: undefined, url: `${url} (${(error as Error).message})` };
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, url };
  }
}

function outcomeText(body: unknown): string {
  const issue = (body as { resourceType?: string; issue?: { details?: { text?: string }; diagnostics?: string }[] } | undefined);
  if (issue?.resourceType !== 'OperationOutcome') return '';
  const text = issue.issue?.map((i) => i.details?.text ?? i.diagnostics).filter(Boolean).join('; ');
  return text ? `: ${text}` : '';
}
