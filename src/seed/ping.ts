import { readFileSync } from 'node:fs';
import type { Bundle } from '@medplum/fhirtypes';
import { UserError } from '../util/errors.js';
import { noAuth } from './auth/static.js';
import { fetchCapabilities, type ServerCapabilities } from './capabilities.js';
import { connect } from './connect.js';
import { AuthRefused, type FhirHttpClient } from './http.js';
import type { ConnectionOptions } from './options.js';
import { describeFailure } from './outcome.js';
import { certificateCheck } from './tls-check.js';

export interface PingCheck {
  check: string;
  /** false: FAIL, or SKIP with `skipped` (exit 1 either way: a check is skipped only after another failed). */
  ok: boolean;
  /** With ok: WARN, something to look at that does not fail the test (exit 0). */
  warn?: boolean;
  /** Not run because a check it needs failed (no CapabilityStatement, no access token, no access to the data): SKIP. */
  skipped?: boolean;
  detail: string;
}

/** A check's line and JSON `result`: PASS, WARN (passed, look at it), FAIL, or SKIP (not run: an earlier check failed). */
export function pingResult(check: PingCheck): 'PASS' | 'WARN' | 'FAIL' | 'SKIP' {
  if (check.skipped) return 'SKIP';
  if (!check.ok) return 'FAIL';
  return check.warn ? 'WARN' : 'PASS';
}

export interface PingOptions extends ConnectionOptions {
  /** test-accounts.json written by fhirseed generate. */
  accounts?: string;
  /** How many test members to search for (default 5). */
  members?: number;
  /** WARN when the server's TLS certificate has fewer days left (default 30). */
  certWarnDays?: number;
}

interface AccountLike {
  patientId?: unknown;
  memberId?: unknown;
  claims?: Record<string, number>;
}

const CARIN_BB = 'http://hl7.org/fhir/us/carin-bb/';
const US_CORE = 'http://hl7.org/fhir/us/core/';

/**
 * The pre-production connection test: metadata, FHIR version, SMART configuration when auth is on,
 * declared CARIN BB / US Core profiles, a search with the credentials given (`data access`: FAIL on 401/403, so a
 * server whose data needs credentials ping was not given does not pass), and each test member's Patient, Coverage and
 * EOB by search. A check that needs one that failed is SKIP (`skipped`), naming what it lacked; the others all run.
 */
