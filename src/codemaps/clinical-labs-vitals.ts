import { CATALOG_LAB_FIELDS } from './catalog.js';
import { AGE, DECIMALS, MEASURE, type Fields } from './fields.js';
import type { CodeMapReader } from './load.js';
import type { ClaimsCodeMaps, Coded, SourcedRow } from './types.js';

export interface Band {
  low: number;
  high: number;
}

export interface UcumUnit {
  code: string;
  display: string;
}

/** A vital-sign value band; the first row matching age, sex and (when given) a condition of the member wins. */
export interface VitalRange extends Band {
  ageMin: number;
  ageMax: number;
  sex?: 'male' | 'female';
  condition?: string;
}

export interface VitalRow extends SourcedRow {
  key: string;
  loinc: Coded;
  unit?: UcumUnit;
  decimals?: number;
  ranges?: VitalRange[];
}

export interface AnalyteRow {
  loinc: Coded;
  unit: UcumUnit;
  decimals: number;
  normal: Band;
  /** Band under a condition (condition key → band). */
  conditions?: Record<string, Band>;
}

/**
 * A result reported as words, not a number: free text (valueString, e.g. urine appearance) or a SNOMED CT
 * answer (valueCodeableConcept, e.g. nitrite Negative); under a condition (condition key) another answer.
 */
export interface QualitativeAnalyteRow {
  loinc: Coded;
  text?: { normal: string; conditions?: Record<string, string> };
  /** SNOMED CT qualifier values. */
  coded?: { normal: Coded; conditions?: Record<string, Coded> };
}

export interface LabPanelRow extends SourcedRow {
  /** professional-procedures.json key of the billed test. */
  key: string;
  panel: Coded;
  /** SNOMED CT specimen type, with where that code was checked. */
  specimen: Coded & SourcedRow;
  analytes: AnalyteRow[];
  /** Results reported as text or a coded answer; their result indexes follow the analytes'. */
  qualitative?: QualitativeAnalyteRow[];
  /**
   * A catalog group's tests (code-maps/catalog/labs.json): an order results the tests its reason
   * conditions bring and some others of the group, not all of them.
   */
  subset?: boolean;
}

interface CatalogLab extends SourcedRow {
  key: string;
  loinc: Coded;
  group: string;
  unit: string;
  normal: Band;
  abnormal?: Record<string, Band>;
}

const BAND: Fields = { low: MEASURE, high: MEASURE };
const NORMAL: Fields = { 'normal.low': MEASURE, 'normal.high': MEASURE };

const SPECIMENS: Record<string, Coded & SourcedRow> = {
  blood: { code: '119297000', display: 'Blood specimen', source: 'SNOMED CT 119297000 Blood specimen (specimen), listed in HL7 IPS 0.2.0 ValueSet specimen-type-uv-ips (hl7.org/fhir/uv/ips/2018Sep)' },
  urine: { code: '122575003', display: 'Urine specimen', source: 'SNOMED CT 122575003 Urine specimen (specimen), as in HL7 IPS 1.1.0 example Specimen-specimen-example-1 (hl7.org/fhir/uv/ips/STU1.1)' },
};

function decimalsOf(b: Band): number {
  return Math.max(...[b.low, b.high].map((x) => (String(x).split('.')[1] ?? '').length));
}

/**
 * One panel per group of code-maps/catalog/labs.json, billed as `lab-<group>` of professional-procedures.json:
 * the order (and its report) is named by the group's first test; each test keeps its UCUM unit, normal
 * range and the bands the catalog gives per condition. A group whose key is already a panel is left alone.
 */
