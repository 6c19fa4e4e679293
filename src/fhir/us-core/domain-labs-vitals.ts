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
  return [...labsVitalsResources(story, ctx)];
}

/**
 * buildLabsVitalsResources one resource at a time, for a caller that renders each as it comes (two thirds of a
 * member's resources are this domain's: src/output/member-builder.ts; issue 13).
 */
export function* labsVitalsResources(story: MemberStory, ctx: BuildContext): Generator<Resource, void, void> {
  const facts = story.clinical.labsVitals;
  const v6 = ctx.usCoreVersion === '6.1.0';
  for (const order of facts.labs) {
    if (v6) {
      yield buildUsCoreServiceRequest(story, order, ctx);
      yield buildUsCoreSpecimen(story, order, ctx);
    }
    for (const result of order.results) yield buildUsCoreObservationLab(story, order, result, ctx);
    const [binary, document] = buildLabReportDocument(story, order, ctx);
    if (binary) yield binary;
    yield buildUsCoreDiagnosticReportLab(story, order, ctx);
    if (document) yield document;
  }
  if (v6) for (const result of facts.clinicalResults) yield buildUsCoreObservationClinicalResult(story, result, ctx);
  for (const vitals of facts.vitals) yield* vitalsOf(story, vitals, ctx);
}

function vitalsOf(story: MemberStory, vitals: VitalsFact, ctx: BuildContext): Resource[] {
  return VITAL_BUILDERS.map((build) => build(story, vitals, ctx)).filter((r): r is NonNullable<typeof r> => r !== undefined);
}
