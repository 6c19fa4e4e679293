import type { Coded } from '../../codemaps/types.js';
import { addDays } from '../../util/dates.js';
import type { IsoDate } from '../types.js';
import type { CareProcedureFact } from './care-procedures.js';
import type { ClinicalInput } from './types.js';

/** An implant placed by an operation: the model's UDI device identifier and this unit's production identifiers. */
export interface ImplantFact {
  /** 1-based: the resource id is fs-<key>-dev<ordinal>. */
  ordinal: number;
  procedureOrdinal: number;
  deviceIdentifier: string;
  manufacturer: string;
  deviceName: string;
  type: Coded;
  manufactureDate: IsoDate;
  expirationDate: IsoDate;
  lotNumber: string;
  serialNumber: string;
  implanted: IsoDate;
}

/** One implant per operation whose ICD-10-PCS code places a device (care-implants.json); sets procedure.deviceOrdinal. */
export function simulateImplants(input: ClinicalInput, procedures: CareProcedureFact[]): ImplantFact[] {
  const { rng, codeMaps } = input;
  const implants: ImplantFact[] = [];
  for (const p of procedures) {
    const row = p.pcs ? codeMaps.clinical.care.implantsByPcs.get(p.pcs) : undefined;
    if (!row) continue;
    // Made two months to a year before the operation; sterile for the model's shelf life.
    const manufactureDate = addDays(p.date, -rng.int(60, 365));
    const [y, m, d] = manufactureDate.split('-');
    const implant: ImplantFact = {
      ordinal: implants.length + 1,
      procedureOrdinal: p.ordinal,
      deviceIdentifier: row.deviceIdentifier,
      manufacturer: row.manufacturer,
      deviceName: row.deviceName,
      type: row.snomed,
      manufactureDate,
      expirationDate: `${Number(y) + row.shelfLifeYears}-${m}-${d === '29' && m === '02' ? '28' : d}`,
      lotNumber: `M${rng.digits(3)}`,
      serialNumber: `AC${rng.digits(6)}`,
      implanted: p.date,
    };
    p.deviceOrdinal = implant.ordinal;
    implants.push(implant);
  }
  return implants;
}

/** GS1 human-readable form: (01) DI, (11) manufacture date, (17) expiry, (10) lot, (21) serial, dates as YYMMDD. */
export function udiCarrierHrf(i: ImplantFact): string {
  const yymmdd = (date: IsoDate) => date.slice(2).replaceAll('-', '');
  return `(01)${i.deviceIdentifier}(11)${yymmdd(i.manufactureDate)}(17)${yymmdd(i.expirationDate)}(10)${i.lotNumber}(21)${i.serialNumber}`;
}