function catalogPanels(reader: CodeMapReader, claims: ClaimsCodeMaps): LabPanelRow[] {
  const groups = new Map<string, CatalogLab[]>();
  for (const l of reader.rows('catalog/labs.json', CATALOG_LAB_FIELDS) as unknown as CatalogLab[]) {
    for (const [c, b] of Object.entries(l.abnormal ?? {})) reader.object('catalog/labs.json', b, `'${l.key}' abnormal '${c}'`, BAND);
    groups.set(l.group, [...(groups.get(l.group) ?? []), l]);
  }
  return [...groups].map(([group, rows]) => {
    const key = `lab-${group}`;
    if (claims.procedures.get(key)?.use !== 'lab') reader.fail('catalog/labs.json', group, `its tests are billed as '${key}', which professional-procedures.json does not have as a lab`, 'group', rows[0]);
    return {
      key,
      panel: rows[0]!.loinc,
      specimen: group === 'urine' ? SPECIMENS.urine! : SPECIMENS.blood!,
      subset: true,
      analytes: rows.map((l) => ({
        loinc: l.loinc,
        unit: { code: l.unit, display: l.unit },
        decimals: Math.min(2, decimalsOf(l.normal)),
        normal: l.normal,
        ...(l.abnormal ? { conditions: Object.fromEntries(Object.entries(l.abnormal).map(([c, b]) => [c, { low: b.low, high: b.high }])) } : {}),
      })),
      source: [...new Set(rows.map((l) => l.source))].join('; '),
    };
  });
}

export interface ClinicalResultRow extends SourcedRow {
  key: string;
  category: 'procedure' | 'imaging';
  loinc: Coded;
  quantity?: { unit: UcumUnit; decimals: number; normal: Band; conditions?: Record<string, Band> };
  findings?: ClinicalFinding[];
  conditionFindings?: Record<string, ClinicalFinding[]>;
}

/** A free-text finding; with a SNOMED CT code when one concept says it (then reported as valueCodeableConcept). */
export interface ClinicalFinding {
  text: string;
  code?: Coded;
}

export interface LabsVitalsCodeMaps {
  vitals: Map<string, VitalRow>;
  /** By procedure key. */
  labs: Map<string, LabPanelRow>;
  /** By procedure key. */
  clinicalResults: Map<string, ClinicalResultRow>;
  /** SNOMED CT category of a lab ServiceRequest. */
  orderCategory: Coded;
}

const REQUIRED_VITALS = [
  'blood-pressure', 'systolic', 'diastolic', 'heart-rate', 'respiratory-rate', 'body-temperature', 'body-height', 'body-weight', 'bmi',
  'pulse-oximetry', 'oxygen-saturation', 'inhaled-oxygen-flow-rate', 'inhaled-oxygen-concentration', 'head-circumference',
  'bmi-for-age-percentile', 'weight-for-length-percentile', 'head-circumference-percentile',
];

const LOINC = /^\d{1,7}-\d$/;

