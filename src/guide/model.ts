import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeMaps } from '../codemaps/types.js';
import { SYSTEMS, type SystemName } from '../fhir/systems.js';
import { packageRoot } from '../util/paths.js';
import { versionsOf } from './versions.js';

/** One code system an element carries, with how many distinct codes code-maps/ holds for it there and where they come from. */
export interface ElementSystem {
  system: SystemName;
  /** Distinct codes of that system the tables give this element. */
  count: number;
  /**
   * The `source` values of the code-maps rows that give this element a code of this system (a row's source for that
   * system where it names one per system, as catalog/drugs.json does), most frequent first, with how many rows name each.
   */
  sources: { source: string; rows: number }[];
  /**
   * The versions or editions of this system's codes that those sources name (src/guide/versions.ts: ICD-10-CM `FY2025`,
   * LOINC `2.78`…), with how many rows cite each; `not stated` for rows whose source names none.
   */
  versions: { version: string; rows: number }[];
}

/** A coded element of one resource type and where its codes come from. */
export interface CodedElement {
  resource: string;
  /** FHIRPath-like element, e.g. `diagnosis.diagnosisCodeableConcept`. */
  element: string;
  systems: ElementSystem[];
  /** code-maps/ files the codes are drawn from. */
  files: string[];
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
  systems: { key: SystemName; uri: string; name: string; elements: string[] }[];
  notices: Notice[];
}

/**
 * Where the builders write systems whose codes are fixed by the IGs or by fhirseed, not drawn from
 * code-maps/ (so no coded element below finds them): system key → elements.
 */
const FIXED_ELEMENTS: Partial<Record<SystemName, readonly string[]>> = {
  fhirseedRun: ['every resource: meta.tag'],
  v2DiagnosticService: ['DiagnosticReport.category'],
  observationInterpretation: ['Observation.interpretation'],
  x12LevelOfServiceCode: ['ExplanationOfBenefit.extension.valueCodeableConcept'],
  x12ServiceType: ['ExplanationOfBenefit.item.category'],
  x12ActionCode: ['ExplanationOfBenefit.adjudication.extension.extension.valueCodeableConcept', 'ExplanationOfBenefit.item.adjudication.extension.extension.valueCodeableConcept'],
  pdexAdjudicationDiscriminator: ['ExplanationOfBenefit.item.adjudication.category'],
  pdexPriorAuthorizationValueCodes: ['ExplanationOfBenefit.total.category'],
  x12EntityIdentifier: ['ExplanationOfBenefit.item.extension.extension.valueCodeableConcept'],
  planNetAcceptingPatients: ['HealthcareService.extension.extension.valueCodeableConcept', 'Location.extension.extension.valueCodeableConcept', 'PractitionerRole.extension.extension.valueCodeableConcept'],
  planNetAccessibility: ['Location.extension.valueCodeableConcept'],
  planNetOrgType: ['Organization.type'],
  contactEntityType: ['InsurancePlan.contact.purpose', 'Organization.contact.purpose'],
  uspsState: ['Organization.extension.extension.valueCodeableConcept', 'Practitioner.qualification.extension.extension.valueCodeableConcept', 'PractitionerRole.extension.extension.valueCodeableConcept'],
  planNetDeliveryMethod: ['HealthcareService.extension.extension.valueCodeableConcept'],
  planNetHealthcareServiceCategory: ['HealthcareService.category'],
  serviceType: ['HealthcareService.type'],
  planNetVirtualModalities: ['HealthcareService.extension.extension.valueCodeableConcept'],
  planNetOrganizationAffiliationRole: ['OrganizationAffiliation.code'],
  usdfPharmacyBenefitType: ['Basic.extension.valueCodeableConcept', 'InsurancePlan.plan.specificCost.category'],
  usdfDrugTier: ['Basic.extension.valueCodeableConcept', 'InsurancePlan.plan.specificCost.benefit.type'],
  usdfInsuranceItemType: ['Basic.code'],
  planNetProviderRole: ['PractitionerRole.code'],
  planNetEndpointPayloadType: ['Endpoint.payloadType'],
  planNetInsuranceProductType: ['InsurancePlan.type'],
  planNetInsurancePlanType: ['InsurancePlan.plan.type'],
  benefitCategory: ['InsurancePlan.plan.specificCost.category'],
  iso4217: ['InsurancePlan.plan.specificCost.benefit.cost.value'],
  insurancePlanType: ['InsurancePlan.coverage.benefit.type', 'InsurancePlan.plan.type'],
  usdfBenefitCostType: ['InsurancePlan.plan.specificCost.benefit.cost.type'],
  usdfCostShareOption: ['InsurancePlan.plan.specificCost.benefit.cost.qualifiers'],
  v2Degree: ['Practitioner.qualification.code'],
  planNetLanguageProficiency: ['Practitioner.communication.extension.valueCodeableConcept'],
  pdexProvenancePayerDataSource: ['Provenance.entity.extension.valueCodeableConcept'],
  priorAuthTrace: ['ExplanationOfBenefit.item.extension.valueIdentifier (PAS item trace number)'],
  fhirseedAttribution: ['Group.identifier (provider attribution)'],
};

