import type { CareTeam, DocumentReference, Provenance } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { ids } from '../../../src/fhir/context.js';
import { buildPlanningResources } from '../../../src/fhir/us-core/domain-planning.js';
import { buildUsCoreProvenance } from '../../../src/fhir/us-core/provenance.js';
import { simulateMember } from '../../../src/story/simulate.js';
import { coverage } from '../../../src/validate/coverage.js';
import { codeMaps } from '../../helpers/output.js';
import { sharedValidator } from '../../helpers/validator.js';
import { buildContext, defaultStories, directory, profile } from '../../helpers/population.js';

const stories = defaultStories();
const ctx = buildContext;
const build = (version: '6.1.0' | '3.1.1') =>
  stories.flatMap((s) => {
    const own = buildPlanningResources(s, ctx(version));
    return [...own, ...buildUsCoreProvenance(s, own, ctx(version))];
  });
const resources = build('6.1.0');
const MY_PROFILES = ['us-core-careplan', 'us-core-goal', 'us-core-careteam', 'us-core-documentreference', 'us-core-diagnosticreport-note', 'us-core-provenance'];

describe('care plans, goals and care teams', () => {
  it('members with a chronic condition, and only they, have a plan addressing exactly those problems', () => {
    for (const s of stories) {
      const chronic = s.conditions.map((c, i) => ({ c, i })).filter(({ c }) => codeMaps.conditions.get(c.key)!.chronic).map(({ i }) => i);
      const plan = s.clinical.planning.carePlan;
      expect(plan !== undefined).toBe(chronic.length > 0);
      if (!plan) continue;
      expect(plan.conditionIndexes).toEqual(chronic);
      for (const g of plan.goals) {
        expect(s.conditions[g.conditionIndex]!.key).toBe(g.conditionKey);
        if (g.due) expect(g.due > g.start).toBe(true);
        else expect(g.lifecycleStatus).toBe('cancelled');
      }
    }
    expect(stories.filter((s) => s.clinical.planning.carePlan).length).toBeGreaterThan(5);
  });

  it('plan and goal references point at problem Conditions of existing story conditions', () => {
    for (const s of stories) {
      const problems = new Set(s.conditions.map((_, i) => `Condition/${ids.problem(s, i)}`));
      for (const r of buildPlanningResources(s, ctx('6.1.0'))) {
        if (r.resourceType === 'CarePlan') for (const a of r.addresses ?? []) expect(problems.has(a.reference!)).toBe(true);
        if (r.resourceType === 'Goal') for (const a of r.addresses ?? []) expect(problems.has(a.reference!)).toBe(true);
      }
    }
  });

  it('care team practitioners saw the member on a claim; dependents bring their subscriber', () => {
    for (const s of stories) {
      const team = buildPlanningResources(s, ctx('6.1.0')).find((r): r is CareTeam => r.resourceType === 'CareTeam');
      if (!team) continue;
      const claimed = new Set(s.claims.flatMap((c) => [c.renderingPractitionerId, c.attendingPractitionerId]).filter(Boolean).map((p) => `Practitioner/${p}`));
      const members = team.participant!.map((p) => p.member!.reference!);
      for (const m of members.filter((m) => m.startsWith('Practitioner/'))) expect(claimed.has(m)).toBe(true);
      expect(members).toContain(`Patient/${ids.patient(s)}`);
      expect(members.includes(`RelatedPerson/${ids.subscriber(s)}`)).toBe(s.member.relationship !== 'self' && s.member.subscriber !== undefined);
    }
  });
});

