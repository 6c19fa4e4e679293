import { codeFormatProblem } from './code-formats.js';
import type { Definitions } from './definitions.js';

/**
 * What a value set allows, as far as the packages and the R4 base can tell: enumerated `system|code`
 * pairs, plus systems included whole whose codes are not all known here (SNOMED, LOINC, RxNorm…),
 * for which only the system can be checked.
 */
export interface Expansion {
  codes: Set<string>;
  /** Bare codes (for `code` elements), whatever their system. */
  bareCodes: Set<string>;
  openSystems: Set<string>;
  /** Every system the value set draws on (enumerated or open). */
  systems: Set<string>;
}

export class Terminology {
  private readonly cache = new Map<string, Expansion | undefined>();

  constructor(private readonly defs: Definitions) {}

  /** The expansion of a value set, or undefined when the value set is unknown. */
  expand(canonical: string, seen = new Set<string>()): Expansion | undefined {
    if (this.cache.has(canonical)) return this.cache.get(canonical);
    if (seen.has(canonical)) return undefined;
    seen.add(canonical);
    const vs = this.defs.valueSet(canonical);
    let result: Expansion | undefined;
    if (vs) {
      result = { codes: new Set(), bareCodes: new Set(), openSystems: new Set(), systems: new Set() };
      for (const inc of vs.compose?.include ?? []) this.include(inc, result, seen);
      if (!vs.compose && vs.expansion?.contains) {
        for (const c of vs.expansion.contains) this.add(result, c.system, c.code);
      }
      for (const s of result.openSystems) result.systems.add(s);
    }
    this.cache.set(canonical, result);
    return result;
  }

  private include(inc: any, into: Expansion, seen: Set<string>): void {
    const system: string | undefined = inc.system;
    if (system && inc.concept) {
      for (const c of inc.concept) this.add(into, system, c.code);
    } else if (system) {
      const cs = this.defs.codeSystem(system);
      if (cs && !inc.filter && (cs.content === 'complete' || cs.content === undefined) && cs.concept) {
        for (const code of flatten(cs.concept)) this.add(into, system, code);
      } else {
        into.openSystems.add(system);
      }
    }
    for (const url of inc.valueSet ?? []) {
      const sub = this.expand(url, seen);
      if (!sub) continue; // an unknown value set: its codes cannot be checked; leave it out
      sub.codes.forEach((c) => into.codes.add(c));
      sub.bareCodes.forEach((c) => into.bareCodes.add(c));
      sub.openSystems.forEach((s) => into.openSystems.add(s));
      sub.systems.forEach((s) => into.systems.add(s));
    }
  }

  private add(into: Expansion, system: string, code: string): void {
    into.codes.add(`${system}|${code}`);
    into.bareCodes.add(code);
    into.systems.add(system);
  }
}

function flatten(concepts: any[]): string[] {
  return concepts.flatMap((c) => [c.code as string, ...(c.concept ? flatten(c.concept) : [])]);
}

/**
 * Why a coding is outside an expansion, or undefined if it is allowed. A code of a system the value set includes whole
 * must still be of that system's form (code-formats.ts: SNOMED CT, LOINC, RxNorm, NDC, ICD-10-CM/PCS…).
 */
export function codingProblem(exp: Expansion, system: string | undefined, code: string | undefined): string | undefined {
  if (system && exp.openSystems.has(system)) return typeof code === 'string' ? codeFormatProblem(system, code) : undefined;
  if (system && exp.codes.has(`${system}|${code}`)) return undefined;
  if (!system || !exp.systems.has(system)) return `code system '${system ?? '(none)'}' is not one the value set includes (${[...exp.systems].slice(0, 5).join(', ')})`;
  return `code '${code}' is not in the value set`;
}
