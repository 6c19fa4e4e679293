import { getSearchParameters } from '@medplum/core';
import { r4ResourceElements } from '../r4-resources.js';

/**
 * Where a search parameter's values sit, when its FHIRPath expression is only element paths of the resource, so that
 * the store's path-qualified keys (keys.ts) decide it exactly, without medplum's matcher:
 * - a reference parameter: one path per branch (`Observation.subject.where(resolve() is Patient)` → `subject`, only
 *   for `Patient/…` values), each naming Reference or canonical elements;
 * - a token parameter: the leaves that hold its codes, by the element's type (CodeableConcept → `category.coding.code`,
 *   Coding → `….code`, Identifier and ContactPoint → `….value`, code, string, id and boolean → the element itself),
 *   which are what the sandbox's exact token check reads (token-case.ts) and among those medplum's matcher reads.
 */
export type ParameterPaths = { kind: 'reference'; branches: { path: string; target?: string }[] } | { kind: 'token'; leaves: string[] };

const BRANCH = /^\(?([A-Z][A-Za-z]+)\.([a-z][A-Za-z]*(?:\.[a-z][A-Za-z]*)*)(?:\.where\(resolve\(\) is ([A-Z][A-Za-z]+)\))?\)?$/;
const REFERENCE_TYPES = new Set(['Reference', 'canonical']);
const TOKEN_LEAVES: Record<string, string> = { CodeableConcept: '.coding.code', Coding: '.code', Identifier: '.value', ContactPoint: '.value', code: '', string: '', id: '', boolean: '' };

const cache = new Map<string, ParameterPaths | undefined>();
const elementTypes = new Map<string, Map<string, string[]>>();

/**
 * The paths of search parameter `code` of `type` as the global schema holds it (after router.ts's per-type split and
 * typed choices), or undefined when the store cannot decide it exactly: another parameter type, an expression with
 * functions (`extension(…)`, `ofType`, `as`), a choice element, an element of a data type or one defined by
 * reference to another (`Questionnaire.item.item`). Cached per type and code.
 */
export function parameterPaths(type: string, code: string): ParameterPaths | undefined {
  const key = `${type}.${code}`;
  if (cache.has(key)) return cache.get(key);
  const found = readPaths(type, code);
  cache.set(key, found);
  return found;
}

function readPaths(type: string, code: string): ParameterPaths | undefined {
  const param = getSearchParameters(type)?.[code];
  if (!param?.expression || (param.type !== 'reference' && param.type !== 'token')) return undefined;
  const branches: { path: string; types: string[]; target?: string }[] = [];
  for (const text of param.expression.split('|').map((b) => b.trim())) {
    const match = BRANCH.exec(text);
    if (!match || match[1] !== type) return undefined;
    const path = match[2]!;
    const types = typesAt(type, path);
    if (!types) return undefined;
    branches.push({ path, types, ...(match[3] ? { target: match[3] } : {}) });
  }
  if (param.type === 'reference') {
    if (branches.some((b) => !b.types.every((t) => REFERENCE_TYPES.has(t)))) return undefined;
    return { kind: 'reference', branches: branches.map(({ path, target }) => ({ path, ...(target ? { target } : {}) })) };
  }
  if (branches.some((b) => b.target || b.types.length !== 1 || TOKEN_LEAVES[b.types[0]!] === undefined)) return undefined;
  return { kind: 'token', leaves: branches.map((b) => `${b.path}${TOKEN_LEAVES[b.types[0]!]}`) };
}

/** The types of the element at `path` of `type` when it and each element above it are the resource's own, not choices. */
function typesAt(type: string, path: string): string[] | undefined {
  const elements = typeElements(type);
  const segments = path.split('.');
  let types: string[] | undefined;
  for (let i = 1; i <= segments.length; i++) {
    types = elements.get(`${type}.${segments.slice(0, i).join('.')}`);
    if (!types) return undefined;
  }
  return types;
}

/**
 * The element paths of one R4 resource type with their types (`Observation.category` → CodeableConcept), no choice
 * element; built per type from r4-resources.ts's compact elements.
 */
function typeElements(type: string): Map<string, string[]> {
  let map = elementTypes.get(type);
  if (map) return map;
  map = new Map();
  for (const element of r4ResourceElements().get(type) ?? []) {
    if (element.path.endsWith('[x]') || !element.types.length) continue;
    map.set(element.path, element.types);
  }
  elementTypes.set(type, map);
  return map;
}