describe('notes and report notes', () => {
  const VISIT_NOTE_TYPES = new Set(['11506-3', '11488-4', '18842-5', '34117-2']);
  it('each note belongs to a visit of the member, dated by it, and its text names the member', () => {
    for (const s of stories) {
      for (const r of buildPlanningResources(s, ctx('6.1.0')).filter((x): x is DocumentReference => x.resourceType === 'DocumentReference')) {
        const ordinal = Number(r.context!.encounter![0]!.reference!.split('-enc')[1]);
        const visit = s.clinical.encounters.find((e) => e.ordinal === ordinal)!;
        expect(visit).toBeDefined();
        // A visit note covers the visit; a procedure note, report or pathology document a day within it (a pathology report is signed out after).
        if (VISIT_NOTE_TYPES.has(r.type!.coding![0]!.code!)) expect(r.context!.period).toEqual({ start: visit.start, end: visit.end });
        else expect(r.context!.period!.start! >= visit.start && r.context!.period!.start! <= visit.end).toBe(true);
        const text = Buffer.from(r.content[0]!.attachment.data!, 'base64').toString('utf8');
        expect(text).toContain(s.member.name.family);
        if (visit.kind === 'inpatient' && VISIT_NOTE_TYPES.has(r.type!.coding![0]!.code!)) expect(r.type!.coding![0]!.code).toBe('18842-5');
      }
    }
  });

  it('every report sits on a professional claim line with its code and date', () => {
    let n = 0;
    for (const s of stories) {
      for (const r of s.clinical.planning.reports) {
        const claim = s.claims.find((c) => c.ordinal === r.claimOrdinal)!;
        const line = claim.lines.find((l) => l.sequence === r.lineSequence)!;
        expect(claim.type).toBe('professional');
        expect(line.code.code).toBe(codeMaps.procedures.get(r.procedureKey)!.code);
        expect(line.serviceDate).toBe(r.effective);
        expect(s.clinical.encounters.find((e) => e.ordinal === r.encounterOrdinal)!.claimOrdinals).toContain(claim.ordinal);
        n++;
      }
    }
    expect(n).toBeGreaterThan(0);
  });
});

describe('provenance', () => {
  it("targets the member's Patient and every resource given, with an author and the payer as transmitter", () => {
    const s = stories.find((x) => x.clinical.planning.carePlan)!;
    const own = buildPlanningResources(s, ctx('6.1.0'));
    const [prov] = buildUsCoreProvenance(s, own, ctx('6.1.0')) as [Provenance];
    expect(prov.target.map((t) => t.reference)).toEqual([`Patient/fs-${s.key}`, ...own.map((r) => `${r.resourceType}/${r.id}`)]);
    expect(prov.agent.map((a) => a.type!.coding![0]!.code)).toEqual(['author', 'transmitter']);
    expect(prov.agent[1]!.who!.reference).toBe(`Organization/${directory.payer.id}`);
    expect(buildUsCoreProvenance(s, [], ctx('6.1.0'))).toEqual([]);
  });
});

describe('code maps against the US Core 6.1.0 package', () => {
  it('note types and report categories are in the value sets the profiles bind', async () => {
    const validator = await sharedValidator();
    const usCore = validator.packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const codesOf = (id: string) => {
      const vs = usCore.resources.find((r) => r.resourceType === 'ValueSet' && r.id === id) as { compose: { include: { concept?: { code: string }[] }[] } };
      return new Set(vs.compose.include.flatMap((i) => (i.concept ?? []).map((c) => c.code)));
    };
    const noteTypes = codesOf('us-core-clinical-note-type');
    // US Core Clinical Notes guidance: the value set's five notes and three report narratives (imaging, laboratory, pathology).
    const reportNarratives = new Set(['18748-4', '11502-2', '11526-1']);
    const planning = codeMaps.clinical.planning;
    for (const row of planning.noteTypes.values()) expect(noteTypes.has(row.code) || reportNarratives.has(row.code), row.code).toBe(true);
    for (const row of planning.reports.values()) if (row.document) expect(reportNarratives.has(row.document.code), row.document.code).toBe(true);
    expect(reportNarratives.has(planning.pathology.document.code)).toBe(true);
    const categories = codesOf('us-core-diagnosticreport-category');
    for (const row of [...planning.reports.values(), planning.pathology]) expect(categories.has(row.category.code), row.category.code).toBe(true);
  }, 60_000);
});

describe('determinism and validation', () => {
  it('the same profile builds the same bytes', () => {
    const again = Array.from({ length: profile.members }, (_, i) => simulateMember({ profile, codeMaps, directory }, i));
    expect(JSON.stringify(again.map((s) => s.clinical.planning))).toBe(JSON.stringify(stories.map((s) => s.clinical.planning)));
  });

  it('validate against US Core 6.1.0 with no errors (references to other domains aside)', async () => {
    const validator = await sharedValidator();
    const errors = validator.validate(resources).filter((i) => i.severity === 'error' && !/does not resolve/.test(i.message));
    expect(errors.slice(0, 5)).toEqual([]);
  }, 60_000);

  it('fill every must-support element of the planning profiles', async () => {
    const validator = await sharedValidator();
    const usCore = validator.packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const byName = new Map(coverage(resources, usCore, validator).profiles.map((p) => [p.profile.split('/').pop(), p]));
    for (const id of MY_PROFILES) expect([id, byName.get(id)?.resources! > 0, byName.get(id)?.missing]).toEqual([id, true, []]);
  }, 60_000);
});