export async function ping(options: PingOptions): Promise<PingCheck[]> {
  const accounts = options.accounts ? readAccounts(options.accounts).slice(0, options.members ?? 5) : [];
  const { client, redactor } = connect(options);
  const checks: PingCheck[] = [];
  const skip = (check: string, detail: string) => checks.push({ check, ok: false, skipped: true, detail });
  const run = async (check: string, body: () => Promise<{ ok: boolean; warn?: boolean; detail: string }>) => {
    try {
      checks.push({ check, ...(await body()) });
    } catch (error) {
      checks.push({ check, ok: false, detail: redactor.errorMessage(error) });
    }
  };
  try {
    const certificate = await certificateCheck(options.server, options.certWarnDays ?? 30);
    checks.push({ check: 'TLS certificate', ok: certificate.status !== 'fail', ...(certificate.status === 'warn' ? { warn: true } : {}), detail: certificate.detail });
    let capabilities: ServerCapabilities | undefined;
    await run('CapabilityStatement', async () => {
      capabilities = await withoutToken(client, () => fetchCapabilities(client));
      return { ok: true, detail: `${client.baseUrl}/metadata` };
    });
    // Not a FHIR server (HTML, an error page): searching it for members would only repeat that.
    const notFhir = capabilities ? undefined : 'no CapabilityStatement';
    if (notFhir) skip('FHIR version 4.0.1', notFhir);
    else await run('FHIR version 4.0.1', async () => ({ ok: capabilities?.fhirVersion === '4.0.1', detail: `fhirVersion ${capabilities?.fhirVersion ?? '(absent)'}` }));
    if (notFhir) skip('rate-limit headers', notFhir);
    else await run('rate-limit headers', async () => {
      const { headers } = await withoutToken(client, () => client.send('GET', 'metadata'));
      const one = (name: string) => [headers[name]].flat().filter(Boolean).join(', ');
      const policy = one('ratelimit-policy') || (one('x-ratelimit-limit') && `X-RateLimit-Limit ${one('x-ratelimit-limit')}`);
      return policy ? { ok: true, detail: policy } : { ok: true, warn: true, detail: 'none published (RateLimit-Policy, X-RateLimit-Limit)' };
    });
    if (options.auth.mode === 'smart-backend' || options.auth.mode === 'client-credentials') {
      await run('SMART configuration', () => smartConfiguration(client, options.auth.mode === 'smart-backend'));
      await run('access token', async () => {
        await client.auth.authorization();
        return { ok: client.auth.tokensIssued > 0, detail: `token issued to ${options.auth.clientId ?? '(client)'}` };
      });
      if (!client.auth.tokensIssued) skip('token lifetime', 'no access token');
      else await run('token lifetime', async () => {
        const seconds = (client.auth as { lastExpiresIn?: number }).lastExpiresIn;
        if (seconds === undefined) return { ok: true, warn: true, detail: 'the token response has no expires_in' };
        return { ok: seconds > 0, detail: `expires_in ${seconds} s` };
      });
    }
    for (const [name, prefix] of [['CARIN BB profiles declared', CARIN_BB], ['US Core profiles declared', US_CORE]] as const) {
      if (notFhir) skip(name, notFhir);
      else await run(name, async () => {
        const declared = (capabilities?.profiles ?? []).filter((p) => p.startsWith(prefix));
        return { ok: declared.length > 0, detail: declared.length ? `${declared.length} profiles` : 'none in the CapabilityStatement' };
      });
    }
    const tokenless = tokenModes.has(options.auth.mode) && !client.auth.tokensIssued ? 'no access token' : undefined;
    if (notFhir ?? tokenless) skip('data access', (notFhir ?? tokenless)!);
    else await run('data access', () => dataAccess(client, options.auth.mode, capabilities!));
    const noData = notFhir ?? tokenless ?? (checks.at(-1)!.ok ? undefined : 'no access to the data (see data access)');
    for (const account of accounts) {
      const id = String(account.patientId);
      const hasClaims = Object.values(account.claims ?? {}).some((n) => n > 0);
      if (noData) {
        for (const type of ['Patient', 'Coverage', 'ExplanationOfBenefit']) skip(`member ${String(account.memberId ?? id)}: ${type}`, noData);
        continue;
      }
      await run(`member ${String(account.memberId ?? id)}: Patient`, () => searchCount(client, 'Patient', `_id=${encodeURIComponent(id)}`, 1));
      await run(`member ${String(account.memberId ?? id)}: Coverage`, () => searchCount(client, 'Coverage', `patient=${encodeURIComponent(`Patient/${id}`)}`, 1));
      await run(`member ${String(account.memberId ?? id)}: ExplanationOfBenefit`, () =>
        searchCount(client, 'ExplanationOfBenefit', `patient=${encodeURIComponent(`Patient/${id}`)}`, hasClaims ? 1 : 0));
    }
  } finally {
    await client.close();
  }
  return checks;
}

/**
 * `read` (a GET of /metadata or .well-known/smart-configuration) without the access token: discovery needs none
 * (FHIR RESTful API capabilities, SMART App Launch 2.0 §Conformance), so a token problem fails the access-token check
 * only. With the token when the server asks for one (401/403).
 */
async function withoutToken<T>(client: FhirHttpClient, read: () => Promise<T>): Promise<T> {
  const auth = client.auth;
  if (auth.mode === 'none') return read();
  client.auth = noAuth();
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof AuthRefused) && !/HTTP 403/.test((error as Error).message)) throw error;
  } finally {
    client.auth = auth;
  }
  return read();
}

