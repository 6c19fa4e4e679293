import fhirpath from 'fhirpath';
import r4 from 'fhirpath/fhir-context/r4';
import type { CompiledProfile, NodeFinder } from './profile.js';
import { codingProblem, type Terminology } from './terminology.js';

type Evaluator = (node: unknown, env?: Record<string, unknown>) => unknown;

/**
 * Not evaluated: ele-1 (every element has a value or children — the base checker flags empty
 * objects instead, at a fraction of the cost) and ext-1 (the same for extensions).
 */
const SKIPPED_KEYS = new Set(['ele-1', 'ext-1']);

/** FHIRPath invariants of severity error, compiled once per element path and expression with HL7's `fhirpath`. */
export class InvariantChecker {
  private readonly compiled = new Map<string, Evaluator | undefined>();
  private readonly perProfile = new Map<CompiledProfile, { id: string; key: string; human: string; evaluate: Evaluator }[]>();
  /** Invariants skipped because their expression did not compile or threw, `key: reason`. */
  readonly skipped = new Map<string, string>();
  private readonly functions: Record<string, { fn: (...args: any[]) => unknown; arity: Record<number, 'String'[]> }>;

  constructor(terminology: Terminology) {
    // memberOf() is asynchronous in fhirpath.js (it asks a terminology server); answer it from the packages instead.
    this.functions = {
      memberOf: {
        arity: { 1: ['String'] },
        fn: (inputs: unknown[], url: string) => {
          if (!inputs.length) return [];
          const exp = terminology.expand(url);
          if (!exp) throw new Error(`memberOf: value set ${url} is not in the loaded packages`);
          const member = (x: any): boolean => {
            if (typeof x === 'string') return exp.openSystems.size > 0 || exp.bareCodes.has(x);
            if (Array.isArray(x?.coding)) return x.coding.some(member);
            return x && typeof x === 'object' ? !codingProblem(exp, x.system, x.code) : false;
          };
          return [inputs.every(member)];
        },
      },
    };
  }

  check(profile: CompiledProfile, resource: unknown, nodes: NodeFinder, report: (path: string, message: string) => void): void {
    for (const inv of this.invariants(profile)) {
      if (this.skipped.has(inv.key)) continue;
      for (const node of nodes(inv.id)) {
        let result: unknown;
        try {
          result = inv.evaluate(node, { resource, rootResource: resource });
        } catch (error) {
          this.skipped.set(inv.key, `throws: ${(error as Error).message.split('\n')[0]!.slice(0, 160)}`);
          break;
        }
        if (Array.isArray(result) && result.length === 1 && result[0] === false) report(inv.id, `invariant ${inv.key} failed: ${inv.human}`);
      }
    }
  }

  private invariants(profile: CompiledProfile) {
    const hit = this.perProfile.get(profile);
    if (hit) return hit;
    const list: { id: string; key: string; human: string; evaluate: Evaluator }[] = [];
    for (const el of profile.elements) {
      for (const c of el.constraint ?? []) {
        if (c.severity !== 'error' || !c.expression || SKIPPED_KEYS.has(c.key)) continue;
        const evaluate = this.compile(el.path, c.key, c.expression);
        if (evaluate) list.push({ id: el.id, key: c.key, human: c.human ?? c.expression, evaluate });
      }
    }
    this.perProfile.set(profile, list);
    return list;
  }

  private compile(base: string, key: string, expression: string): Evaluator | undefined {
    const cacheKey = `${base}\0${expression}`;
    if (this.compiled.has(cacheKey)) return this.compiled.get(cacheKey);
    let fn: Evaluator | undefined;
    try {
      const path = base.includes('.') ? { base: base.replace(/\[x\]$/, ''), expression } : expression;
      fn = fhirpath.compile(path, r4 as never, { traceFn: () => undefined, userInvocationTable: this.functions as never }) as Evaluator;
    } catch (error) {
      this.skipped.set(key, `does not compile: ${(error as Error).message.split('\n')[0]}`);
    }
    this.compiled.set(cacheKey, fn);
    return fn;
  }
}
