/**
 * Code system and identifier system URIs, exactly as the CARIN BB 2.0.0 and US Core value sets
 * name them. Codes themselves live in code-maps/; only the system URIs are here.
 */
const C4BB_CS = 'http://hl7.org/fhir/us/carin-bb/CodeSystem';
const THO_CS = 'http://terminology.hl7.org/CodeSystem';

export const SYSTEMS = {
  // clinical and claim code sets
  snomed: 'http://snomed.info/sct',
  icd10cm: 'http://hl7.org/fhir/sid/icd-10-cm',
  icd10pcs: 'http://www.cms.gov/Medicare/Coding/ICD10',
  rxnorm: 'http://www.nlm.nih.gov/research/umls/rxnorm',
  ndc: 'http://hl7.org/fhir/sid/ndc',
  loinc: 'http://loinc.org',
  cvx: 'http://hl7.org/fhir/sid/cvx',
  ucum: 'http://unitsofmeasure.org',
  cpt: 'http://www.ama-assn.org/go/cpt',
  hcpcs: 'https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets',
  cdt: 'http://www.ada.org/cdt',
  msDrg: 'https://www.cms.gov/Medicare/Medicare-Fee-for-Service-Payment/AcuteInpatientPPS/MS-DRG-Classifications-and-Software',
  revenue: 'https://www.nubc.org/CodeSystem/RevenueCodes',
  typeOfBill: 'https://www.nubc.org/CodeSystem/TypeOfBill',
  pointOfOrigin: 'https://www.nubc.org/CodeSystem/PointOfOrigin',
  admissionType: 'https://www.nubc.org/CodeSystem/PriorityTypeOfAdmitOrVisit',
  dischargeStatus: 'https://www.nubc.org/CodeSystem/PatDischargeStatus',
  presentOnAdmission: 'https://www.nubc.org/CodeSystem/PresentOnAdmissionIndicator',
  placeOfService: 'https://www.cms.gov/Medicare/Coding/place-of-service-codes/Place_of_Service_Code_Set',
  nucc: 'http://nucc.org/provider-taxonomy',
  carc: 'https://x12.org/codes/claim-adjustment-reason-codes',
  ambulanceTransportReason: 'https://x12.org/codesystem.x12.org/ambulance-transport-reason-codes',
  ncpdpDaw: `${THO_CS}/NCPDPDispensedAsWrittenOrProductSelectionCode`,
  ncpdpBrandGeneric: `${THO_CS}/NCPDPBrandGenericIndicator`,
  ncpdpRxOrigin: `${THO_CS}/NCPDPPrescriptionOriginCode`,
  ncpdpCompound: `${THO_CS}/NCPDPCompoundCode`,
  ncpdpReject: `${THO_CS}/NCPDPRejectCode`,
  toothNumber: `${THO_CS}/ADAUniversalToothDesignationSystem`,
  oralArea: `${THO_CS}/ADAAreaOralCavitySystem`,
  // FHIR / HL7 terminology
  adjudication: `${THO_CS}/adjudication`,
  claimType: `${THO_CS}/claim-type`,
  diagnosisType: `${THO_CS}/ex-diagnosistype`,
  careTeamRole: `${THO_CS}/claimcareteamrole`,
  payeeType: `${THO_CS}/payeetype`,
  coverageClass: `${THO_CS}/coverage-class`,
  subscriberRelationship: `${THO_CS}/subscriber-relationship`,
  v2IdentifierType: `${THO_CS}/v2-0203`,
  v3RoleCode: `${THO_CS}/v3-RoleCode`,
  v3ActCode: `${THO_CS}/v3-ActCode`,
  organizationType: `${THO_CS}/organization-type`,
  dataAbsentReason: `${THO_CS}/data-absent-reason`,
  relatedClaimRelationship: `${THO_CS}/ex-relatedclaimrelationship`,
  raceEthnicity: 'urn:oid:2.16.840.1.113883.6.238',
  language: 'urn:ietf:bcp:47',
  // CARIN BB code systems
  c4bbAdjudication: `${C4BB_CS}/C4BBAdjudication`,
  c4bbAdjudicationDiscriminator: `${C4BB_CS}/C4BBAdjudicationDiscriminator`,
  c4bbPayerAdjudicationStatus: `${C4BB_CS}/C4BBPayerAdjudicationStatus`,
  c4bbSupportingInfoType: `${C4BB_CS}/C4BBSupportingInfoType`,
  c4bbIdentifierType: `${C4BB_CS}/C4BBIdentifierType`,
  c4bbInstitutionalClaimSubType: `${C4BB_CS}/C4BBInstitutionalClaimSubType`,
  c4bbClaimCareTeamRole: `${C4BB_CS}/C4BBClaimCareTeamRole`,
  c4bbClaimDiagnosisType: `${C4BB_CS}/C4BBClaimDiagnosisType`,
  c4bbClaimProcedureType: `${C4BB_CS}/C4BBClaimProcedureType`,
  c4bbPayeeType: `${C4BB_CS}/C4BBPayeeType`,
  c4bbSurfaceCodes: `${C4BB_CS}/C4BBSurfaceCodes`,
  c4bbRelatedClaimRelationship: `${C4BB_CS}/C4BBRelatedClaimRelationshipCodes`,
  // identifier systems
  npi: 'http://hl7.org/fhir/sid/us-npi',
  tin: 'urn:oid:2.16.840.1.113883.4.4',
  naic: 'urn:oid:2.16.840.1.113883.6.300',
  mbi: 'http://hl7.org/fhir/sid/us-mbi',
} as const;

export type SystemName = keyof typeof SYSTEMS;
