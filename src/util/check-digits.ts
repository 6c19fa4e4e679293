/** Luhn check digit of a digit string (the digit to append). */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** An NPI is valid when "80840" + its 10 digits passes Luhn (CMS NPI check-digit rule). */
export function isValidNpi(npi: string): boolean {
  return /^\d{10}$/.test(npi) && luhnCheckDigit(`80840${npi.slice(0, 9)}`) === Number(npi[9]);
}

/** Completes a 9-digit NPI base with its check digit. */
export function npiFromBase(base9: string): string {
  if (!/^\d{9}$/.test(base9)) throw new Error(`NPI base must be 9 digits: ${base9}`);
  return base9 + String(luhnCheckDigit(`80840${base9}`));
}

/** 11-digit NDC in 5-4-2 form without dashes. */
export function isNdc11(ndc: string): boolean {
  return /^\d{11}$/.test(ndc);
}

/** ICD-10-CM code as FHIR writes it (with the dot): letter, digit, digit or A/B, then a dot and up to 4 more (7th characters such as A, D, S, M, N). */
export function isIcd10CmFormat(code: string): boolean {
  return /^[A-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$/.test(code);
}

/** CPT (HCPCS Level I): 4 digits, then a digit, or F (Category II), T (Category III) or U (PLA). */
export function isCptFormat(code: string): boolean {
  return /^\d{4}[0-9FTU]$/.test(code);
}

/** HCPCS Level II: a letter A–V and 4 digits (CMS HCPCS Level II file). */
export function isHcpcsFormat(code: string): boolean {
  return /^[A-V]\d{4}$/.test(code);
}

/** ICD-10-PCS: 7 characters of digits and letters other than I and O. */
export function isIcd10PcsFormat(code: string): boolean {
  return /^[0-9A-HJ-NP-Z]{7}$/.test(code);
}

/** SNOMED CT identifiers end in a Verhoeff check digit. */
export function isValidVerhoeff(digits: string): boolean {
  const d = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
  ];
  const p = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
  ];
  if (!/^\d+$/.test(digits)) return false;
  let c = 0;
  const rev = digits.split('').reverse().map(Number);
  for (let i = 0; i < rev.length; i++) c = d[c]![p[i % 8]![rev[i]!]!]!;
  return c === 0;
}

/** LOINC codes end in a mod-10 check digit after a dash. */
export function isValidLoinc(code: string): boolean {
  const m = /^(\d{1,7})-(\d)$/.exec(code);
  if (!m) return false;
  return luhnCheckDigit(m[1]!) === Number(m[2]);
}
