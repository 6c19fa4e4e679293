import type { Resource } from '@medplum/fhirtypes';

/** The code systems whose distinct codes the report counts, with the names it prints. */
export const CODE_SYSTEMS: readonly { name: string; system: string }[] = [
  { name: 'ICD-10-CM', system: 'http://hl7.org/fhir/sid/icd-10-cm' },
  { name: 'ICD-10-PCS', system: 'http://www.cms.gov/Medicare/Coding/ICD10' },
  { name: 'SNOMED CT', system: 'http://snomed.info/sct' },
  { name: 'RxNorm', system: 'http://www.nlm.nih.gov/research/umls/rxnorm' },
  { name: 'NDC', system: 'http://hl7.org/fhir/sid/ndc' },
  { name: 'LOINC', system: 'http://loinc.org' },
  { name: 'MS-DRG', system: 'https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software' },
  { name: 'HCPCS Level II', system: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets' },
  { name: 'CPT', system: 'http://www.ama-assn.org/go/cpt' },
  { name: 'CDT', system: 'http://www.ada.org/cdt' },
  { name: 'CVX', system: 'http://hl7.org/fhir/sid/cvx' },
  { name: 'NUBC revenue', system: 'https://www.nubc.org/CodeSystem/RevenueCodes' },
];

/** The SNOMED CT codes of Condition.code, counted apart ("SNOMED CT conditions"). */
const CONDITION_ROW = 'SNOMED CT conditions';

/** A code and how many Codings carry it (with the first display seen). */
export interface CodeCount {
  code: string;
  display?: string;
  codings: number;
}

/** Distinct codes per system, from every Coding (system + code) anywhere in the resources added. */
export class CodeCounter {
  private readonly sets = new Map<string, Map<string, CodeCount>>();
  private readonly conditionSnomed = new Set<string>();
  private readonly names = new Map(CODE_SYSTEMS.map((s) => [s.system, s.name]));

  add(resource: Resource): void {
    this.walk(resource);
    if (resource.resourceType === 'Condition') {
      for (const c of resource.code?.coding ?? []) if (c.system === 'http://snomed.info/sct' && c.code) this.conditionSnomed.add(c.code);
    }
  }

  /** Rows in CODE_SYSTEMS order, "SNOMED CT conditions" after SNOMED CT; systems without codes give 0. */
  counts(): { name: string; system: string; distinct: number }[] {
    return CODE_SYSTEMS.flatMap((s) => {
      const row = { name: s.name, system: s.system, distinct: this.sets.get(s.system)?.size ?? 0 };
      return s.name === 'SNOMED CT' ? [row, { name: CONDITION_ROW, system: s.system, distinct: this.conditionSnomed.size }] : [row];
    });
  }

  /**
   * The `n` codes most Codings carry per system (ties by code), in CODE_SYSTEMS order, systems
   * without codes left out.
   */
  top(n: number): { name: string; system: string; distinct: number; top: CodeCount[] }[] {
    return CODE_SYSTEMS.flatMap((s) => {
      const counts = this.sets.get(s.system);
      if (!counts?.size) return [];
      const top = [...counts.values()].sort((a, b) => b.codings - a.codings || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)).slice(0, n);
      return [{ name: s.name, system: s.system, distinct: counts.size, top: top.map((c) => ({ ...c })) }];
    });
  }

  private walk(node: unknown): void {
    if (Array.isArray(node)) {
      for (const n of node) this.walk(n);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (typeof o.system === 'string' && typeof o.code === 'string' && this.names.has(o.system)) {
      let counts = this.sets.get(o.system);
      if (!counts) this.sets.set(o.system, (counts = new Map()));
      const seen = counts.get(o.code);
      if (seen) {
        seen.codings++;
        if (seen.display === undefined && typeof o.display === 'string') seen.display = o.display;
      } else counts.set(o.code, { code: o.code, display: typeof o.display === 'string' ? o.display : undefined, codings: 1 });
    }
    for (const key in o) {
      const v = o[key];
      if (typeof v === 'object' && v !== null) this.walk(v);
    }
  }
}
