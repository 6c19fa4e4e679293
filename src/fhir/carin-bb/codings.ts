import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { CodeMaps } from '../../codemaps/types.js';
import { SYSTEMS, type SystemName } from '../systems.js';

export function coding(system: SystemName, code: string, display?: string): Coding {
  return display === undefined ? { system: SYSTEMS[system], code } : { system: SYSTEMS[system], code, display };
}

export function concept(system: SystemName, code: string, display?: string): CodeableConcept {
  return { coding: [coding(system, code, display)] };
}

/**
 * The code system of each code-maps table a builder reads. The system is fixed here, not taken from
 * the data file, so a code from the story keeps its system even when the table or row is missing.
 */
export const TABLE_SYSTEMS = {
  revenue: 'revenue',
  'place-of-service': 'placeOfService',
  'type-of-bill': 'typeOfBill',
  'point-of-origin': 'pointOfOrigin',
  'admission-type': 'admissionType',
  'discharge-status': 'dischargeStatus',
  'present-on-admission': 'presentOnAdmission',
  daw: 'ncpdpDaw',
  'brand-generic': 'ncpdpBrandGeneric',
  'rx-origin': 'ncpdpRxOrigin',
  compound: 'ncpdpCompound',
  carc: 'carc',
  'ncpdp-reject': 'ncpdpReject',
  tooth: 'toothNumber',
  surface: 'c4bbSurfaceCodes',
  race: 'raceEthnicity',
  ethnicity: 'raceEthnicity',
  language: 'language',
  'subscriber-relationship': 'subscriberRelationship',
  'ambulance-transport-reason': 'ambulanceTransportReason',
} as const satisfies Record<string, SystemName>;

export type CodeTable = keyof typeof TABLE_SYSTEMS;

/** Display of a code in a code-maps table, when the table has it. */
export function tableDisplay(maps: CodeMaps, table: string, code: string): string | undefined {
  return maps.tables.get(table)?.codes.find((c) => c.code === code)?.display;
}

/** A code from the story, in its table's system, with the table's display when there is one. */
export function tableCoding(maps: CodeMaps, table: CodeTable, code: string): Coding {
  return coding(TABLE_SYSTEMS[table], code, tableDisplay(maps, table, code));
}

export function tableConcept(maps: CodeMaps, table: CodeTable, code: string): CodeableConcept {
  return { coding: [tableCoding(maps, table, code)] };
}

/**
 * The code a table gives a simulation key (a plan type, a family relationship): here the code itself
 * comes from the table, so without the row there is nothing to say and the element is left out.
 */
export function keyedConcept(maps: CodeMaps, table: string, key: string): CodeableConcept | undefined {
  const t = maps.tables.get(table);
  const row = t?.codes.find((c) => c.key === key);
  if (!t || !row || !(t.system in SYSTEMS)) return undefined;
  return concept(t.system as SystemName, row.code, row.display);
}
