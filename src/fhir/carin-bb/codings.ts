import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { CodeMaps } from '../../codemaps/types.js';
import { SYSTEMS, type SystemName } from '../systems.js';

export function coding(system: SystemName, code: string, display?: string): Coding {
  return display === undefined ? { system: SYSTEMS[system], code } : { system: SYSTEMS[system], code, display };
}

export function concept(system: SystemName, code: string, display?: string): CodeableConcept {
  return { coding: [coding(system, code, display)] };
}

/** A code from one of code-maps/tables.json, with its display; by code, or by `key` when given. */
export function tableConcept(maps: CodeMaps, table: string, code: string, byKey = false): CodeableConcept {
  const t = maps.tables.get(table);
  if (!t) throw new Error(`code-maps/tables.json has no table '${table}'`);
  const row = t.codes.find((c) => (byKey ? c.key === code : c.code === code));
  if (!row) throw new Error(`code-maps/tables.json: table '${table}' has no ${byKey ? 'key' : 'code'} '${code}'`);
  return concept(t.system as SystemName, row.code, row.display);
}
