import { getSearchParameters, OperationOutcomeError, parseSearchRequest, splitSearchOnComma, toPeriod, tryGetDataType } from '@medplum/core';
import { r4ResourceTypes } from '../r4-resources.js';
import { splitTopLevel } from '../router.js';
import type { DatePlan } from './dates.js';
import { parameterPaths } from './decide.js';

/**
 * Types whose reference parameters get rows too (`refs`), so that `_include` reads a page's references from SQL
 * instead of parsing each row: an ExplanationOfBenefit's stored text is ~10 KB (parsing a 50-row page ~2.5 ms of CPU),
 * most other resources' 1-2 KB. Every resource of these types has a row per reference it holds at an included path.
 */
export const INCLUDE_ROW_TYPES: readonly string[] = ['ExplanationOfBenefit', 'Claim', 'ClaimResponse'];

/** `Type.a.b`, `Type.a.as(X)`/`.ofType(X)` with more steps after it, or `Type.a as X` (outer parentheses removed). */
const BRANCH = /^([A-Z][A-Za-z]+)((?:\.[a-z][A-Za-z0-9]*)+)(?:\.(?:as|ofType)\(([A-Za-z]+)\)((?:\.[a-z][A-Za-z0-9]*)*)|\s+as\s+([A-Za-z]+))?$/;

/**
 * The date plan of a store built now (see DatePlan): every date search parameter of the R4 resource types as the
 * global schema holds them (R4's and the served IGs' indexed before the store opens), whose expression is a union of
 * element paths — through choice elements, with an `as`/`ofType` type filter on a choice — that the rows can follow
 * (dates.ts walks them without the schema). Others (`extension.where(…)`, a filter on a non-choice element) are left
 * to medplum's matcher. Empty when no schema is indexed.
 */
export function datePlan(): DatePlan {
  const plan: DatePlan = {};
  for (const type of r4ResourceTypes()) {
    for (const [code, param] of Object.entries(getSearchParameters(type) ?? {})) {
      if (param.type !== 'date' || !param.expression) continue;
      const branches = readBranches(type, param.expression);
      if (branches) (plan[type] ??= {})[code] = { expression: param.expression, branches };
    }
    if (!INCLUDE_ROW_TYPES.includes(type)) continue;
    for (const [code, param] of Object.entries(getSearchParameters(type) ?? {})) {
      const paths = param.type === 'reference' && param.expression && !code.startsWith('_') ? parameterPaths(type, code) : undefined;
      // As search-extras.ts referencesOf walks them: plain element paths, no branch limited to a target type.
      if (paths?.kind !== 'reference' || paths.branches.some((branch) => branch.target)) continue;
      (plan[type] ??= {})[code] = { expression: param.expression!, branches: paths.branches.map((branch) => branch.path.split('.')), reference: true };
    }
  }
  return plan;
}

function readBranches(type: string, expression: string): string[][] | undefined {
  const branches: string[][] = [];
  for (let text of splitTopLevel(expression, '|')) {
    while (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();
    const match = BRANCH.exec(text);
    if (!match || match[1] !== type) return undefined;
    const filter = match[3] ?? match[5];
    const steps = followSteps(type, match[2]!.slice(1).split('.'), filter, match[4] ? match[4].slice(1).split('.') : []);
    if (!steps) return undefined;
    if (steps.length) branches.push(steps);
  }
  return branches;
}

/**
 * The steps of one branch by the schema: a plain element's name, or a choice element's name with its types (only
 * `filter` when given: the last path segment must then be a choice). After a type filter, `after` continues in that
 * type. Undefined when some step is not an element (or the schema is not there); [] when the filter leaves no type.
 */
function followSteps(type: string, path: string[], filter: string | undefined, after: string[]): string[] | undefined {
  const steps: string[] = [];
  let schema = tryGetDataType(type);
  const names = [...path, ...after];
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (!schema) return undefined;
    const plain = schema.elements[name];
    const filtered = i === path.length - 1 && filter !== undefined;
    if (plain && !filtered) {
      steps.push(name);
      const codes = plain.type.map((t) => t.code);
      schema = codes.length === 1 ? tryGetDataType(codes[0]!) : undefined;
      continue;
    }
    const choice = schema.elements[`${name}[x]`];
    if (!choice) return undefined;
    const codes = choice.type.map((t) => t.code).filter((code) => !filtered || code === filter);
    if (!codes.length) return [];
    // A choice is read by its types' names (`servicedDate`), as medplum's FHIRPath reads it.
    steps.push(`${name}|${codes.map((code) => code[0]!.toUpperCase() + code.slice(1)).join('|')}`);
    schema = codes.length === 1 ? tryGetDataType(codes[0]!) : undefined;
  }
  return steps;
}

/** One date filter value decided by the rows: medplum's operator and the filter's alternatives as [start, end]. */
export interface DateCheck {
  code: string;
  operator: 'eq' | 'ne' | 'ap' | 'lt' | 'gt' | 'le' | 'ge' | 'sa' | 'eb';
  ranges: [string, string][];
}

const OPERATORS = new Set(['eq', 'ne', 'ap', 'lt', 'gt', 'le', 'ge', 'sa', 'eb']);

/**
 * A date filter value (`ge2020-01-01`, `2020,2021`) of parameter `code` of `type`, read as medplum's parseSearchRequest
 * and matchesDateFilter read it (the prefix applies to every alternative; an alternative toPeriod cannot read matches
 * nothing), when the plan's rows cover the parameter as it is served now; undefined otherwise, or when medplum would
 * fail on the value (the matcher then gives its own answer).
 */
export function dateCheck(type: string, code: string, value: string, plan: DatePlan): DateCheck | undefined {
  const planned = plan[type]?.[code];
  const param = getSearchParameters(type)?.[code];
  if (!planned || planned.reference || param?.type !== 'date' || param.expression !== planned.expression) return undefined;
  try {
    const filter = parseSearchRequest(type, { [code]: value }).filters?.[0];
    if (!filter || filter.code !== code || !OPERATORS.has(filter.operator)) return undefined;
    const ranges: [string, string][] = [];
    for (const one of splitSearchOnComma(filter.value)) {
      const period = toPeriod(one);
      if (period?.start !== undefined && period.end !== undefined) ranges.push([period.start, period.end]);
    }
    return { code, operator: filter.operator as DateCheck['operator'], ranges };
  } catch (error) {
    if (error instanceof OperationOutcomeError || error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * The SQL condition on the candidate `d.seq` of one check, and its arguments: an EXISTS over the resource's rows of
 * the parameter with matchesDateValue's comparisons (NOT EXISTS of `eq`'s for `ne`, which medplum negates whole).
 */
export function dateCondition(check: DateCheck): { sql: string; args: string[] } {
  const args: string[] = [check.code];
  const parts = check.ranges.map(([start, end]) => {
    switch (check.operator) {
      case 'lt':
        args.push(start);
        return 'x.low < ?';
      case 'gt':
        args.push(end);
        return 'x.high > ?';
      case 'le':
        args.push(end);
        return 'x.low <= ?';
      case 'ge':
        args.push(start);
        return 'x.high >= ?';
      case 'sa':
        args.push(end);
        return 'x.low > ?';
      case 'eb':
        args.push(start);
        return 'x.high < ?';
      default:
        args.push(end, start);
        return '(x.low < ? AND x.high > ?)';
    }
  });
  const exists = `EXISTS (SELECT 1 FROM dates x WHERE x.seq = d.seq AND x.p = ? AND (${parts.length ? parts.join(' OR ') : '0'}))`;
  return { sql: check.operator === 'ne' ? `NOT ${exists}` : exists, args };
}
