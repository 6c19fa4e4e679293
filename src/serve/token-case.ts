import { evalFhirPath, getSearchParameters } from '@medplum/core';
import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import { compiled } from './compiled-path.js';
import type { Query } from './search-extras.js';

interface TokenCheck {
  param: SearchParameter;
  /** Each comma-separated alternative: system undefined = any system, '' = no system. */
  alternatives: { system?: string; code: string }[];
}

/**
 * FHIR token search is case-sensitive unless the code system says otherwise; medplum compares
 * string-valued tokens (code, id, Identifier.value, meta.tag) ignoring case. This is a second,
 * exact pass over medplum's matches for unmodified token parameters (`gender=male`, `_id=x`,
 * `identifier=sys|VALUE`); modifiers (:not, :text, :in, …) keep medplum's behaviour.
 */
export function exactTokenFilter(resourceType: string, filters: Query): ((resource: Resource) => boolean) | undefined {
  const params = getSearchParameters(resourceType) ?? {};
  const checks: TokenCheck[] = [];
  for (const [key, value] of Object.entries(filters)) {
    if (key.includes(':')) continue;
    const param = params[key];
    if (param?.type !== 'token' || !param.expression) continue;
    for (const one of Array.isArray(value) ? value : [value]) checks.push({ param, alternatives: one.split(',').map(parseToken) });
  }
  if (!checks.length) return undefined;
  return (resource) => checks.every((check) => {
    let tokens: { system?: string; code?: string }[];
    try {
      tokens = tokensOf(resource, check.param);
    } catch {
      return true; // an expression FHIRPath cannot evaluate here: keep medplum's answer
    }
    return tokens.some((t) => check.alternatives.some((a) => same(t, a)));
  });
}

function parseToken(text: string): { system?: string; code: string } {
  const bar = text.indexOf('|');
  return bar < 0 ? { code: text } : { system: text.slice(0, bar), code: text.slice(bar + 1) };
}

function same(token: { system?: string; code?: string }, wanted: { system?: string; code: string }): boolean {
  if (wanted.system !== undefined && (token.system ?? '') !== wanted.system) return false;
  // `system|` matches any code in that system.
  return wanted.code === '' && wanted.system ? true : token.code === wanted.code;
}

/** The (system, code) pairs a resource holds in a token parameter, from every FHIR type tokens index. */
function tokensOf(resource: Resource, param: SearchParameter): { system?: string; code?: string }[] {
  return evalFhirPath(compiled(param.expression as string), resource).flatMap((value): { system?: string; code?: string }[] => {
    if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return [{ code: String(value) }];
    if (!value || typeof value !== 'object') return [];
    const v = value as { coding?: { system?: string; code?: string }[]; system?: string; code?: string; value?: string };
    if (Array.isArray(v.coding)) return v.coding.map((c) => ({ system: c.system, code: c.code }));
    if (v.code !== undefined) return [{ system: v.system, code: v.code }];
    if (v.value !== undefined) return [{ system: v.system, code: String(v.value) }];
    return [];
  });
}
