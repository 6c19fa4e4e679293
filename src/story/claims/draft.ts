import type { DenialRow } from '../../codemaps/types.js';
import type { ClaimType } from '../../profile/types.js';
import type { LineToPrice } from '../adjudication.js';
import type {
  ClaimFact, DiagnosisFact, InstitutionalFacts, IsoDate, LineFact, OralFacts, PharmacyFacts, ProcedureFact,
} from '../types.js';

/** A line before adjudication: what was done, and how to price it. */
export type DraftLine = Omit<LineFact, 'amounts' | 'denial' | 'sequence'> & { price: LineToPrice; denialReason?: DenialRow };

/** A claim before adjudication, dates after service and numbering. */
export interface ClaimDraft {
  type: ClaimType;
  coverageOrdinal: number;
  serviceStart: IsoDate;
  serviceEnd: IsoDate;
  billingProviderId: string;
  facilityId?: string;
  renderingPractitionerId?: string;
  attendingPractitionerId?: string;
  referringPractitionerId?: string;
  operatingPractitionerId?: string;
  prescriberId?: string;
  network: ClaimFact['network'];
  diagnoses: DiagnosisFact[];
  procedures: ProcedureFact[];
  lines: DraftLine[];
  institutional?: InstitutionalFacts;
  pharmacy?: PharmacyFacts;
  oral?: OralFacts;
  /** Set by the coverage plan: this claim must survive, and it may be made a corrected claim. */
  forced?: boolean;
}
