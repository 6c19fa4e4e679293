/**
 * Code system and identifier system URIs, exactly as the CARIN BB 2.0.0, US Core, Plan-Net, US Drug
 * Formulary and PDex value sets name them; the builders and the mapping guide read them from here.
 * Codes themselves live in code-maps/; only the system URIs are here.
 */
const C4BB_CS = 'http://hl7.org/fhir/us/carin-bb/CodeSystem';
const THO_CS = 'http://terminology.hl7.org/CodeSystem';
const PLAN_NET_CS = 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem';
const USDF_CS = 'http://hl7.org/fhir/us/davinci-drug-formulary/CodeSystem';
const PDEX_CS = 'http://hl7.org/fhir/us/davinci-pdex/CodeSystem';

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
  // medications domain (US Core MedicationRequest, Immunization, AllergyIntolerance)
  v3ActReason: `${THO_CS}/v3-ActReason`,
  medicationRequestCategory: `${THO_CS}/medicationrequest-category`,
  allergyClinical: `${THO_CS}/allergyintolerance-clinical`,
  allergyVerification: `${THO_CS}/allergyintolerance-verification`,
  relatedClaimRelationship: `${THO_CS}/ex-relatedclaimrelationship`,
  raceEthnicity: 'urn:oid:2.16.840.1.113883.6.238',
  language: 'urn:ietf:bcp:47',
  // social domain (US Core Patient extensions, social-history and survey observations); shared category systems
  observationCategory: `${THO_CS}/observation-category`,
  usCoreCategory: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-category',
  nullFlavor: `${THO_CS}/v3-NullFlavor`,
  tribalEntityUs: `${THO_CS}/v3-TribalEntityUS`,
  odh: `${THO_CS}/PHOccupationalDataForHealthODH`,
  // CARIN BB code systems
  c4bbAdjudication: `${C4BB_CS}/C4BBAdjudication`,
  c4bbAdjudicationDiscriminator: `${C4BB_CS}/C4BBAdjudicationDiscriminator`,
  c4bbPayerAdjudicationStatus: `${C4BB_CS}/C4BBPayerAdjudicationStatus`,
  c4bbSupportingInfoType: `${C4BB_CS}/C4BBSupportingInfoType`,
  c4bbCompoundLiteral: `${C4BB_CS}/C4BBCompoundLiteral`,
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
  // planning domain (care plans, notes, provenance)
  usCoreCarePlanCategory: 'http://hl7.org/fhir/us/core/CodeSystem/careplan-category',
  usCoreDocumentReferenceCategory: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category',
  usCoreProvenanceParticipantType: 'http://hl7.org/fhir/us/core/CodeSystem/us-core-provenance-participant-type',
  provenanceParticipantType: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  iheFormatCode: 'http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode',
  mediaType: 'http://terminology.hl7.org/CodeSystem/media-type',
  documentIdentifier: 'urn:ietf:rfc:3986',
  goalAchievement: 'http://terminology.hl7.org/CodeSystem/goal-achievement',
  // care domain (US Core Encounter, Condition, Procedure, Device, Location, PractitionerRole)
  conditionCategory: `${THO_CS}/condition-category`,
  usCoreConditionCategory: 'http://hl7.org/fhir/us/core/CodeSystem/condition-category',
  conditionClinical: `${THO_CS}/condition-clinical`,
  conditionVerStatus: `${THO_CS}/condition-ver-status`,
  v3ParticipationType: `${THO_CS}/v3-ParticipationType`,
  nubcPatientDischarge: 'http://www.nubc.org/patient-discharge',
  endpointConnectionType: `${THO_CS}/endpoint-connection-type`,
  endpointPayloadType: `${THO_CS}/endpoint-payload-type`,
  sopt: 'https://nahdo.org/sopt',
  v2DiagnosticService: `${THO_CS}/v2-0074`,
  observationInterpretation: `${THO_CS}/v3-ObservationInterpretation`,
  // fhirseed's own: the run tag on every resource (src/fhir/context.ts) and the PAS item trace numbers
  fhirseedRun: 'urn:fhirseed:run',
  priorAuthTrace: 'urn:fhirseed:prior-auth-trace',
  /** Identifier of a provider-attribution Group: the attributed Organization's id (src/fhir/pdex/attribution.ts). */
  fhirseedAttribution: 'urn:fhirseed:attribution',
  // Plan-Net 1.1.0 (src/fhir/plan-net): its code systems and the ones it binds
  planNetAcceptingPatients: `${PLAN_NET_CS}/AcceptingPatientsCS`,
  planNetAccessibility: `${PLAN_NET_CS}/AccessibilityCS`,
  planNetOrgType: `${PLAN_NET_CS}/OrgTypeCS`,
  planNetDeliveryMethod: `${PLAN_NET_CS}/DeliveryMethodCS`,
  planNetHealthcareServiceCategory: `${PLAN_NET_CS}/HealthcareServiceCategoryCS`,
  planNetVirtualModalities: `${PLAN_NET_CS}/VirtualModalitiesCS`,
  planNetOrganizationAffiliationRole: `${PLAN_NET_CS}/OrganizationAffiliationRoleCS`,
  planNetProviderRole: `${PLAN_NET_CS}/ProviderRoleCS`,
  planNetEndpointPayloadType: `${PLAN_NET_CS}/EndpointPayloadTypeCS`,
  planNetInsuranceProductType: `${PLAN_NET_CS}/InsuranceProductTypeCS`,
  planNetInsurancePlanType: `${PLAN_NET_CS}/InsurancePlanTypeCS`,
  planNetLanguageProficiency: `${PLAN_NET_CS}/LanguageProficiencyCS`,
  contactEntityType: `${THO_CS}/contactentity-type`,
  uspsState: 'https://www.usps.com/',
  serviceType: `${THO_CS}/service-type`,
  benefitCategory: `${THO_CS}/ex-benefitcategory`,
  iso4217: 'urn:iso:std:iso:4217',
  insurancePlanType: `${THO_CS}/insurance-plan-type`,
  v2Degree: `${THO_CS}/v2-0360`,
  // US Drug Formulary 2.0.1 (src/fhir/formulary)
  usdfDrugTier: `${USDF_CS}/usdf-DrugTierCS-TEMPORARY-TRIAL-USE`,
  usdfPharmacyBenefitType: `${USDF_CS}/usdf-PharmacyBenefitTypeCS-TEMPORARY-TRIAL-USE`,
  usdfBenefitCostType: `${USDF_CS}/usdf-BenefitCostTypeCS-TEMPORARY-TRIAL-USE`,
  usdfCostShareOption: `${USDF_CS}/usdf-CostShareOptionCS-TEMPORARY-TRIAL-USE`,
  usdfInsuranceItemType: `${USDF_CS}/usdf-InsuranceItemTypeCS`,
  // PDex 2.0.0 prior authorization and provenance (src/fhir/pdex), X12 code systems as PDex and its examples name them
  x12LevelOfServiceCode: 'https://codesystem.x12.org/005010/1338',
  x12ServiceType: 'https://x12.org/codes/service-type-codes',
  x12ActionCode: 'https://codesystem.x12.org/005010/306',
  x12EntityIdentifier: 'https://codesystem.x12.org/005010/98',
  pdexAdjudicationDiscriminator: `${PDEX_CS}/PDexAdjudicationDiscriminator`,
  pdexPriorAuthorizationValueCodes: `${PDEX_CS}/PriorAuthorizationValueCodes`,
  pdexProvenancePayerDataSource: `${PDEX_CS}/ProvenancePayerDataSource`,
} as const;

/** The Plan-Net code systems (`planNet…` keys), which planNetCoding takes by key. */
export type PlanNetSystemName = Extract<keyof typeof SYSTEMS, `planNet${string}`>;

export type SystemName = keyof typeof SYSTEMS;
