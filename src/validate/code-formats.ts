import { isCptFormat, isHcpcsFormat, isIcd10CmFormat, isIcd10PcsFormat, isValidLoinc, isValidVerhoeff } from '../util/check-digits.js';
import { SYSTEMS } from '../util/systems.js';

/**
 * Why a code is not of the form its external code system gives its codes, or undefined when it is (or the system is
 * not one listed here). For systems that a value set includes whole and that no package enumerates (SNOMED CT, LOINC,
 * RxNorm, NDC, ICD-10-CM/PCS, CPT, HCPCS, CVX, NUCC taxonomy), this is all that can be checked without a terminology
 * server: the format, and the check digit where the system has one.
 */
export function codeFormatProblem(system: string, code: string): string | undefined {
  const rule = RULES.get(system);
  if (!rule || rule.test(code)) return undefined;
  return `code '${code}' is not a ${rule.name} code (${rule.form})`;
}

interface Rule {
  name: string;
  form: string;
  test(code: string): boolean;
}

/** SNOMED CT identifiers (SCTIDs): 6 to 18 digits, no leading zero, the last a Verhoeff check digit (SNOMED CT TIG §6.6). */
function isSctid(code: string): boolean {
  return /^[1-9]\d{5,17}$/.test(code) && isValidVerhoeff(code);
}

/** LOINC codes (`NNNNN-C`, mod-10 check digit) and LOINC part/answer/group codes (`LP…`, `LA…`, `LG…`, `LL…` + digits-check digit). */
function isLoinc(code: string): boolean {
  const part = /^L[APGL](\d{1,7})-(\d)$/.exec(code);
  return part ? true : isValidLoinc(code);
}

/** NDC in FHIR (hl7.org/fhir/ndc.html): 11 digits without hyphens, or 10 digits with hyphens in 4-4-2, 5-3-2 or 5-4-1 form. */
function isNdc(code: string): boolean {
  return /^\d{11}$/.test(code) || /^(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d)$/.test(code);
}

/** A CPT/HCPCS modifier: 2 digits or letters (25, 59, RT, LT). */
function isModifier(code: string): boolean {
  return /^[0-9A-Z]{2}$/.test(code);
}

const RULES = new Map<string, Rule>([
  [SYSTEMS.snomed, { name: 'SNOMED CT', form: '6-18 digits ending in a Verhoeff check digit', test: isSctid }],
  [SYSTEMS.loinc, { name: 'LOINC', form: 'digits, a dash and the mod-10 check digit, e.g. 2345-7', test: isLoinc }],
  [SYSTEMS.rxnorm, { name: 'RxNorm', form: 'an RxCUI, 1-8 digits', test: (c) => /^[1-9]\d{0,7}$/.test(c) }],
  [SYSTEMS.ndc, { name: 'NDC', form: '11 digits, or 10 with hyphens as 4-4-2, 5-3-2 or 5-4-1', test: isNdc }],
  [SYSTEMS.icd10cm, { name: 'ICD-10-CM', form: 'a letter, two characters, then a dot and up to 4 more, upper case, e.g. E11.9', test: isIcd10CmFormat }],
  [SYSTEMS.icd10pcs, { name: 'ICD-10-PCS', form: '7 characters, digits and letters but I and O', test: isIcd10PcsFormat }],
  // CPT and HCPCS value sets hold their 2-character modifiers too (C4BB AMACPTCMSHCPCSModifiers: 25, 59, RT, LT). A
  // HCPCS Level II code under the CPT system is taken as well: CARIN BB 2.0.0's own example EOBProfessionalTransportation1
  // sends A0428 so, and claims systems mix the two (HCPCS Level I is CPT).
  [SYSTEMS.cpt, { name: 'CPT', form: '4 digits and a digit, F, T or U, a HCPCS Level II code (a letter and 4 digits), or a 2-character modifier', test: (c) => isCptFormat(c) || isHcpcsFormat(c) || isModifier(c) }],
  [SYSTEMS.hcpcs, { name: 'HCPCS Level II', form: 'a letter A-V and 4 digits, or a 2-character modifier', test: (c) => isHcpcsFormat(c) || isModifier(c) }],
  [SYSTEMS.cvx, { name: 'CVX', form: '1-3 digits', test: (c) => /^\d{1,3}$/.test(c) }],
  [SYSTEMS.nucc, { name: 'NUCC provider taxonomy', form: '3 digits, 6 digits or letters, then X', test: (c) => /^\d{3}[0-9A-Z]{6}X$/.test(c) }],
]);
