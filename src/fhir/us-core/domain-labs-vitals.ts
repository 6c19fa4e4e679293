import type { Resource } from '@medplum/fhirtypes';
import type { VitalsFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { buildUsCoreBloodPressure } from './blood-pressure.js';
import { buildUsCoreBmi } from './bmi.js';
import { buildUsCoreBodyHeight } from './body-height.js';
import { buildUsCoreBodyTemperature } from './body-temperature.js';
import { buildUsCoreBodyWeight } from './body-weight.js';
import { buildLabReportDocument, buildUsCoreDiagnosticReportLab } from './diagnostic-report-lab.js';
import { buildUsCoreHeadCircumference } from './head-circumference.js';
import { buildHeadCircumferencePercentile } from './head-occipital-frontal-circumference-percentile.js';
import { buildUsCoreHeartRate } from './heart-rate.js';
import { buildUsCoreObservationClinicalResult } from './observation-clinical-result.js';
import { buildUsCoreObservationLab } from './observation-lab.js';
import { buildPediatricBmiForAge } from './pediatric-bmi-for-age.js';
import { buildPediatricWeightForHeight } from './pediatric-weight-for-height.js';
import { buildUsCorePulseOximetry } from './pulse-oximetry.js';
import { buildUsCoreRespiratoryRate } from './respiratory-rate.js';
import { buildUsCoreServiceRequest } from './service-request.js';
import { buildUsCoreSpecimen } from './specimen.js';

const VITAL_BUILDERS = [
  buildUsCoreBloodPressure, buildUsCoreHeartRate, buildUsCoreRespiratoryRate, buildUsCoreBodyTemperature, buildUsCoreBodyHeight,
  buildUsCoreBodyWeight, buildUsCoreBmi, buildUsCorePulseOximetry, buildUsCoreHeadCircumference, buildPediatricBmiForAge,
  buildPediatricWeightForHeight, buildHeadCircumferencePercentile,
] as const;

/** The labs-vitals domain's US Core resources of one member, in load order (orders before what refers to them). */
export function buildLabsVitalsResources(story: MemberStory, ctx: BuildContext): Resource[] {
  const facts = story.clinical.labsVitals;
  const v6 = ctx.usCoreVersion === '6.1.0';
  const out: Resource[] = [];
  for (const order of facts.labs) {
    if (v6) out.push(buildUsCoreServiceRequest(story, order, ctx), buildUsCoreSpecimen(story, order, ctx));
    for (const result of order.results) out.push(buildUsCoreObservationLab(story, order, result, ctx));
    const [binary, document] = buildLabReportDocument(story, order, ctx);
    out.push(...(binary ? [binary] : []), buildUsCoreDiagnosticReportLab(story, order, ctx), ...(document ? [document] : []));
  }
  if (v6) for (const result of facts.clinicalResults) out.push(buildUsCoreObservationClinicalResult(story, result, ctx));
  for (const vitals of facts.vitals) out.push(...vitalsOf(story, vitals, ctx));
  return out;
}

function vitalsOf(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Resource[] {
  return VITAL_BUILDERS.map((build) => build(story, vitals, ctx)).filter((r): r is NonNullable<typeof r> => r !== undefined);
}
