import type { DenialRow } from '../../codemaps/types.js';
import type { LineToPrice } from '../adjudication.js';
import type { ClaimFact, LineFact } from '../types.js';

/** A line before adjudication: what was done, and how to price it. */
export type DraftLine = Omit<LineFact, 'amounts' | 'denial' | 'sequence'> & { price: LineToPrice; denialReason?: DenialRow };

/** A claim before adjudication, dates after service and numbering: the claim's facts, with draft lines. */
export type ClaimDraft = Omit<
  ClaimFact,
  'ordinal' | 'claimNumber' | 'received' | 'adjudicated' | 'paymentDate' | 'outcome' | 'payee' | 'totals' | 'lines' | 'replaces' | 'processNote'
> & {
  lines: DraftLine[];
  /** Set by the coverage plan: this claim must survive, and it may be made a corrected claim. */
  forced?: boolean;
};
