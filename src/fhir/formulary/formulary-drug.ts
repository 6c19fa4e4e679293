import type { MedicationKnowledge } from '@medplum/fhirtypes';
import type { FormularyEntry } from '../../story/formulary.js';
import { SYSTEMS } from '../../util/systems.js';
import { meta, type BuildContext } from '../context.js';
import { formularyIds, formularyProfile } from './common.js';

/**
 * usdf-FormularyDrug 2.0.1 (MedicationKnowledge): one RxNorm drug of the formulary — the semantic
 * clinical or branded drug (SCD/SBD) of the catalog and its RxNorm dose form as text. The catalog
 * has no dose-form-group concepts (SCDG/SBDG), so that slice is left empty.
 */
export function buildFormularyDrug(entry: FormularyEntry, ctx: BuildContext): MedicationKnowledge {
  return {
    resourceType: 'MedicationKnowledge',
    id: formularyIds.drug(ctx, entry.rxnorm.code),
    meta: meta(ctx, [formularyProfile('usdf-FormularyDrug')]),
    code: { coding: [{ system: SYSTEMS.rxnorm, code: entry.rxnorm.code, display: entry.rxnorm.display }], text: entry.rxnorm.display },
    status: 'active',
    doseForm: { text: entry.doseForm },
  };
}
