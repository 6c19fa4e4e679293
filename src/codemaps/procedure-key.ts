import type { ProcedureRow } from './types.js';

const indexes = new WeakMap<ReadonlyMap<string, ProcedureRow>, ReadonlyMap<string, string>>();

/**
 * The professional-procedures.json key of a billed CPT/HCPCS code. The code → key index is built once
 * per loaded table (not per member or per claim line) and kept beside it.
 */
export function procedureKeyOf(procedures: ReadonlyMap<string, ProcedureRow>, code: string): string | undefined {
  let index = indexes.get(procedures);
  if (!index) {
    index = new Map([...procedures].map(([key, row]) => [row.code, key]));
    indexes.set(procedures, index);
  }
  return index.get(code);
}
