import type { DentalRow, DenialRow, ProcedureRow, Side } from '../../codemaps/types.js';
import { UserError } from '../../util/errors.js';
import type { CoverageFact, IsoDate } from '../types.js';
import type { MemberClaimsContext } from './context.js';
import type { DraftLine } from './draft.js';
import type { StoryCode, StoryTable } from './table-codes.js';
import { medicareRate } from './pricing.js';

export interface LineOptions {
  date: IsoDate;
  coverage: CoverageFact;
  network: 'innetwork' | 'outofnetwork';
  diagnosisSequences: number[];
  denial?: DenialRow;
  quantity?: number;
  placeOfService?: string;
  withRevenue?: boolean;
  /** The side the diagnosis names, for codes billed with RT/LT. */
  side?: Side;
}

const SIDE_MODIFIERS = { right: 'RT', left: 'LT' } as const;

const PREVENTIVE_USES = new Set<string>(['preventive', 'exam', 'cleaning', 'fluoride', 'sealant', 'xray']);

export function procedureLine(ctx: MemberClaimsContext, row: ProcedureRow, o: LineOptions): DraftLine {
  const quantity = o.quantity ?? 1;
  // A line on a hospital bill (with a revenue code) is paid at facility rates, else at the physician fee schedule.
  const setting = o.withRevenue ? 'hospital' : 'professional';
  const revenue = o.withRevenue && row.revenue ? rowTableEntry(ctx, 'revenue', row.revenue) : undefined;
  const side = row.laterality ? (o.side ? SIDE_MODIFIERS[o.side] : ctx.rng.pick(['RT', 'LT'] as const)) : undefined;
  return {
    serviceDate: o.date,
    code: { system: row.system, code: row.code, display: row.display, licensed: row.licensed },
    revenue,
    modifiers: side ? [{ system: 'hcpcs', ...tableEntry(ctx, 'hcpcs-modifiers', side) }] : [],
    ...(revenue ? { allowedUnits: quantity } : {}),
    placeOfService: o.placeOfService,
    quantity,
    diagnosisSequences: o.diagnosisSequences,
    price: {
      ...ctx.price(medicareRate(ctx.codeMaps.pricing, row, setting) * quantity, setting, o.coverage, o.network),
      preventive: PREVENTIVE_USES.has(row.use),
      denial: o.denial ? { group: o.denial.group } : undefined,
    },
    denialReason: o.denial,
  };
}

export function dentalLine(ctx: MemberClaimsContext, row: DentalRow, o: LineOptions & { tooth?: string; surfaces?: string[] }): DraftLine {
  return {
    serviceDate: o.date,
    code: { system: 'cdt', code: row.code, display: row.display, licensed: true },
    modifiers: [],
    placeOfService: o.placeOfService,
    quantity: 1,
    diagnosisSequences: o.diagnosisSequences,
    tooth: o.tooth,
    surfaces: o.surfaces,
    price: {
      submitted: ctx.charge(row.charge),
      allowedRatio: ctx.allowedRatio(o.coverage, o.network),
      preventive: PREVENTIVE_USES.has(row.use),
      denial: o.denial ? { group: o.denial.group } : undefined,
    },
    denialReason: o.denial,
  };
}

/**
 * The row of a code-maps/tables.json table for a code the story puts on a claim by itself: only the codes of
 * STORY_TABLE_CODES, which generate checks against the tables before anything is written (checkStoryTableCodes).
 */
export function tableEntry<T extends StoryTable>(ctx: MemberClaimsContext, table: T, code: StoryCode<T>): { code: string; display: string } {
  return rowTableEntry(ctx, table, code);
}

/**
 * The row of a code-maps/tables.json table for a code a code-maps row names (a procedure's revenue code, checked when
 * the code maps load). A code the table lacks is a UserError (one line naming the file, table and code; exit 2).
 */
export function rowTableEntry(ctx: MemberClaimsContext, table: string, code: string): { code: string; display: string } {
  const found = ctx.codeMaps.tables.get(table)?.codes.find((c) => c.code === code);
  if (!found) throw new UserError(`code-maps/tables.json: table '${table}' has no code '${code}'`);
  return found;
}
