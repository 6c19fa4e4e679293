/** Money in integer cents, so that adjudication arithmetic is exact. */
export type Cents = number;

export function dollarsToCents(dollars: number): Cents {
  return Math.round(dollars * 100);
}

/**
 * FHIR Money.value: a decimal with two places, exact from integer cents: `Number((cents / 100).toFixed(2))`. For whole
 * cents below 10^15 in size that is `cents / 100` itself (the division rounds to the nearest double, which is within
 * 0.001 of the two-place decimal, so toFixed(2) writes that decimal and Number reads back the same nearest double),
 * without toFixed's text: a member's claims make some hundreds of amounts (issue 13). Other values take the long way.
 */
export function centsToDecimal(cents: Cents): number {
  // `+ 0` turns −0 into 0, as the long way does (toFixed writes −0 as '0.00').
  if (Number.isInteger(cents) && cents < 1e15 && cents > -1e15) return cents / 100 + 0;
  return Number((cents / 100).toFixed(2));
}

export function money(cents: Cents): { value: number; currency: 'USD' } {
  return { value: centsToDecimal(cents), currency: 'USD' };
}
