import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { SandboxAuth } from './auth.js';
import { systemPermissions, type Permission } from './oauth/system-scopes.js';

/** What a SMART Backend Services token's scopes grant: per resource type (`*` for all) the permission letters. */
export class SystemGrant {
  private readonly granted: { type: string; permissions: string }[];

  /** `scope`: the token's space-separated scopes; those systemPermissions does not understand grant nothing. */
  constructor(readonly scope: string) {
    this.granted = scope.split(/\s+/).flatMap((one) => systemPermissions(one) ?? []);
  }

  /** Whether some scope grants `permission` on `type` (`*`: on every type, which only an all-types scope grants). */
  allows(type: string, permission: Permission): boolean {
    return this.granted.some((g) => (g.type === '*' || g.type === type) && g.permissions.includes(permission));
  }
}

/** One thing a request needs: a permission on a resource type (`*`: on every type). */
export interface Need {
  type: string;
  permission: Permission;
}

/**
 * The grant of an issued SMART Backend Services token (smart-backend mode), or undefined when the request is not
 * limited by system scopes: `--auth none`/`bearer`, a static `--token`, a member's (patient) token. Call after
 * `auth.rejection` passed.
 */
export function systemGrant(auth: SandboxAuth, authorization: string | undefined): SystemGrant | undefined {
  if (auth.mode !== 'smart-backend') return undefined;
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? '';
  if (auth.staticTokens.includes(token)) return undefined;
  const found = auth.tokens.lookup(token, 'access');
  return found.ok && !found.token.grant ? new SystemGrant(found.token.scope) : undefined;
}

/**
 * What a FHIR request (method, decoded path segments below the base) needs, per SMART v2's meaning of the letters:
 * `r` instance read, vread and instance history; `s` type and system search and history (GET or POST `_search`);
 * `c` create (POST Type); `u` update and patch (also a PUT that creates, as SMART allows); `d` delete. Operations:
 * `Patient/<id>/$everything` needs `r` on every type, `Patient/$member-match` `s` on Patient and Coverage,
 * `$import` (and its status) `c` and `u` on every type. Undefined when decided elsewhere: `$export` (exportAccess),
 * a transaction or batch (`bundleNeeds`, per entry). Other operations need nothing here: they answer 501.
 */
export function routeNeeds(method: string, segments: string[]): Need[] | undefined {
  const [type = '', id, third] = segments;
  if (segments.some((s) => s.startsWith('$export'))) return undefined;
  if (type.startsWith('$import')) return [{ type: '*', permission: 'c' }, { type: '*', permission: 'u' }];
  if (type === 'Patient' && id === '$member-match') return [{ type: 'Patient', permission: 's' }, { type: 'Coverage', permission: 's' }];
  if (type === 'Patient' && third === '$everything') return [{ type: '*', permission: 'r' }];
  if (segments.some((s) => s.startsWith('$'))) return [];
  const read = method === 'GET' || method === 'HEAD';
  if (!type) return read ? [{ type: '*', permission: 's' }] : method === 'POST' ? undefined : [];
  if (type === '_history') return [{ type: '*', permission: 's' }];
  if (type === 'Patient' && id && third && third !== '_history') return [{ type: third, permission: 's' }];
  const typeLevel = !id || id === '_history' || id === '_search';
  const permission: Permission = read || (method === 'POST' && id === '_search') ? (typeLevel ? 's' : 'r') : method === 'POST' ? 'c' : method === 'DELETE' ? 'd' : 'u';
  return [{ type, permission }];
}

/** What each entry of a transaction or batch Bundle needs (its `request.method` and `url`, as routeNeeds). */
export function bundleNeeds(bundle: Bundle | undefined): Need[] {
  const needs: Need[] = [];
  for (const entry of Array.isArray(bundle?.entry) ? bundle.entry : []) {
    // An entry not of R4's shape needs nothing: it is answered 400 (transaction.ts bundleRuleProblems).
    if (typeof entry?.request?.method !== 'string' || typeof entry.request.url !== 'string') continue;
    const method = entry.request.method.toUpperCase();
    const path = entry.request.url.replace(/^[a-z]+:\/\/[^?]*?\/fhir\//i, '').split('?')[0]!;
    const segments = path.split('/').filter(Boolean).map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
    // A create without a url still names its type in the resource.
    if (!segments.length && entry.resource?.resourceType) segments.push(entry.resource.resourceType);
    needs.push(...(routeNeeds(method, segments) ?? [{ type: '*', permission: 's' }]));
  }
  return needs;
}

/**
 * Why the grant does not cover `needs` (403 text naming the scope that would), or undefined when it does.
 * The scope is named both ways, v1 (`system/Patient.write`) and SMART v2 (`system/Patient.c`), for the first type
 * lacking something, with every letter that type lacks (`$import` on a read-only token: `system/*.cu`, not `.c`
 * alone, which would only move the 403 to the next letter).
 */
export function systemDenial(grant: SystemGrant, needs: Need[], what: string): string | undefined {
  const missing = needs.filter((n) => !grant.allows(n.type, n.permission));
  if (!missing.length) return undefined;
  const type = missing[0]!.type;
  const letters = [...'cruds'].filter((l) => missing.some((n) => n.type === type && n.permission === l)).join('');
  const reads = /[rs]/.test(letters);
  const v1 = reads && /[cud]/.test(letters) ? '*' : reads ? 'read' : 'write';
  const scopes = grant.scope.trim() || 'none';
  return `the token's scopes (${scopes}) do not allow ${what}: it needs system/${type}.${v1} or SMART v2 system/${type}.${letters} (or a scope that includes it)`;
}

/**
 * The search filter for a backend token limited to some types: resources (an `_include`d one too) are shown only
 * when the token may read or search their type. Undefined when it may read every type.
 */
export function systemFilter(grant: SystemGrant): ((resource: Resource) => boolean) | undefined {
  if (grant.allows('*', 'r') && grant.allows('*', 's')) return undefined;
  return (resource) => grant.allows(resource.resourceType, 'r') || grant.allows(resource.resourceType, 's');
}

/**
 * For http.ts: why a backend token may not make this request (path below the FHIR base, before decoding), or
 * undefined when it may or when routeNeeds leaves the decision elsewhere. A malformed path is left to its 400.
 */
export function systemRouteDenial(grant: SystemGrant, method: string, fhirPath: string): string | undefined {
  let segments: string[];
  try {
    segments = fhirPath ? fhirPath.split('/').map(decodeURIComponent) : [];
  } catch {
    return undefined;
  }
  const needs = routeNeeds(method, segments);
  return needs && systemDenial(grant, needs, `${method} ${fhirPath || '(the base)'}`);
}
