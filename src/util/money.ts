/** Money in integer cents, so that adjudication arithmetic is exact. */
export type Cents = number;

export function dollarsToCents(dollars: number): Cents {
  return Math.round(dollars * 100);
}

/** FHIR Money.value: a decimal with two places, exact from integer cents. */
export function centsToDecimal(cents: Cents): number {
  return Number((cents / 100).toFixed(2));
}

export function money(cents: Cents): { value: number; currency: 'USD' } {
  return { value: centsToDecimal(cents), currency: 'USD' };
}