export function loadLabsVitalsCodeMaps(reader: CodeMapReader, claims: ClaimsCodeMaps): LabsVitalsCodeMaps {
  const vitals = reader.index<VitalRow>('vitals.json', (r) => r.key, { key: 'text', loinc: 'coded', unit: 'object?', 'unit.code': 'text', decimals: `${DECIMALS}?`, ranges: 'objects?' });
  const labs = reader.index<LabPanelRow>('labs.json', (r) => r.key, { key: 'text', panel: 'coded', specimen: 'coded', 'specimen.source': 'text', analytes: 'objects', qualitative: 'objects?' });
  for (const panel of catalogPanels(reader, claims)) if (!labs.has(panel.key)) labs.set(panel.key, panel);
  const clinicalResults = reader.index<ClinicalResultRow>('labs-clinical-results.json', (r) => r.key, {
    key: 'text', category: 'text', loinc: 'coded', quantity: 'object?', 'quantity.unit': 'object', 'quantity.unit.code': 'text', 'quantity.decimals': DECIMALS, 'quantity.normal': 'object',
    'quantity.normal.low': MEASURE, 'quantity.normal.high': MEASURE, 'quantity.conditions': 'object?', findings: 'objects?', conditionFindings: 'object?',
  });
  const checkBand = (file: string, key: string, b: Band) => {
    if (!(b.low <= b.high)) reader.fail(file, key, `band ${b.low}-${b.high} is empty`, 'high', b);
  };
  /** At `field` of `row` (a range's `condition`; for a map keyed by condition, the map and the key). */
  const checkCondition = (file: string, key: string, condition: string, row: object, field: (string | number)[]) => {
    if (!claims.conditions.has(condition)) reader.fail(file, key, `names condition '${condition}', which conditions.json does not have`, field, row);
  };
  for (const k of REQUIRED_VITALS) if (!vitals.has(k)) reader.failAt('vitals.json', k, 'is missing', ['rows']);
  for (const [key, v] of vitals) {
    if (!LOINC.test(v.loinc.code)) reader.fail('vitals.json', key, `'${v.loinc.code}' is not a LOINC code`, 'loinc.code');
    for (const r of reader.list<VitalRange>('vitals.json', v.ranges ?? [], `'${key}' ranges`, { ...BAND, ageMin: AGE, ageMax: AGE, sex: 'text?', condition: 'text?' })) {
      checkBand('vitals.json', key, r);
      if (r.condition) checkCondition('vitals.json', key, r.condition, r, ['condition']);
    }
  }
  for (const [key, panel] of labs) {
    if (claims.procedures.get(key)?.use !== 'lab') reader.fail('labs.json', key, 'is not a lab procedure in professional-procedures.json', 'key');
    for (const a of reader.list<AnalyteRow>('labs.json', panel.analytes, `'${key}' analytes`, { loinc: 'coded', unit: 'object', 'unit.code': 'text', decimals: DECIMALS, normal: 'object', ...NORMAL, conditions: 'object?' })) {
      if (!LOINC.test(a.loinc.code)) reader.fail('labs.json', key, `'${a.loinc.code}' is not a LOINC code`, 'loinc.code', a);
      checkBand('labs.json', key, a.normal);
      for (const [c, b] of Object.entries(a.conditions ?? {})) {
        checkCondition('labs.json', key, c, a, ['conditions', c]);
        reader.object('labs.json', b, `'${key}' analyte ${a.loinc.code} condition '${c}'`, BAND);
        checkBand('labs.json', key, b);
      }
    }
    for (const q of reader.list<QualitativeAnalyteRow>('labs.json', panel.qualitative ?? [], `'${key}' qualitative`, { loinc: 'coded', text: 'object?', 'text.normal': 'text', coded: 'object?', 'coded.normal': 'coded' })) {
      if (!LOINC.test(q.loinc.code)) reader.fail('labs.json', key, `'${q.loinc.code}' is not a LOINC code`, 'loinc.code', q);
      if (Boolean(q.text) === Boolean(q.coded)) reader.fail('labs.json', key, `qualitative '${q.loinc.code}' needs text or coded (one of them)`, 'loinc', q);
      for (const [kind, answers] of Object.entries({ text: q.text?.conditions, coded: q.coded?.conditions })) {
        for (const c of Object.keys(answers ?? {})) checkCondition('labs.json', key, c, q, [kind, 'conditions', c]);
      }
    }
  }
  for (const [key, r] of clinicalResults) {
    if (!claims.procedures.has(key)) reader.fail('labs-clinical-results.json', key, 'is not in professional-procedures.json', 'key');
    if (!r.quantity && !r.findings?.length) reader.fail('labs-clinical-results.json', key, 'needs a quantity or findings', 'findings');
    const findings = { text: 'text', code: 'coded?' } as const;
    reader.list('labs-clinical-results.json', r.findings ?? [], `'${key}' findings`, findings);
    // A member with the condition gets one of its findings (src/story/clinical/labs-vitals.ts): an empty list was a crash.
    for (const [c, list] of Object.entries(r.conditionFindings ?? {})) reader.list('labs-clinical-results.json', list, `'${key}' conditionFindings '${c}'`, findings, true);
    if (r.quantity) checkBand('labs-clinical-results.json', key, r.quantity.normal);
    for (const [c, b] of Object.entries(r.quantity?.conditions ?? {})) {
      reader.object('labs-clinical-results.json', b, `'${key}' quantity condition '${c}'`, BAND);
      checkBand('labs-clinical-results.json', key, b);
    }
    for (const c of Object.keys(r.conditionFindings ?? {})) checkCondition('labs-clinical-results.json', key, c, r, ['conditionFindings', c]);
    for (const c of Object.keys(r.quantity?.conditions ?? {})) checkCondition('labs-clinical-results.json', key, c, r, ['quantity', 'conditions', c]);
  }
  const orderCategory = reader.read<{ orderCategory?: Coded & SourcedRow }>('labs.json').orderCategory;
  if (!orderCategory?.code || !orderCategory.source) reader.fail('labs.json', 'orderCategory', 'needs a code and a source');
  reader.object('labs.json', orderCategory, 'orderCategory', { code: 'text', display: 'text' });
  return { vitals, labs, clinicalResults, orderCategory: { code: orderCategory.code, display: orderCategory.display } };
}