/** Readable names of the systems (a key missing here is shown as itself). */
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
  fhirseedRun: 'fhirseed run tag (the run id, src/fhir/context.ts)',
  v2DiagnosticService: 'HL7 v2 diagnostic service section (table 0074)',
  observationInterpretation: 'HL7 v3 observation interpretation',
  x12LevelOfServiceCode: 'X12 level of service (element 1338: PDex prior authorization level of service)',
  x12ServiceType: 'X12 service type codes (PDex prior authorization item category)',
  x12ActionCode: 'X12 action code (element 306: PDex review action)',
  pdexAdjudicationDiscriminator: 'Da Vinci PDex adjudication discriminator',
  pdexPriorAuthorizationValueCodes: 'Da Vinci PDex prior authorization value codes',
  x12EntityIdentifier: 'X12 entity identifier code (element 98: PAS authorized provider type)',
  planNetAcceptingPatients: 'Plan-Net accepting patients',
  planNetAccessibility: 'Plan-Net accessibility',
  planNetOrgType: 'Plan-Net organization type',
  contactEntityType: 'HL7 contact entity type',
  uspsState: 'USPS state codes (Plan-Net license and qualification state)',
  planNetDeliveryMethod: 'Plan-Net delivery method',
  planNetHealthcareServiceCategory: 'Plan-Net healthcare service category',
  serviceType: 'HL7 service type',
  planNetVirtualModalities: 'Plan-Net virtual modalities',
  planNetOrganizationAffiliationRole: 'Plan-Net organization affiliation role',
  usdfPharmacyBenefitType: 'US Drug Formulary pharmacy benefit type',
  usdfDrugTier: 'US Drug Formulary drug tier',
  usdfInsuranceItemType: 'US Drug Formulary insurance item type',
  planNetProviderRole: 'Plan-Net provider role',
  planNetEndpointPayloadType: 'Plan-Net endpoint payload type',
  planNetInsuranceProductType: 'Plan-Net insurance product type',
  planNetInsurancePlanType: 'Plan-Net insurance plan type',
  benefitCategory: 'HL7 benefit category',
  iso4217: 'ISO 4217 currency codes',
  insurancePlanType: 'HL7 insurance plan type',
  usdfBenefitCostType: 'US Drug Formulary benefit cost type',
  usdfCostShareOption: 'US Drug Formulary cost share option',
  v2Degree: 'HL7 v2 degree/license/certificate (table 0360)',
  planNetLanguageProficiency: 'Plan-Net language proficiency',
  pdexProvenancePayerDataSource: 'Da Vinci PDex provenance payer data source',
  priorAuthTrace: 'fhirseed prior authorization item trace numbers (PAS itemTraceNumber)',
  fhirseedAttribution: 'fhirseed provider attribution (Group identifier: the Organization id)',
  typeOfBill: 'NUBC type of bill',
  pointOfOrigin: 'NUBC point of origin for admission or visit',
  admissionType: 'NUBC priority (type) of admission or visit',
  dischargeStatus: 'NUBC patient discharge status',
  presentOnAdmission: 'NUBC present on admission indicator',
  ambulanceTransportReason: 'X12 ambulance transport reason codes',
  ncpdpDaw: 'NCPDP dispense as written (DAW) / product selection code',
  ncpdpBrandGeneric: 'NCPDP brand/generic indicator',
  ncpdpRxOrigin: 'NCPDP prescription origin code',
  ncpdpCompound: 'NCPDP compound code',
  ncpdpReject: 'NCPDP reject code',
  toothNumber: 'ADA Universal/National tooth designation',
  oralArea: 'ADA area of the oral cavity',
  adjudication: 'HL7 adjudication value codes',
  claimType: 'HL7 claim type',
  diagnosisType: 'HL7 example diagnosis type',
  careTeamRole: 'HL7 claim care team role',
  payeeType: 'HL7 payee type',
  coverageClass: 'HL7 coverage class',
  subscriberRelationship: 'HL7 subscriber relationship',
  v2IdentifierType: 'HL7 v2 identifier type (table 0203)',
  v3RoleCode: 'HL7 v3 RoleCode',
  v3ActCode: 'HL7 v3 ActCode',
  organizationType: 'HL7 organization type',
  dataAbsentReason: 'HL7 data absent reason',
  v3ActReason: 'HL7 v3 ActReason',
  medicationRequestCategory: 'HL7 medication request category',
  allergyClinical: 'HL7 allergy intolerance clinical status',
  allergyVerification: 'HL7 allergy intolerance verification status',
  relatedClaimRelationship: 'HL7 example related claim relationship',
  observationCategory: 'HL7 observation category',
  usCoreCategory: 'US Core category',
  nullFlavor: 'HL7 v3 NullFlavor',
  tribalEntityUs: 'HL7 v3 tribal entity (US)',
  odh: 'CDC Occupational Data for Health (ODH)',
  c4bbAdjudication: 'CARIN BB adjudication',
  c4bbAdjudicationDiscriminator: 'CARIN BB adjudication discriminator',
  c4bbPayerAdjudicationStatus: 'CARIN BB payer adjudication status',
  c4bbSupportingInfoType: 'CARIN BB supporting information type',
  c4bbCompoundLiteral: 'CARIN BB compound literal',
  c4bbIdentifierType: 'CARIN BB identifier type',
  c4bbInstitutionalClaimSubType: 'CARIN BB institutional claim subtype',
  c4bbClaimCareTeamRole: 'CARIN BB claim care team role',
  c4bbClaimDiagnosisType: 'CARIN BB claim diagnosis type',
  c4bbClaimProcedureType: 'CARIN BB claim procedure type',
  c4bbPayeeType: 'CARIN BB payee type',
  c4bbSurfaceCodes: 'CARIN BB tooth surface codes',
  c4bbRelatedClaimRelationship: 'CARIN BB related claim relationship',
  npi: 'National Provider Identifier (NPI, CMS NPPES)',
  tin: 'US taxpayer identification number (IRS)',
  naic: 'NAIC company code',
  mbi: 'Medicare Beneficiary Identifier (MBI)',
  usCoreCarePlanCategory: 'US Core care plan category',
  usCoreDocumentReferenceCategory: 'US Core document reference category',
  usCoreProvenanceParticipantType: 'US Core provenance participant type',
  provenanceParticipantType: 'HL7 provenance participant type',
  iheFormatCode: 'IHE format code',
  mediaType: 'HL7 media type',
  documentIdentifier: 'URI (RFC 3986) document identifier',
  goalAchievement: 'HL7 goal achievement status',
  conditionCategory: 'HL7 condition category',
  usCoreConditionCategory: 'US Core condition category',
  conditionClinical: 'HL7 condition clinical status',
  conditionVerStatus: 'HL7 condition verification status',
  v3ParticipationType: 'HL7 v3 ParticipationType',
  endpointConnectionType: 'HL7 endpoint connection type',
  endpointPayloadType: 'HL7 endpoint payload type',
  sopt: 'Source of Payment Typology (PHDSC)',
};

