import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeMaps } from '../codemaps/types.js';
import { SYSTEMS, type SystemName } from '../fhir/systems.js';
import { packageRoot } from '../util/paths.js';

/** One code system an element carries, with how many distinct codes code-maps/ holds for it there. */
export interface ElementSystem {
  system: SystemName;
  /** Distinct codes of that system the tables give this element. */
  count: number;
}

/** A coded element of one resource type and where its codes come from. */
export interface CodedElement {
  resource: string;
  /** FHIRPath-like element, e.g. `diagnosis.diagnosisCodeableConcept`. */
  element: string;
  systems: ElementSystem[];
  /** code-maps/ files the codes are drawn from. */
  files: string[];
  /** The rows' `source` values, most frequent first, with how many rows name each. */
  sources: { source: string; rows: number }[];
}

/** A crosswalk between two code systems held in code-maps/: how many pairs, and a few examples. */
export interface Crosswalk {
  title: string;
  /** System names, as shown. */
  from: string;
  to: string;
  file: string;
  /** Distinct (from code, to code) pairs. */
  pairs: number;
  examples: { from: string; fromDisplay: string; to: string; toDisplay: string }[];
}

/** A licence or attribution notice (code-maps/LICENSES.md), with whether the guide's data uses that code set. */
export interface Notice {
  codeSet: string;
  owner: string;
  status: string;
}

/** The whole guide: elements, crosswalks, every code system in the data and the notices. */
export interface MappingGuide {
  elements: CodedElement[];
  crosswalks: Crosswalk[];
  /** Every code, identifier and value-set system fhirseed writes (src/fhir/systems.ts), with the elements above that use it. */
  systems: { key: SystemName | string; uri: string; name: string; elements: string[] }[];
  notices: Notice[];
}

