import { npiFromBase } from '../util/check-digits.js';
import type { Rng } from '../util/rng.js';

/**
 * Identifiers that look real and can never be real (DESIGN.md §2):
 * - NPIs start with 3999: NPPES has only ever issued NPIs starting with 1 or 2, and the check digit
 *   is Luhn-valid with the 80840 prefix, so validators accept them.
 * - Tax ids start with 00, a prefix the IRS never assigns.
 * - MBIs follow the CMS format but put an S in position 2, a letter real MBIs never use.
 */
export function fictionalNpi(rng: Rng): string {
  return npiFromBase(`3999${rng.digits(5)}`);
}

export function fictionalTin(rng: Rng): string {
  return `00${rng.digits(7)}`;
}

const MBI_LETTERS = 'ACDEFGHJKMNPQRTUVWXY';
const MBI_ALNUM = `0123456789${MBI_LETTERS}`;

export function fictionalMbi(rng: Rng): string {
  const letter = () => rng.pick(MBI_LETTERS.split(''));
  const alnum = () => rng.pick(MBI_ALNUM.split(''));
  const digit = () => String(rng.int(0, 9));
  // Format: C A AN N A AN N A A N N (C = 1–9); position 2 is always 'S' here.
  return `${rng.int(1, 9)}S${alnum()}${digit()}${letter()}${alnum()}${digit()}${letter()}${letter()}${digit()}${digit()}`;
}

export function isFictionalMbi(mbi: string): boolean {
  return /^[1-9]S[0-9ACDEFGHJKMNPQRTUVWXY]\d[ACDEFGHJKMNPQRTUVWXY][0-9ACDEFGHJKMNPQRTUVWXY]\d[ACDEFGHJKMNPQRTUVWXY]{2}\d{2}$/.test(mbi);
}
