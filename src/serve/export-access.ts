import type { SandboxAuth } from './auth.js';
import { systemScope } from './oauth/system-scopes.js';

/** Who may run and fetch an export: an owner (jobs are visible to their owner only) and the types it may read. */
export type ExportAccess = { owner: string; types: '*' | Set<string> } | { refused: string };

/**
 * Bulk Data access (SMART Backend Services): with `--auth none` anyone; a static `--token` everything; an issued
 * token only when its client has system-level read scopes (`system/*.read`, `system/*.*`, SMART v2 `system/*.rs`,
 * or per type `system/ExplanationOfBenefit.read`), limited to those types. A patient's token is refused: Bulk Data
 * is for systems (a payer, a provider's system), not for a member's app. Call after `auth.rejection` passed.
 */
export function exportAccess(auth: SandboxAuth, authorization: string | undefined): ExportAccess {
  if (auth.mode === 'none') return { owner: 'anyone', types: '*' };
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  if (auth.staticTokens.includes(token)) return { owner: 'static-token', types: '*' };
  const found = auth.tokens.lookup(token, 'access');
  if (!found.ok) return { refused: 'unknown or expired bearer token' };
  if (found.token.grant) {
    return { refused: 'a patient token may not use Bulk Data $export: it needs a SMART Backend Services token (client_credentials) with system/*.read' };
  }
  const types = readableTypes(found.token.scope);
  if (types !== '*' && !types.size) {
    return { refused: `the token's scopes (${found.token.scope || 'none'}) grant no system-level read: $export needs system/*.read (or system/<Type>.read, SMART v2 system/*.rs)` };
  }
  return { owner: `client:${found.token.clientId}`, types };
}

/** The resource types system scopes let a client read (systemScope's grammar): `*`, or the types named. */
export function readableTypes(scope: string): '*' | Set<string> {
  const types = new Set<string>();
  for (const one of scope.split(/\s+/)) {
    const granted = systemScope(one);
    if (!granted?.read) continue;
    if (granted.type === '*') return '*';
    types.add(granted.type);
  }
  return types;
}
