import { simulateImplants, type ImplantFact } from './care-devices.js';
import { encounterDiagnoses, simulateProblems, type EncounterDiagnosisFact, type ProblemFact } from './care-problems.js';
import { simulateProcedures, type CareProcedureFact } from './care-procedures.js';
import type { ClinicalInput } from './types.js';

export type { EncounterDiagnosisFact, ImplantFact, ProblemFact, CareProcedureFact };

/** The visit backbone of the record: conditions, visit diagnoses, procedures and implants (visits themselves are ClinicalFacts.encounters). */
export interface CareFacts {
  problems: ProblemFact[];
  encounterDiagnoses: EncounterDiagnosisFact[];
  procedures: CareProcedureFact[];
  implants: ImplantFact[];
}

export function simulateCare(input: ClinicalInput): CareFacts {
  const problems = simulateProblems(input);
  const procedures = simulateProcedures(input);
  const implants = simulateImplants(input, procedures);
  return { problems, encounterDiagnoses: encounterDiagnoses(input, problems), procedures, implants };
}
