/** What one SMART system scope grants: the resource type (`*` for all) and whether it reads and/or writes. */
export interface SystemScope {
  type: string;
  read: boolean;
  write: boolean;
}

/** SMART v1 `read`, `write`, `*`, or a SMART v2 permission string: some of c r u d s, in that order. */
const SYSTEM_SCOPE = /^system\/(\*|[A-Z][A-Za-z]+)\.(read|write|\*|(?=[cruds])c?r?u?d?s?)$/;

/**
 * The one grammar of the system scopes this server understands (SMART Backend Services, v1 and v2):
 * `system/<Type|*>.<read|write|*>` or `system/<Type|*>.<cruds>` with the letters in SMART's order (`rs`, not `sr`).
 * v2 `r` (and v1 `read`, `*`) grants reading; `c`, `u`, `d` (and `write`, `*`) writing; `s` alone grants neither
 * here (Bulk Data $export needs `r`). Undefined for anything else (a patient or user scope, a misspelling).
 */
export function systemScope(scope: string): SystemScope | undefined {
  const granted = systemPermissions(scope);
  if (!granted) return undefined;
  return { type: granted.type, read: granted.permissions.includes('r'), write: /[cud]/.test(granted.permissions) };
}

/** One SMART v2 permission: create, read (read, vread, instance history), update, delete, search (and type/system history). */
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';

/**
 * A system scope as SMART v2 permissions (same grammar as systemScope): the type (`*` for all) and the letters it
 * grants, in `cruds` order. v1 maps as SMART App Launch 2 says: `read` = `rs`, `write` = `cud`, `*` = `cruds`.
 * Undefined for a scope this server does not understand.
 */
export function systemPermissions(scope: string): { type: string; permissions: string } | undefined {
  const m = SYSTEM_SCOPE.exec(scope);
  if (!m) return undefined;
  const permission = m[2]!;
  const v1: Record<string, string> = { read: 'rs', write: 'cud', '*': 'cruds' };
  return { type: m[1]!, permissions: v1[permission] ?? permission };
}

/**
 * The all-types system scopes systemScope understands, for `/.well-known/smart-configuration` `scopes_supported`
 * (SMART Backend Services): v1 `system/*.read`, `.write`, `.*`, then every v2 permission string in SMART's order
 * (`system/*.cruds` … `system/*.s`). The candidates are filtered through systemScope, so the list cannot name a
 * scope the server would not understand; the per-type forms (`system/Patient.rs`) are understood too but not listed.
 */
export const SYSTEM_SCOPES_SUPPORTED: readonly string[] = (() => {
  const v2: string[] = [];
  for (let mask = 31; mask > 0; mask--) v2.push([...'cruds'].filter((_, i) => mask & (16 >> i)).join(''));
  return ['read', 'write', '*', ...v2].map((p) => `system/*.${p}`).filter((s) => systemScope(s));
})();
