import type { ExplanationOfBenefit, ExplanationOfBenefitItem } from '@medplum/fhirtypes';
import type { ClaimFact, LineFact, MemberStory } from '../../story/types.js';
import { ref, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { tableConcept } from './codings.js';
import { concept } from './codings.js';
import { careTeam, denialAdjudication, eobBase, item, lineAdjudication, networkStatus, SupportingInfo } from './eob-common.js';

/** C4BB ExplanationOfBenefit Pharmacy 2.0.0: one fill, NDC on the line, NCPDP fields as supportingInfo. */
export function buildC4bbEobPharmacy(story: MemberStory, claim: ClaimFact, ctx: BuildContext): ExplanationOfBenefit {
  const rx = claim.pharmacy;
  if (!rx) throw new Error(`pharmacy claim ${claim.claimNumber} has no pharmacy facts`);
  const maps = ctx.codeMaps;
  const info = new SupportingInfo()
    .add('dayssupply', { valueQuantity: { value: rx.daysSupply, unit: 'days', system: SYSTEMS.ucum, code: 'd' } })
    .add('dawcode', { code: tableConcept(maps, 'daw', rx.dawCode) })
    .add('refillnum', { valueQuantity: { value: rx.refillNumber } })
    .add('refillsauthorized', { valueQuantity: { value: rx.refillsAuthorized } })
    .add('brandgenericindicator', { code: tableConcept(maps, 'brand-generic', rx.brandGeneric) })
    .add('rxorigincode', { code: tableConcept(maps, 'rx-origin', rx.rxOrigin) })
    .add('compoundcode', { code: tableConcept(maps, 'compound', rx.compound) })
    .add('clmrecvddate', { timingDate: claim.received });
  return {
    ...eobBase(story, claim, ctx, 'C4BB-ExplanationOfBenefit-Pharmacy', { code: 'pharmacy' }, ref('Organization', claim.billingProviderId)),
    ...(claim.prescriberId ? { careTeam: careTeam([{ practitionerId: claim.prescriberId, role: 'prescribing' }], ctx) } : {}),
    supportingInfo: info.entries,
    item: claim.lines.map((line) => ({
      ...item(line, { adjudication: [...lineAdjudication(line.amounts, claim.payee), ...denialAdjudication(line, true)] }, 'date'),
      ...(line.ingredients?.length ? compoundItem(line.ingredients) : {}),
    })),
    adjudication: [networkStatus('billingnetworkstatus', claim.network), networkStatus('benefitpaymentstatus', claim.network)],
  };
}

/** A compound (NCPDP compound code 2): the line is the literal 'compound', its ingredients the details. */
function compoundItem(ingredients: NonNullable<LineFact['ingredients']>): Pick<ExplanationOfBenefitItem, 'productOrService' | 'detail'> {
  return {
    productOrService: concept('c4bbCompoundLiteral', 'compound', 'Compound'),
    detail: ingredients.map((ing, i) => ({
      sequence: i + 1,
      productOrService: concept('ndc', ing.ndc, ing.display),
      quantity: ing.unit === 'mL'
        ? { value: ing.quantity, unit: 'mL', system: SYSTEMS.ucum, code: 'mL' }
        : { value: ing.quantity, unit: 'each', system: SYSTEMS.ucum, code: '1' },
    })),
  };
}