/** The name shown for a system key. */
export function systemName(key: SystemName): string {
  return NAMES[key] ?? key;
}

type Row = { source: string };

/** The codes of one system that some rows give an element, and the source each of those rows cites for them. */
interface Drawn {
  codes: string[];
  /** One per row that gave at least one code. */
  sources: string[];
}

/** The codes `codesOf` picks from each row, with `sourceOf` of each row that has one (by default its `source`). */
function drawn<T extends Row>(rows: Iterable<T>, codesOf: (row: T) => string | readonly string[] | undefined, sourceOf: (row: T) => string = (row) => row.source): Drawn {
  const out: Drawn = { codes: [], sources: [] };
  for (const row of rows) {
    const codes = codesOf(row);
    const list = codes === undefined ? [] : typeof codes === 'string' ? [codes] : codes;
    if (list.length === 0) continue;
    out.codes.push(...list);
    out.sources.push(sourceOf(row));
  }
  return out;
}

function joined(...parts: Drawn[]): Drawn {
  return { codes: parts.flatMap((p) => p.codes), sources: parts.flatMap((p) => p.sources) };
}

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

  const el = (resource: string, element: string, files: string[], systems: [SystemName, Drawn][]): CodedElement => ({
    resource,
    element,
    files,
    systems: systems
      .map(([system, d]) => {
        const sources = sourcesOf(d.sources);
        return { system, count: new Set(d.codes).size, sources, versions: versionsOf(system, sources) };
      })
      .filter((s) => s.count > 0),
  });
  const visitReasons = [...maps.visitReasons.values()];
  const dental = [...maps.dental.values()];
  const clinicalResults = [...c.labsVitals.clinicalResults.values()];
  const encounterTypes = [...c.care.encounterTypes.values()];
  const discharge = [...c.care.dischargeDispositions.values()];
  const manifestations = [...c.medications.manifestations.values()];
  const goals = [...c.planning.goals.values()];
  const careTeamRoles = [...c.planning.careTeamRoles.values()];
  const noteTypes = [...c.planning.noteTypes.values()];
  const reports = [...c.planning.reports.values()];
  const implants = [...c.care.implantsByPcs.values()];
  const practitionerRoles = [...c.care.practitionerRoles.values()];
  const ofSystem = <T extends Row & { system: string; code: string }>(rows: readonly T[], system: SystemName) => drawn(rows.filter((r) => r.system === system), (r) => r.code);
  const conditionIcd10cm = drawn(conditions, (r) => r.icd10cm.map((i) => i.code));
  const drugRxnorm = drawn(drugs, (d) => d.rxnorm.code, (d) => d.sourceBySystem.rxnorm);
  const drugNdc = drawn(drugs, (d) => d.ndc.code, (d) => d.sourceBySystem.ndc);

  const elements: CodedElement[] = [
    el('Condition', 'code', ['catalog/conditions.json'], [
      ['snomed', drawn(conditions, (r) => r.snomed.code)],
      ['icd10cm', conditionIcd10cm],
    ]),
    el('ExplanationOfBenefit', 'diagnosis.diagnosisCodeableConcept', ['catalog/conditions.json', 'visit-reasons.json'], [
      ['icd10cm', joined(conditionIcd10cm, drawn(visitReasons, (v) => v.icd10cm))],
    ]),
    el('ExplanationOfBenefit', 'procedure.procedureCodeableConcept', ['catalog/icd10pcs.json'], [['icd10pcs', drawn(maps.pcs.values(), (p) => p.code)]]),
    el('ExplanationOfBenefit', 'item.productOrService', ['professional-procedures.json', 'catalog/hcpcs.json', 'dental.json', 'catalog/drugs.json'], [
      ['cpt', ofSystem(procedures, 'cpt')],
      ['hcpcs', ofSystem(procedures, 'hcpcs')],
      ['cdt', drawn(dental, (d) => d.code)],
      ['ndc', drugNdc],
    ]),
    el('ExplanationOfBenefit', 'supportingInfo[drg].code', ['catalog/ms-drg.json'], [['msDrg', drawn(maps.drgs.values(), (g) => g.code)]]),
    el('ExplanationOfBenefit', 'item.adjudication[denialreason].reason', ['denials.json'], [['carc', drawn(maps.denials, (d) => d.carc)]]),
    el('MedicationRequest', 'medicationCodeableConcept', ['catalog/drugs.json'], [
      ['rxnorm', drugRxnorm],
      ['ndc', drugNdc],
    ]),
    el('MedicationDispense', 'medicationCodeableConcept (or Medication.code)', ['catalog/drugs.json'], [
      ['rxnorm', drugRxnorm],
      ['ndc', drugNdc],
    ]),
    el('Immunization', 'vaccineCode', ['immunizations.json'], [
      ['cvx', drawn(vaccines, (v) => v.cvx.code)],
      ['ndc', drawn(vaccines, (v) => v.ndc?.code)],
    ]),
    el('Observation (laboratory)', 'code, valueQuantity.code', ['labs.json', 'catalog/labs.json'], [
      ['loinc', drawn(labs, (l) => l.analytes.map((a) => a.loinc.code))],
      ['ucum', drawn(labs, (l) => l.analytes.map((a) => a.unit.code))],
    ]),
    el('DiagnosticReport (laboratory), ServiceRequest', 'code', ['labs.json', 'catalog/labs.json'], [['loinc', drawn(labs, (l) => l.panel.code)]]),
    el('Specimen', 'type', ['labs.json'], [['snomed', drawn(labs, (l) => l.specimen.code, (l) => l.specimen.source)]]),
    el('Observation (vital signs)', 'code, valueQuantity.code', ['vitals.json'], [
      ['loinc', drawn(vitals, (v) => v.loinc.code)],
      ['ucum', drawn(vitals, (v) => v.unit?.code)],
    ]),
    el('Observation (clinical result)', 'code, valueQuantity.code', ['labs-clinical-results.json'], [
      ['loinc', drawn(clinicalResults, (r) => r.loinc.code)],
      ['ucum', drawn(clinicalResults, (r) => r.quantity?.unit.code)],
    ]),
    el('Observation (screening assessment), QuestionnaireResponse', 'code, item.linkId, valueCodeableConcept', ['social-instruments.json'], [
      ['loinc', drawn(instruments, (i) => [i.panel.code, ...loincItemsOf(i)])],
    ]),
    el('Patient extensions, Observation (social history)', 'valueCodeableConcept, valueCoding', ['social-values.json'], bySystem(socialRows)),
    el('Procedure', 'code', ['care-procedures.json', 'catalog/icd10pcs.json'], [
      ['snomed', drawn(careProcedures, (p) => p.snomed?.code)],
      ...(['cpt', 'hcpcs', 'icd10pcs'] as const).map((s): [SystemName, Drawn] => [s, ofSystem(careProcedures, s)]),
    ]),
    el('Encounter', 'type', ['care-encounter-types.json'], [['snomed', drawn(encounterTypes, (e) => e.snomed?.code)]]),
    el('Encounter', 'hospitalization.dischargeDisposition', ['care-discharge-disposition.json'], [['nubcPatientDischarge', drawn(discharge, (d) => d.code)]]),
    el('AllergyIntolerance', 'code', ['allergies.json'], (['rxnorm', 'snomed'] as const).map((s) => [s, ofSystem(c.medications.allergies, s)])),
    el('AllergyIntolerance', 'reaction.manifestation', ['allergies.json'], [['snomed', drawn(manifestations, (m) => m.code)]]),
    el('Goal', 'target.measure, target.detailQuantity.code', ['planning-goals.json'], [
      ['loinc', drawn(goals, (g) => g.measure.code)],
      ['ucum', drawn(goals, (g) => g.detail?.ucum)],
    ]),
    el('CareTeam', 'participant.role', ['planning-careteam-roles.json'], [['snomed', drawn(careTeamRoles, (r) => r.code)]]),
    el('DocumentReference', 'type', ['planning-notes.json'], [['loinc', drawn(noteTypes, (n) => n.code)]]),
    el('DiagnosticReport (note)', 'code', ['planning-reports.json'], [['loinc', drawn(reports, (r) => r.code.code)]]),
    el('Device', 'type', ['care-implants.json'], [['snomed', drawn(implants, (i) => i.snomed.code)]]),
    el('PractitionerRole', 'code', ['care-practitioner-roles.json'], [['snomed', drawn(practitionerRoles, (r) => r.snomed.code)]]),
    el('Practitioner, Organization, PractitionerRole', 'qualification.code, specialty, EOB careTeam.qualification', ['nucc-taxonomy.json'], [['nucc', drawn(maps.taxonomy, (t) => t.code)]]),
    ...[...maps.tables].map(([name, t]) => el(tableResource(name), `tables.json: ${name}`, ['tables.json'], [[t.system as SystemName, drawn([t], (x) => x.codes.map((y) => y.code))]])),
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
  const systems: MappingGuide['systems'] = (Object.keys(SYSTEMS) as SystemName[]).map((key) => ({
    key,
    uri: SYSTEMS[key],
    name: systemName(key),
    elements: [...(used.get(key) ?? []), ...(FIXED_ELEMENTS[key] ?? [])],
  }));

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

/** Rows that each name their system, grouped by it (in the order the systems first appear). */
function bySystem(rows: readonly (Row & { system: SystemName; code: string })[]): [SystemName, Drawn][] {
  const systems = [...new Set(rows.map((r) => r.system))];
  return systems.map((system) => [system, drawn(rows.filter((r) => r.system === system), (r) => r.code)]);
}

function tableResource(name: string): string {
  if (['race', 'ethnicity', 'language'].includes(name)) return 'Patient';
  if (['subscriber-relationship', 'coverage-type', 'subscriber-role'].includes(name)) return 'Coverage';
  return 'ExplanationOfBenefit';
}

function sourcesOf(sources: readonly string[]): { source: string; rows: number }[] {
  const counts = new Map<string, number>();
  for (const s of sources) counts.set(s, (counts.get(s) ?? 0) + 1);
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
