import type { CodeMapReader } from './load.js';
import { loadCareCodeMaps, type CareCodeMaps } from './clinical-care.js';
import { loadLabsVitalsCodeMaps, type LabsVitalsCodeMaps } from './clinical-labs-vitals.js';
import { loadMedicationCodeMaps, type MedicationCodeMaps } from './clinical-medications.js';
import { loadPlanningCodeMaps, type PlanningCodeMaps } from './clinical-planning.js';
import { loadSocialCodeMaps, type SocialCodeMaps } from './clinical-social.js';
import type { ClaimsCodeMaps } from './types.js';

/** The clinical code tables, one module per domain, each checking its own rows. */
export interface ClinicalCodeMaps {
  care: CareCodeMaps;
  labsVitals: LabsVitalsCodeMaps;
  medications: MedicationCodeMaps;
  planning: PlanningCodeMaps;
  social: SocialCodeMaps;
}

export function loadClinicalCodeMaps(reader: CodeMapReader, claims: ClaimsCodeMaps): ClinicalCodeMaps {
  return {
    care: loadCareCodeMaps(reader, claims),
    labsVitals: loadLabsVitalsCodeMaps(reader, claims),
    medications: loadMedicationCodeMaps(reader, claims),
    planning: loadPlanningCodeMaps(reader, claims),
    social: loadSocialCodeMaps(reader, claims),
  };
}
