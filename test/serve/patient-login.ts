import { createHash, randomBytes } from 'node:crypto';

/** What a SMART app does in a standalone patient launch, step by step, for the patient-auth tests. */
export const REDIRECT_URI = 'http://localhost:3000/callback';
export const CLIENT_ID = 'any-test-app';
export const SCOPE = 'launch/patient patient/*.read openid fhirUser offline_access';

/** The verifier of the last authorize request, by code, so that exchangeCode can prove possession. */
const verifiers = new Map<string, string>();

export function authorizeParams(base: string, overrides: Record<string, string> = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: SCOPE,
    state: randomBytes(8).toString('hex'),
    aud: base,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...overrides,
  });
  return { params, verifier };
}

/** GET the form, POST the credentials as the form would, and return the code from the redirect. */
export async function signIn(origin: string, base: string, username: string, password: string, overrides: Record<string, string> = {}): Promise<string> {
  const { params, verifier } = authorizeParams(base, overrides);
  const form = await fetch(`${origin}/auth/authorize?${params}`);
  if (form.status !== 200) throw new Error(`authorize form: HTTP ${form.status}`);
  const hidden = new URLSearchParams();
  for (const [, name, value] of (await form.text()).matchAll(/type="hidden" name="([^"]+)" value="([^"]*)"/g)) hidden.set(name!, value!);
  hidden.set('username', username);
  hidden.set('password', password);
  const res = await fetch(`${origin}/auth/authorize`, { method: 'POST', body: hidden, redirect: 'manual' });
  if (res.status !== 302) throw new Error(`sign-in: HTTP ${res.status}`);
  const location = new URL(res.headers.get('location')!);
  if (location.searchParams.get('state') !== params.get('state')) throw new Error('sign-in: state not returned');
  const code = location.searchParams.get('code')!;
  verifiers.set(code, verifier);
  return code;
}

export async function exchangeCode(origin: string, code: string, overrides: Record<string, string> = {}) {
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID, code_verifier: verifiers.get(code) ?? '', ...overrides });
  const res = await fetch(`${origin}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** The access token of a standalone patient launch signed in as `account` on the sandbox at `base` (its FHIR base URL). */
export async function memberToken(base: string, account: { username: string; password: string }): Promise<string> {
  const origin = new URL(base).origin;
  return (await exchangeCode(origin, await signIn(origin, base, account.username, account.password))).body.access_token;
}