/** Systems the builders write that src/fhir/systems.ts does not hold (fixed codes); test/guide checks the data uses no other. */
const OTHER_SYSTEMS = [
  { key: 'fhirseedRun', uri: 'urn:fhirseed:run', name: "fhirseed run tag (the run id, src/fhir/context.ts)", elements: ['every resource: meta.tag'] },
  { key: 'v2DiagnosticService', uri: 'http://terminology.hl7.org/CodeSystem/v2-0074', name: 'HL7 v2 diagnostic service section (table 0074)', elements: ['DiagnosticReport.category'] },
  { key: 'observationInterpretation', uri: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', name: 'HL7 v3 observation interpretation', elements: ['Observation.interpretation'] },
  // Plan-Net, US Drug Formulary and PDex (src/fhir/plan-net, formulary, pdex): the codes those IGs fix or bind.
  { key: 'x12LevelOfServiceCode', uri: 'https://codesystem.x12.org/005010/1338', name: 'X12 level of service (element 1338: PDex prior authorization level of service)', elements: ['ExplanationOfBenefit.extension.valueCodeableConcept'] },
  { key: 'x12ServiceType', uri: 'https://x12.org/codes/service-type-codes', name: 'X12 service type codes (PDex prior authorization item category)', elements: ['ExplanationOfBenefit.item.category'] },
  { key: 'x12ActionCode', uri: 'https://codesystem.x12.org/005010/306', name: 'X12 action code (element 306: PDex review action)', elements: ['ExplanationOfBenefit.adjudication.extension.extension.valueCodeableConcept',  'ExplanationOfBenefit.item.adjudication.extension.extension.valueCodeableConcept'] },
  { key: 'pdexAdjudicationDiscriminator', uri: 'http://hl7.org/fhir/us/davinci-pdex/CodeSystem/PDexAdjudicationDiscriminator', name: 'Da Vinci PDex adjudication discriminator', elements: ['ExplanationOfBenefit.item.adjudication.category'] },
  { key: 'pdexPriorAuthorizationValueCodes', uri: 'http://hl7.org/fhir/us/davinci-pdex/CodeSystem/PriorAuthorizationValueCodes', name: 'Da Vinci PDex prior authorization value codes', elements: ['ExplanationOfBenefit.total.category'] },
  { key: 'x12EntityIdentifier', uri: 'https://codesystem.x12.org/005010/98', name: 'X12 entity identifier code (element 98: PAS authorized provider type)', elements: ['ExplanationOfBenefit.item.extension.extension.valueCodeableConcept'] },
  { key: 'planNetAcceptingPatients', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/AcceptingPatientsCS', name: 'Plan-Net accepting patients', elements: ['HealthcareService.extension.extension.valueCodeableConcept',  'Location.extension.extension.valueCodeableConcept',  'PractitionerRole.extension.extension.valueCodeableConcept'] },
  { key: 'planNetAccessibility', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/AccessibilityCS', name: 'Plan-Net accessibility', elements: ['Location.extension.valueCodeableConcept'] },
  { key: 'planNetOrgType', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/OrgTypeCS', name: 'Plan-Net organization type', elements: ['Organization.type'] },
  { key: 'contactEntityType', uri: 'http://terminology.hl7.org/CodeSystem/contactentity-type', name: 'HL7 contact entity type', elements: ['InsurancePlan.contact.purpose',  'Organization.contact.purpose'] },
  { key: 'uspsState', uri: 'https://www.usps.com/', name: 'USPS state codes (Plan-Net license and qualification state)', elements: ['Organization.extension.extension.valueCodeableConcept',  'Practitioner.qualification.extension.extension.valueCodeableConcept',  'PractitionerRole.extension.extension.valueCodeableConcept'] },
  { key: 'planNetDeliveryMethod', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/DeliveryMethodCS', name: 'Plan-Net delivery method', elements: ['HealthcareService.extension.extension.valueCodeableConcept'] },
  { key: 'planNetHealthcareServiceCategory', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/HealthcareServiceCategoryCS', name: 'Plan-Net healthcare service category', elements: ['HealthcareService.category'] },
  { key: 'serviceType', uri: 'http://terminology.hl7.org/CodeSystem/service-type', name: 'HL7 service type', elements: ['HealthcareService.type'] },
  { key: 'planNetVirtualModalities', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/VirtualModalitiesCS', name: 'Plan-Net virtual modalities', elements: ['HealthcareService.extension.extension.valueCodeableConcept'] },
  { key: 'planNetOrganizationAffiliationRole', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/OrganizationAffiliationRoleCS', name: 'Plan-Net organization affiliation role', elements: ['OrganizationAffiliation.code'] },
  { key: 'usdfPharmacyBenefitType', uri: 'http://hl7.org/fhir/us/davinci-drug-formulary/CodeSystem/usdf-PharmacyBenefitTypeCS-TEMPORARY-TRIAL-USE', name: 'US Drug Formulary pharmacy benefit type', elements: ['Basic.extension.valueCodeableConcept',  'InsurancePlan.plan.specificCost.category'] },
  { key: 'usdfDrugTier', uri: 'http://hl7.org/fhir/us/davinci-drug-formulary/CodeSystem/usdf-DrugTierCS-TEMPORARY-TRIAL-USE', name: 'US Drug Formulary drug tier', elements: ['Basic.extension.valueCodeableConcept',  'InsurancePlan.plan.specificCost.benefit.type'] },
  { key: 'usdfInsuranceItemType', uri: 'http://hl7.org/fhir/us/davinci-drug-formulary/CodeSystem/usdf-InsuranceItemTypeCS', name: 'US Drug Formulary insurance item type', elements: ['Basic.code'] },
  { key: 'planNetProviderRole', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/ProviderRoleCS', name: 'Plan-Net provider role', elements: ['PractitionerRole.code'] },
  { key: 'planNetEndpointPayloadType', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/EndpointPayloadTypeCS', name: 'Plan-Net endpoint payload type', elements: ['Endpoint.payloadType'] },
  { key: 'planNetInsuranceProductType', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/InsuranceProductTypeCS', name: 'Plan-Net insurance product type', elements: ['InsurancePlan.type'] },
  { key: 'planNetInsurancePlanType', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/InsurancePlanTypeCS', name: 'Plan-Net insurance plan type', elements: ['InsurancePlan.plan.type'] },
  { key: 'benefitCategory', uri: 'http://terminology.hl7.org/CodeSystem/ex-benefitcategory', name: 'HL7 benefit category', elements: ['InsurancePlan.plan.specificCost.category'] },
  { key: 'iso4217', uri: 'urn:iso:std:iso:4217', name: 'ISO 4217 currency codes', elements: ['InsurancePlan.plan.specificCost.benefit.cost.value'] },
  { key: 'insurancePlanType', uri: 'http://terminology.hl7.org/CodeSystem/insurance-plan-type', name: 'HL7 insurance plan type', elements: ['InsurancePlan.coverage.benefit.type',  'InsurancePlan.plan.type'] },
  { key: 'usdfBenefitCostType', uri: 'http://hl7.org/fhir/us/davinci-drug-formulary/CodeSystem/usdf-BenefitCostTypeCS-TEMPORARY-TRIAL-USE', name: 'US Drug Formulary benefit cost type', elements: ['InsurancePlan.plan.specificCost.benefit.cost.type'] },
  { key: 'usdfCostShareOption', uri: 'http://hl7.org/fhir/us/davinci-drug-formulary/CodeSystem/usdf-CostShareOptionCS-TEMPORARY-TRIAL-USE', name: 'US Drug Formulary cost share option', elements: ['InsurancePlan.plan.specificCost.benefit.cost.qualifiers'] },
  { key: 'v2Degree', uri: 'http://terminology.hl7.org/CodeSystem/v2-0360', name: 'HL7 v2 degree/license/certificate (table 0360)', elements: ['Practitioner.qualification.code'] },
  { key: 'planNetLanguageProficiency', uri: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/LanguageProficiencyCS', name: 'Plan-Net language proficiency', elements: ['Practitioner.communication.extension.valueCodeableConcept'] },
  { key: 'pdexProvenancePayerDataSource', uri: 'http://hl7.org/fhir/us/davinci-pdex/CodeSystem/ProvenancePayerDataSource', name: 'Da Vinci PDex provenance payer data source', elements: ['Provenance.entity.extension.valueCodeableConcept'] },
] as const;

/** Readable names of the main systems; the rest are named by their key in src/fhir/systems.ts. */
const NAMES: Partial<Record<SystemName, string>> = {
  snomed: 'SNOMED CT (US Edition)',
  icd10cm: 'ICD-10-CM',
  icd10pcs: 'ICD-10-PCS',
  rxnorm: 'RxNorm',
  ndc: 'NDC',
  loinc: 'LOINC',
  cvx: 'CVX',
  ucum: 'UCUM',
  cpt: 'CPT®',
  hcpcs: 'HCPCS Level II',
  cdt: 'CDT',
  msDrg: 'MS-DRG',
  revenue: 'NUBC revenue codes',
  nucc: 'NUCC provider taxonomy',
  carc: 'X12 Claim Adjustment Reason Codes',
  placeOfService: 'CMS place of service',
  raceEthnicity: 'CDC race and ethnicity',
  language: 'BCP 47 language tags',
  nubcPatientDischarge: 'NUBC discharge disposition',
};

/** The name shown for a system key. */
export function systemName(key: SystemName): string {
  return NAMES[key] ?? key;
}

type Row = { source: string };

/**
 * Builds the mapping guide from the loaded code maps (no randomness, no FHIR data): per resource
 * type and coded element the systems and distinct code counts, the crosswalks, every system of
 * src/fhir/systems.ts, and the notices of code-maps/LICENSES.md.
 */
export function buildMappingGuide(maps: CodeMaps, root = packageRoot()): MappingGuide {
  const c = maps.clinical;
  const conditions = [...maps.conditions.values()];
  const drugs = [...maps.drugs.values()];
  const procedures = [...maps.procedures.values()];
  const labs = [...c.labsVitals.labs.values()];
  const analytes = labs.flatMap((l) => l.analytes);
  const vitals = [...c.labsVitals.vitals.values()];
  const vaccines = [...c.medications.vaccines.values()];
  const careProcedures = [...c.care.procedures.values()];
  const social = c.social;
  const instruments = [social.phq9, social.hvs, social.prapare, social.ussgFht];
  const socialRows = [...social.values.values()].flat();

  const el = (resource: string, element: string, files: string[], rows: readonly Row[], systems: [SystemName, Iterable<string>][]): CodedElement => ({
    resource,
    element,
    files,
    sources: sourcesOf(rows),
    systems: systems.map(([system, codes]) => ({ system, count: new Set(codes).size })).filter((s) => s.count > 0),
  });

  const elements: CodedElement[] = [
    el('Condition', 'code', ['catalog/conditions.json'], conditions, [
      ['snomed', conditions.map((r) => r.snomed.code)],
      ['icd10cm', conditions.flatMap((r) => r.icd10cm.map((i) => i.code))],
    ]),
    el('ExplanationOfBenefit', 'diagnosis.diagnosisCodeableConcept', ['catalog/conditions.json', 'visit-reasons.json'], [...conditions, ...maps.visitReasons.values()], [
      ['icd10cm', [...conditions.flatMap((r) => r.icd10cm.map((i) => i.code)), ...[...maps.visitReasons.values()].map((v) => v.icd10cm)]],
    ]),
    el('ExplanationOfBenefit', 'procedure.procedureCodeableConcept', ['catalog/icd10pcs.json'], [...maps.pcs.values()], [['icd10pcs', maps.pcs.keys()]]),
    el('ExplanationOfBenefit', 'item.productOrService', ['professional-procedures.json', 'catalog/hcpcs.json', 'dental.json', 'catalog/drugs.json'], [...procedures, ...maps.dental.values(), ...drugs], [
      ['cpt', procedures.filter((p) => p.system === 'cpt').map((p) => p.code)],
      ['hcpcs', procedures.filter((p) => p.system === 'hcpcs').map((p) => p.code)],
      ['cdt', [...maps.dental.values()].map((d) => d.code)],
      ['ndc', drugs.map((d) => d.ndc.code)],
    ]),
    el('ExplanationOfBenefit', 'supportingInfo[drg].code', ['catalog/ms-drg.json'], [...maps.drgs.values()], [['msDrg', maps.drgs.keys()]]),
    el('ExplanationOfBenefit', 'item.adjudication[denialreason].reason', ['denials.json'], maps.denials, [['carc', maps.denials.map((d) => d.carc)]]),
    el('MedicationRequest', 'medicationCodeableConcept', ['catalog/drugs.json'], drugs, [
      ['rxnorm', drugs.map((d) => d.rxnorm.code)],
      ['ndc', drugs.map((d) => d.ndc.code)],
    ]),
    el('MedicationDispense', 'medicationCodeableConcept (or Medication.code)', ['catalog/drugs.json'], drugs, [
      ['rxnorm', drugs.map((d) => d.rxnorm.code)],
      ['ndc', drugs.map((d) => d.ndc.code)],
    ]),
    el('Immunization', 'vaccineCode', ['immunizations.json'], vaccines, [
      ['cvx', vaccines.map((v) => v.cvx.code)],
      ['ndc', vaccines.flatMap((v) => (v.ndc ? [v.ndc.code] : []))],
    ]),
    el('Observation (laboratory)', 'code, valueQuantity.code', ['labs.json', 'catalog/labs.json'], labs, [
      ['loinc', analytes.map((a) => a.loinc.code)],
      ['ucum', analytes.map((a) => a.unit.code)],
    ]),
    el('DiagnosticReport (laboratory), ServiceRequest', 'code', ['labs.json', 'catalog/labs.json'], labs, [['loinc', labs.map((l) => l.panel.code)]]),
    el('Specimen', 'type', ['labs.json'], labs, [['snomed', labs.map((l) => l.specimen.code)]]),
    el('Observation (vital signs)', 'code, valueQuantity.code', ['vitals.json'], vitals, [
      ['loinc', vitals.map((v) => v.loinc.code)],
      ['ucum', vitals.flatMap((v) => (v.unit ? [v.unit.code] : []))],
    ]),
    el('Observation (clinical result)', 'code, valueQuantity.code', ['labs-clinical-results.json'], [...c.labsVitals.clinicalResults.values()], [
      ['loinc', [...c.labsVitals.clinicalResults.values()].map((r) => r.loinc.code)],
      ['ucum', [...c.labsVitals.clinicalResults.values()].flatMap((r) => (r.quantity ? [r.quantity.unit.code] : []))],
    ]),
    el('Observation (screening assessment), QuestionnaireResponse', 'code, item.linkId, valueCodeableConcept', ['social-instruments.json'], instruments, [
      ['loinc', instruments.flatMap((i) => [i.panel.code, ...loincItemsOf(i)])],
    ]),
    el('Patient extensions, Observation (social history)', 'valueCodeableConcept, valueCoding', ['social-values.json'], socialRows, groupBySystem(socialRows)),
    el('Procedure', 'code', ['care-procedures.json'], careProcedures, [
      ['snomed', careProcedures.flatMap((p) => (p.snomed ? [p.snomed.code] : []))],
      ...(['cpt', 'hcpcs', 'icd10pcs'] as const).map((s): [SystemName, string[]] => [s, careProcedures.filter((p) => p.system === s).map((p) => p.code)]),
    ]),
    el('Encounter', 'type', ['care-encounter-types.json'], [...c.care.encounterTypes.values()], [
      ['snomed', [...c.care.encounterTypes.values()].flatMap((e) => (e.snomed ? [e.snomed.code] : []))],
    ]),
    el('Encounter', 'hospitalization.dischargeDisposition', ['care-discharge-disposition.json'], [...c.care.dischargeDispositions.values()], [
      ['nubcPatientDischarge', [...c.care.dischargeDispositions.values()].map((d) => d.code)],
    ]),
    el('AllergyIntolerance', 'code', ['allergies.json'], c.medications.allergies, (['rxnorm', 'snomed'] as const).map((s) => [s, c.medications.allergies.filter((a) => a.system === s).map((a) => a.code)])),
    el('AllergyIntolerance', 'reaction.manifestation', ['allergies.json'], [...c.medications.manifestations.values()], [['snomed', [...c.medications.manifestations.values()].map((m) => m.code)]]),
    el('Goal', 'target.measure, target.detailQuantity.code', ['planning-goals.json'], [...c.planning.goals.values()], [
      ['loinc', [...c.planning.goals.values()].map((g) => g.measure.code)],
      ['ucum', [...c.planning.goals.values()].flatMap((g) => (g.detail ? [g.detail.ucum] : []))],
    ]),
    el('CareTeam', 'participant.role', ['planning-careteam-roles.json'], [...c.planning.careTeamRoles.values()], [['snomed', [...c.planning.careTeamRoles.values()].map((r) => r.code)]]),
    el('DocumentReference', 'type', ['planning-notes.json'], [...c.planning.noteTypes.values()], [['loinc', [...c.planning.noteTypes.values()].map((n) => n.code)]]),
    el('DiagnosticReport (note)', 'code', ['planning-reports.json'], [...c.planning.reports.values()], [['loinc', [...c.planning.reports.values()].map((r) => r.code.code)]]),
    el('Device', 'type', ['care-implants.json'], [...c.care.implantsByPcs.values()], [['snomed', [...c.care.implantsByPcs.values()].map((i) => i.snomed.code)]]),
    el('PractitionerRole', 'code', ['care-practitioner-roles.json'], [...c.care.practitionerRoles.values()], [['snomed', [...c.care.practitionerRoles.values()].map((r) => r.snomed.code)]]),
    el('Practitioner, Organization, PractitionerRole', 'qualification.code, specialty, EOB careTeam.qualification', ['nucc-taxonomy.json'], maps.taxonomy, [['nucc', maps.taxonomy.map((t) => t.code)]]),
    ...[...maps.tables].map(([name, t]) => el(tableResource(name), `tables.json: ${name}`, ['tables.json'], [t], [[t.system as SystemName, t.codes.map((x) => x.code)]])),
  ];

  const crosswalks: Crosswalk[] = [
    crosswalk('SNOMED CT condition ↔ billable ICD-10-CM (hand-paired; no UMLS map used)', 'SNOMED CT', 'ICD-10-CM', 'catalog/conditions.json', conditions.flatMap((r) => r.icd10cm.map((i) => ({ from: r.snomed.code, fromDisplay: r.snomed.display, to: i.code, toDisplay: i.display })))),
    crosswalk('RxNorm ↔ NDC package', 'RxNorm', 'NDC', 'catalog/drugs.json', drugs.map((d) => ({ from: d.rxnorm.code, fromDisplay: d.rxnorm.display, to: d.ndc.code, toDisplay: d.ndc.display }))),
    crosswalk('LOINC lab test ↔ UCUM unit', 'LOINC', 'UCUM', 'labs.json, catalog/labs.json', analytes.map((a) => ({ from: a.loinc.code, fromDisplay: a.loinc.display, to: a.unit.code, toDisplay: a.unit.display }))),
    crosswalk('LOINC vital sign ↔ UCUM unit', 'LOINC', 'UCUM', 'vitals.json', vitals.flatMap((v) => (v.unit ? [{ from: v.loinc.code, fromDisplay: v.loinc.display, to: v.unit.code, toDisplay: v.unit.display }] : []))),
    crosswalk('CVX ↔ NDC (vaccine package)', 'CVX', 'NDC', 'immunizations.json', vaccines.flatMap((v) => (v.ndc ? [{ from: v.cvx.code, fromDisplay: v.cvx.display, to: v.ndc.code, toDisplay: v.ndc.display }] : []))),
    crosswalk('Claim procedure code ↔ SNOMED CT procedure', 'CPT / HCPCS / ICD-10-PCS', 'SNOMED CT', 'care-procedures.json', careProcedures.flatMap((p) => (p.snomed ? [{ from: `${p.system.toUpperCase()} ${p.code}`, fromDisplay: '', to: p.snomed.code, toDisplay: p.snomed.display }] : []))),
  ];

  const used = new Map<SystemName, string[]>();
  for (const e of elements) for (const s of e.systems) used.set(s.system, [...(used.get(s.system) ?? []), `${e.resource}.${e.element}`]);
  const systems: MappingGuide['systems'] = [
    ...(Object.keys(SYSTEMS) as SystemName[]).map((key) => ({ key, uri: SYSTEMS[key], name: systemName(key), elements: used.get(key) ?? [] })),
    ...OTHER_SYSTEMS.map((s) => ({ ...s, elements: [...s.elements] })),
  ];

  return { elements, crosswalks, systems, notices: readNotices(join(root, 'code-maps', 'LICENSES.md')) };
}

function loincItemsOf(instrument: object): string[] {
  // Every LOINC code anywhere in the instrument: items, totals, answers (LA codes are LOINC answer codes).
  const codes: string[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const code = (v as { code?: unknown }).code;
      if (typeof code === 'string' && /^(LA)?\d{1,7}-\d$/.test(code)) codes.push(code);
      Object.values(v).forEach(walk);
    }
  };
  walk(instrument);
  return codes;
}

function groupBySystem(rows: { system: SystemName; code: string }[]): [SystemName, string[]][] {
  const by = new Map<SystemName, string[]>();
  for (const r of rows) by.set(r.system, [...(by.get(r.system) ?? []), r.code]);
  return [...by];
}

function tableResource(name: string): string {
  if (['race', 'ethnicity', 'language'].includes(name)) return 'Patient';
  if (['subscriber-relationship', 'coverage-type', 'subscriber-role'].includes(name)) return 'Coverage';
  return 'ExplanationOfBenefit';
}

function sourcesOf(rows: readonly Row[]): { source: string; rows: number }[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.source, (counts.get(r.source) ?? 0) + 1);
  return [...counts].map(([source, n]) => ({ source, rows: n })).sort((a, b) => b.rows - a.rows || a.source.localeCompare(b.source));
}

function crosswalk(title: string, from: string, to: string, file: string, rows: Crosswalk['examples']): Crosswalk {
  const seen = new Map<string, Crosswalk['examples'][number]>();
  for (const r of rows) if (!seen.has(`${r.from}|${r.to}`)) seen.set(`${r.from}|${r.to}`, r);
  return { title, from, to, file, pairs: seen.size, examples: [...seen.values()].slice(0, 5) };
}

/** The rows of the notices table in code-maps/LICENSES.md (| code set | owner | status |). */
function readNotices(file: string): Notice[] {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('|'));
  return lines.slice(2).map((l) => {
    const cells = l.split(/(?<!\\)\|/).slice(1, -1).map((x) => x.trim());
    return { codeSet: cells[0] ?? '', owner: cells[1] ?? '', status: cells[2] ?? '' };
  });
}