/** The auth modes that fetch an access token before the first data request. */
const tokenModes = new Set(['smart-backend', 'client-credentials']);

/**
 * `data access`: one search (GET Patient?_count=1) with the credentials given. FAIL on 401/403 — the data needs
 * credentials ping was not given, or refuses those given — naming --auth, and the SMART-on-FHIR security the
 * CapabilityStatement declares when it does; PASS on a search Bundle; WARN on any other answer (a server that wants a
 * search parameter: the member searches say more).
 */
async function dataAccess(client: FhirHttpClient, mode: string, capabilities: ServerCapabilities): Promise<{ ok: boolean; warn?: boolean; detail: string }> {
  const credentials = mode === 'none' ? 'without credentials' : `with --auth ${mode}`;
  // Refused without credentials by a server that declares SMART: what its SMART configuration takes, when it says.
  const smart = async (refused: string, otherwise: string): Promise<string> => {
    if (mode !== 'none' || !declaresSmart(capabilities)) return otherwise;
    const access = await smartAccess(client);
    return access ? `${refused} — the server wants credentials; its CapabilityStatement declares SMART-on-FHIR security${access}` : `${otherwise} (its CapabilityStatement declares SMART-on-FHIR security)`;
  };
  try {
    const response = await client.send('GET', 'Patient?_count=1');
    if (response.status === 401 || response.status === 403) {
      const refused = `GET ${client.baseUrl}/Patient: ${describeFailure(response.status, response.body)}`;
      return { ok: false, detail: await smart(refused, `${refused} — the server refuses the data ${credentials}: give --auth and its secret`) };
    }
    const bundle = response.body as Bundle | undefined;
    if (response.status !== 200 || bundle?.resourceType !== 'Bundle') {
      return { ok: true, warn: true, detail: `GET ${client.baseUrl}/Patient?_count=1: ${response.status === 200 ? `not a search Bundle (${describeBody(response.body)})` : describeFailure(response.status, response.body)}` };
    }
    return { ok: true, detail: `GET Patient?_count=1 answered a search Bundle ${credentials}` };
  } catch (error) {
    if (error instanceof AuthRefused) return { ok: false, detail: await smart(error.request, error.message) };
    throw error;
  }
}

/**
 * Which --auth the server's SMART configuration (`.well-known/smart-configuration`, SMART App Launch 2.0 §2.0.4) takes,
 * as the end of a hint: the client_credentials grant with private_key_jwt is `--auth smart-backend`, with a client
 * secret `--auth client-credentials`; a server that grants tokens only to a user signing in (authorization_code: a
 * SMART standalone launch, `fhirseed serve --auth smart-patient`) gives no system access, so ping can only use a token
 * a member got, with --auth bearer. Empty when the configuration cannot be read or names no way in.
 */
async function smartAccess(client: FhirHttpClient): Promise<string> {
  let config: { grant_types_supported?: unknown; token_endpoint_auth_methods_supported?: unknown } | undefined;
  try {
    const response = await client.send('GET', '.well-known/smart-configuration');
    config = response.status === 200 && response.body && typeof response.body === 'object' ? (response.body as typeof config) : undefined;
  } catch {
    return '';
  }
  if (!config) return '';
  const list = (value: unknown) => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  const grants = list(config.grant_types_supported);
  const methods = list(config.token_endpoint_auth_methods_supported);
  if (!grants.length || grants.includes('client_credentials')) {
    const modes = [methods.includes('private_key_jwt') ? 'smart-backend' : '', methods.some((m) => m.startsWith('client_secret_')) ? 'client-credentials' : ''].filter(Boolean);
    return modes.length ? `, and its SMART configuration takes --auth ${modes.join(' or ')}: give it and its key or secret` : '';
  }
  return `, and its SMART configuration grants tokens only to a user who signs in (${grants.join(', ')}), not to a system client: give a member's access token with --auth bearer --token-file FILE, and that member in --accounts`;
}

