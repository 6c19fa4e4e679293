import type { CodeMaps } from '../../codemaps/types.js';
import { UserError } from '../../util/errors.js';

/**
 * Every code of a code-maps/tables.json table that the claims story puts on a claim by itself (tableEntry), by table.
 * tableEntry takes only these codes (its type is made from this object, so a code the story passes and this object
 * lacks does not compile), and generate checks them all against the loaded tables before anything is written
 * (checkStoryTableCodes): a tables.json edited to lack one stops the run at once, not when the first member that needs
 * it is built (a rare one, such as discharge status 20, could be an hour into a large run). Codes that code-maps rows
 * name (a procedure's revenue code) are checked where those rows load (src/codemaps/load.ts).
 */
export const STORY_TABLE_CODES = {
  // NUBC: emergency (ambulance.ts).
  'ambulance-transport-reason': ['A'],
  // NCPDP (pharmacy.ts): DAW 0 no product selection indicated, 1 substitution not allowed by prescriber;
  // brand/generic 1 brand, 2 generic; prescription origin 1 written, 3 electronic; compound 1 not a compound, 2 compound.
  daw: ['0', '1'],
  'brand-generic': ['1', '2'],
  'rx-origin': ['1', '3'],
  compound: ['1', '2'],
  // CPT 25 separately identifiable E/M (professional.ts), 59 distinct procedural service (oral.ts); HCPCS RT/LT (lines.ts).
  'cpt-modifiers': ['25', '59'],
  'hcpcs-modifiers': ['RT', 'LT'],
  // NUBC (institutional.ts): inpatient and outpatient bills, origins, admission types, discharge home, home health, expired.
  'type-of-bill': ['0111', '0131'],
  'point-of-origin': ['1', '2'],
  'admission-type': ['1', '3'],
  'discharge-status': ['01', '06', '20'],
  // NUBC revenue codes of hospital lines without a procedure code and of rooms (institutional.ts).
  revenue: ['0120', '0200', '0250', '0258', '0260', '0270', '0272', '0300', '0301', '0305', '0306', '0320', '0324', '0350', '0360', '0370', '0410', '0420', '0450', '0636', '0710', '0730'],
} as const;

/** A table the story takes codes from by itself. */
export type StoryTable = keyof typeof STORY_TABLE_CODES;

/** A code of a story table that the story may put on a claim. */
export type StoryCode<T extends StoryTable> = (typeof STORY_TABLE_CODES)[T][number];

/**
 * Throws a UserError (`code-maps/tables.json: table 'rx-origin' has no code '3'`, the line tableEntry gives) for the
 * first code of STORY_TABLE_CODES that the loaded tables lack.
 */
export function checkStoryTableCodes(codeMaps: CodeMaps): void {
  for (const [table, codes] of Object.entries(STORY_TABLE_CODES)) {
    const present = new Set(codeMaps.tables.get(table)?.codes.map((c) => c.code));
    for (const code of codes) if (!present.has(code)) throw new UserError(`code-maps/tables.json: table '${table}' has no code '${code}'`);
  }
}
