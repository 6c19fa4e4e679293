import type { Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { buildUsCoreCarePlan } from './care-plan.js';
import { buildUsCoreCareTeam } from './care-team.js';
import { buildReportDocument, buildReportImpression, buildReportMedia, buildUsCoreDiagnosticReportNote } from './diagnostic-report-note.js';
import { buildPathologyResources } from './diagnostic-report-pathology.js';
import { buildNoteBinary, buildUsCoreDocumentReference } from './document-reference.js';
import { buildUsCoreGoal } from './goal.js';

/** The planning domain's US Core resources of one member, in load order (referenced resources first). */
export function buildPlanningResources(story: MemberStory, ctx: BuildContext): Resource[] {
  const { carePlan, notes, reports, pathology } = story.clinical.planning;
  const out: Resource[] = [];
  if (carePlan) {
    out.push(buildUsCoreCareTeam(story, carePlan, ctx));
    for (const goal of carePlan.goals) out.push(buildUsCoreGoal(story, goal, ctx));
    out.push(buildUsCoreCarePlan(story, carePlan, ctx));
  }
  for (const note of notes) {
    const binary = buildNoteBinary(story, note, ctx);
    if (binary) out.push(binary);
    out.push(buildUsCoreDocumentReference(story, note, ctx));
  }
  for (const r of reports) {
    const media = buildReportMedia(story, r, ctx);
    if (media) out.push(media);
    const [binary, document] = buildReportDocument(story, r, ctx);
    out.push(...(binary ? [binary] : []), buildReportImpression(story, r, ctx), buildUsCoreDiagnosticReportNote(story, r, ctx), ...(document ? [document] : []));
  }
  for (const p of pathology) out.push(...buildPathologyResources(story, p, ctx));
  return out;
}