/** Whether the CapabilityStatement declares SMART-on-FHIR security (rest.security.service, or the oauth-uris extension). */
function declaresSmart(capabilities: ServerCapabilities): boolean {
  return (capabilities.statement.rest ?? []).some(
    (rest) =>
      (rest.security?.service ?? []).some((service) => (service.coding ?? []).some((coding) => coding.code === 'SMART-on-FHIR')) ||
      (rest.security?.extension ?? []).some((extension) => /oauth-uris$/.test(extension.url ?? '')),
  );
}

async function smartConfiguration(client: FhirHttpClient, needsPrivateKeyJwt: boolean): Promise<{ ok: boolean; detail: string }> {
  const response = await withoutToken(client, () => client.send('GET', '.well-known/smart-configuration'));
  const config = response.body as { token_endpoint?: unknown; token_endpoint_auth_methods_supported?: unknown; registration_endpoint?: unknown } | undefined;
  if (response.status !== 200 || typeof config?.token_endpoint !== 'string') {
    return { ok: false, detail: describeFailure(response.status, response.body, 'no token_endpoint') };
  }
  const methods = Array.isArray(config.token_endpoint_auth_methods_supported) ? (config.token_endpoint_auth_methods_supported as string[]) : [];
  if (needsPrivateKeyJwt && methods.length && !methods.includes('private_key_jwt')) {
    return { ok: false, detail: `token endpoint does not list private_key_jwt (${methods.join(', ')})` };
  }
  const registration = typeof config.registration_endpoint === 'string' ? `, registration endpoint ${config.registration_endpoint}` : ', no registration_endpoint';
  return { ok: true, detail: `token endpoint ${config.token_endpoint}${registration}` };
}

/** A search whose result must hold at least `min` resources of `type` (includes and outcomes aside). */
async function searchCount(client: FhirHttpClient, type: string, query: string, min: number): Promise<{ ok: boolean; detail: string }> {
  const response = await client.send('GET', `${type}?${query}`);
  if (response.status !== 200) return { ok: false, detail: describeFailure(response.status, response.body) };
  const bundle = response.body as Bundle | undefined;
  if (bundle?.resourceType !== 'Bundle' || (bundle.entry !== undefined && !Array.isArray(bundle.entry)) || (bundle.link !== undefined && !Array.isArray(bundle.link))) {
    return { ok: false, detail: `the answer is not a FHIR search Bundle (${describeBody(response.body)})` };
  }
  const found = (bundle.entry ?? []).filter((e) => e?.resource?.resourceType === type && e.search?.mode !== 'include').length;
  const more = (bundle.link ?? []).some((l) => l?.relation === 'next') ? '+' : '';
  return { ok: found >= min, detail: `${found}${more} found${min ? '' : ' (none expected)'}` };
}

/** A few words on what a non-Bundle answer was. */
function describeBody(body: unknown): string {
  if (typeof body === 'string') return body.trimStart().startsWith('<') ? 'HTML or XML' : `text: ${body.slice(0, 40)}`;
  if (body && typeof body === 'object') return `resourceType ${String((body as { resourceType?: unknown }).resourceType ?? '(none)')}`;
  return body === undefined ? 'empty' : typeof body;
}

function readAccounts(path: string): AccountLike[] {
  let accounts: unknown;
  try {
    accounts = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new UserError(`--accounts ${path}: not a readable test-accounts.json`);
  }
  if (!Array.isArray(accounts) || accounts.some((a) => typeof (a as AccountLike)?.patientId !== 'string')) {
    throw new UserError(`--accounts ${path}: expected the array of test accounts fhirseed generate writes`);
  }
  return accounts as AccountLike[];
}
