import { SHARE } from './fields.js';
import type { CodeMapReader } from './load.js';
import type { PriorAuthRentalRow, PriorAuthServiceRow, PriorAuthTables } from './types.js';

const SERVICES = 'prior-auth-services.json';
const RENTALS = 'prior-auth-rentals.json';
const SHAPES: Record<PriorAuthServiceRow['system'], RegExp> = { cpt: /^\d{5}$/, hcpcs: /^[A-V]\d{4}$/ };
const KINDS = new Set<string>(['advanced-imaging', 'dme']);
/** The code shape of a system of the table; undefined for any other text (`toString` included). */
const shapeOf = (system: string): RegExp | undefined => (Object.hasOwn(SHAPES, system) ? SHAPES[system as PriorAuthServiceRow['system']] : undefined);

/**
 * Reads and checks code-maps/prior-auth-services.json and prior-auth-rentals.json. Throws UserError (one line naming
 * the file and row) for an unknown kind or system, a code of the wrong shape, a range whose end is before its start
 * or that spans two HCPCS letters, overlapping ranges, a rental's code that is no DME range, a duplicate rental, days
 * that are not whole numbers ≥ 1, or a `continues` share outside 0–1 (those two as `row N: FIELD: expected …`).
 */
export function loadPriorAuth(reader: CodeMapReader): PriorAuthTables {
  const services = reader.rows<PriorAuthServiceRow>(SERVICES, { kind: 'text', system: 'text', from: 'text', to: 'text', what: 'text' });
  services.forEach((row, i) => {
    const fail = (problem: string, field: string): never => reader.fail(SERVICES, `row ${i + 1}`, problem, field, row);
    if (!KINDS.has(row.kind)) fail(`unknown kind '${row.kind}' (advanced-imaging or dme)`, 'kind');
    const shape = shapeOf(row.system) ?? fail(`unknown system '${row.system}' (cpt or hcpcs)`, 'system');
    for (const field of ['from', 'to'] as const) if (!shape.test(row[field])) fail(`'${row[field]}' is not a ${row.system.toUpperCase()} code`, field);
    if (row.system === 'hcpcs' && row.from[0] !== row.to[0]) fail(`${row.from}-${row.to} spans two HCPCS letters`, 'to');
    if (row.to < row.from) fail(`${row.from}-${row.to} ends before it starts`, 'to');
    const other = services.findIndex((o, j) => j < i && o.system === row.system && o.from <= row.to && row.from <= o.to);
    if (other >= 0) fail(`${row.from}-${row.to} overlaps row ${other + 1}`, 'from');
  });
  const rentals = reader.index<PriorAuthRentalRow>(RENTALS, (r) => r.hcpcs, { hcpcs: 'text', what: 'text', firstDays: 'whole 1..', renewalDays: 'whole 1..', continues: SHARE });
  for (const [code, r] of rentals) {
    if (!services.some((s) => s.kind === 'dme' && s.system === 'hcpcs' && s.from <= code && code <= s.to)) {
      reader.fail(RENTALS, code, `not durable medical equipment of ${SERVICES}`, 'hcpcs');
    }
  }
  return { services, rentals };
}

/**
 * The kind of authorization a claim line's code needs by the services table, or undefined. Codes are compared as
 * text, and only codes of the system's shape (five digits for CPT, so Category II/III codes such as 7010F never
 * match; a letter and four digits for HCPCS), for which text order is the codes' order.
 */
export function priorAuthKindOf(tables: PriorAuthTables, system: string, code: string): PriorAuthServiceRow['kind'] | undefined {
  if (!shapeOf(system)?.test(code)) return undefined;
  for (const row of tables.services) if (row.system === system && row.from <= code && code <= row.to) return row.kind;
  return undefined;
}
