import { describe, expect, it } from 'vitest';
import type { Definitions } from '../../src/validate/definitions.js';
import { CompiledProfile, lastSegment, parentId } from '../../src/validate/profile.js';
import { Terminology } from '../../src/validate/terminology.js';
import type { ElementDefinition, StructureDefinition } from '../../src/validate/types.js';

/**
 * CompiledProfile rule by rule (issue 19), on a small hand-written snapshot rather than the IG packages, so it
 * runs in milliseconds and Stryker can run it against every mutant of profile.ts: cardinality per parent,
 * fixed and pattern values, each kind of discriminator (pattern, value with its value fixed on the element or one
 * slice down, extension url, required binding, exists, type; two at once), closed slicing, choice types, required
 * bindings on codes and codings, reference targets. The IG-example cases are test/mutation-kill/validator-rules.test.ts.
 */

const el = (id: string, rest: Partial<ElementDefinition> = {}): ElementDefinition => ({ id, path: id.replace(/:[^.]+/g, ''), ...rest });
const one = { min: 1, max: '1' };
const CAT = 'http://example.org/category';
const ref = (...targetProfile: string[]) => [{ code: 'Reference', targetProfile }];

const elements: ElementDefinition[] = [
  el('Obs', { min: 0, max: '*' }),
  el('Obs.status', { ...one, binding: { strength: 'required', valueSet: 'vs-status' } }),
  el('Obs.category', { min: 1, max: '*', slicing: { discriminator: [{ type: 'pattern', path: '$this' }], rules: 'closed' } }),
  el('Obs.category:vital', { min: 1, max: '1', sliceName: 'vital', patternCodeableConcept: { coding: [{ system: CAT, code: 'vital' }] } }),
  el('Obs.category:lab', { min: 0, max: '1', sliceName: 'lab', patternCodeableConcept: { coding: [{ system: CAT, code: 'lab' }] } }),
  el('Obs.code', { ...one, binding: { strength: 'required', valueSet: 'vs-code' } }),
  el('Obs.code.text', { min: 0, max: '1', fixedString: 'Heart rate' }),
  el('Obs.subject', { ...one, type: ref('http://hl7.org/fhir/StructureDefinition/Patient', 'http://example.org/group-profile') }),
  el('Obs.performer', { min: 0, max: '*', type: ref('http://hl7.org/fhir/StructureDefinition/Resource') }),
  el('Obs.focus', { min: 0, max: '*', type: ref('http://example.org/unknown-profile') }),
  el('Obs.effective[x]', { min: 0, max: '1', type: [{ code: 'dateTime' }, { code: 'Period' }] }),
  el('Obs.effective[x]:effectiveDateTime', { min: 0, max: '1', sliceName: 'effectiveDateTime', type: [{ code: 'dateTime' }] }),
  el('Obs.note', { min: 0, max: '2' }),
  el('Obs.note.text', { ...one }),
  el('Obs.extension', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: 'url' }], rules: 'open' } }),
  el('Obs.extension:race', { min: 0, max: '1', sliceName: 'race', type: [{ code: 'Extension', profile: ['http://example.org/race'] }] }),
  // Components: sliced on code.coding.code and code.coding.system together; slice a fixes both on its own
  // elements, slice b fixes its code one nested slice down (as R4 bp does).
  el('Obs.component', {
    min: 0, max: '*',
    slicing: { discriminator: [{ type: 'value', path: 'code.coding.code' }, { type: 'value', path: 'code.coding.system' }], rules: 'open' },
  }),
  el('Obs.component.value[x]', { min: 0, max: '1', type: [{ code: 'Quantity' }, { code: 'string' }] }),
  el('Obs.component:a', { ...one, sliceName: 'a' }),
  el('Obs.component:a.code.coding.code', { ...one, fixedCode: 'A' }),
  el('Obs.component:a.code.coding.system', { ...one, fixedUri: 'http://example.org/sys' }),
  el('Obs.component:b', { min: 0, max: '1', sliceName: 'b' }),
  el('Obs.component:b.code.coding:bcode.code', { ...one, fixedCode: 'B' }),
  el('Obs.component:b.code.coding:bcode.system', { ...one, fixedUri: 'http://example.org/sys' }),
  // Identifiers sliced by a required binding on type, by the presence of period, and by type of value.
  el('Obs.identifier', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: 'type' }], rules: 'open' } }),
  el('Obs.identifier:mrn', { min: 0, max: '1', sliceName: 'mrn' }),
  el('Obs.identifier:mrn.type', { ...one, binding: { strength: 'required', valueSet: 'vs-idtype' } }),
  el('Obs.interpretation', { min: 0, max: '*', slicing: { discriminator: [{ type: 'exists', path: 'text' }], rules: 'open' } }),
  el('Obs.interpretation:texted', { min: 0, max: '1', sliceName: 'texted' }),
  el('Obs.interpretation:texted.text', { ...one }),
  el('Obs.interpretation:bare', { min: 0, max: '1', sliceName: 'bare' }),
  el('Obs.interpretation:bare.text', { min: 0, max: '0' }),
  el('Obs.hasMember', { min: 0, max: '*', slicing: { discriminator: [{ type: 'type', path: '$this' }], rules: 'open' } }),
  el('Obs.hasMember:period', { min: 0, max: '1', sliceName: 'period', type: [{ code: 'Period' }] }),
];

const sd: StructureDefinition = { resourceType: 'StructureDefinition', url: 'http://example.org/obs', name: 'Obs', type: 'Observation', kind: 'resource', snapshot: { element: elements } };
const valueSets: Record<string, unknown> = {
  'vs-status': { compose: { include: [{ system: 'http://example.org/status', concept: [{ code: 'final' }, { code: 'amended' }] }] } },
  'vs-code': { compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '8867-4' }] }, { system: 'http://snomed.info/sct' }] } },
  'vs-idtype': { compose: { include: [{ system: 'http://example.org/idtype', concept: [{ code: 'MR' }] }] } },
};
const defs = {
  structureDefinition: (url: string) => (url === 'http://example.org/group-profile' ? { type: 'Group' } : undefined),
  valueSet: (url: string) => valueSets[url],
  codeSystem: () => undefined,
} as unknown as Definitions;
// Compiled afresh in each test, never at load: Stryker switches a mutant on per test, after the file has loaded.
const compiled = () => new CompiledProfile(sd, defs, new Terminology(defs));

/** A resource that meets the profile. */
function valid(): any {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [{ coding: [{ system: CAT, code: 'vital' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }], text: 'Heart rate' },
    subject: { reference: 'Patient/p1' },
    component: [{ code: { coding: [{ system: 'http://example.org/sys', code: 'A' }] }, valueQuantity: { value: 1 } }],
  };
}

function problems(resource: unknown): string[] {
  const out: string[] = [];
  compiled().check(resource, (path, message) => out.push(`${path}: ${message}`));
  return out;
}

describe('CompiledProfile.check', () => {
  it('should find nothing wrong in a resource that meets the profile', () => {
    expect(problems(valid())).toEqual([]);
    const full = valid();
    full.category.push({ coding: [{ system: CAT, code: 'lab' }] });
    full.note = [{ text: 'one' }, { text: 'two' }];
    full.effectiveDateTime = '2024-01-01';
    full.performer = [{ reference: 'Device/d1' }];
    full.focus = [{ reference: 'Device/d1' }];
    full.subject = { reference: 'https://example.org/fhir/Group/g1/_history/2' };
    full.component.push({ code: { coding: [{ system: 'http://example.org/sys', code: 'B' }] }, valueString: 'x' });
    full.extension = [{ url: 'http://example.org/race', valueString: 'x' }, { url: 'http://example.org/other', valueString: 'y' }];
    expect(problems(full)).toEqual([]);
  });

  it('should check elements whose one check is a min, a pattern, a closed slicing or a reference target, with nothing checked below', () => {
    // The check skips elements with nothing to check along with their subtrees: each of these has exactly one thing.
    const lone: StructureDefinition = {
      ...sd,
      snapshot: {
        element: [
          el('Lone', { min: 0, max: '*' }),
          el('Lone.identifier', { min: 1, max: '*' }),
          el('Lone.category', { min: 0, max: '*', patternCodeableConcept: { coding: [{ system: CAT, code: 'vital' }] } }),
          el('Lone.hasMember', { min: 0, max: '*', slicing: { discriminator: [{ type: 'type', path: '$this' }], rules: 'closed' } }),
          el('Lone.hasMember:period', { min: 0, max: '*', sliceName: 'period', type: [{ code: 'Period' }] }),
          el('Lone.subject', { min: 0, max: '*', type: ref('http://hl7.org/fhir/StructureDefinition/Patient') }),
          el('Lone.basedOn', { min: 0, max: '*', type: [{ code: 'Reference' }] }),
          el('Lone.note', { min: 0, max: '*', type: [{ code: 'Annotation' }] }),
        ],
      },
    };
    const out: string[] = [];
    const profile = new CompiledProfile(lone, defs, new Terminology(defs));
    const fine = { category: [{ coding: [{ system: CAT, code: 'vital' }] }], identifier: [{ value: '1' }], hasMember: [{ start: '2024' }], subject: [{ reference: 'Patient/p' }], basedOn: [{ reference: 'Group/g' }], note: [{}] };
    profile.check(fine, (path, message) => out.push(`${path}: ${message}`));
    expect(out).toEqual([]);
    profile.check({ category: [{ coding: [{ code: 'lab' }] }], hasMember: [{ reference: 'Observation/o' }], subject: [{ reference: 'Group/g' }], basedOn: [{ reference: 'Group/g' }] }, (path, message) =>
      out.push(`${path}: ${message}`),
    );
    expect(out).toEqual([
      'Lone.identifier: 0 present, profile requires at least 1',
      'Lone.category: {"coding":[{"code":"lab"}]} does not match pattern {"coding":[{"system":"http://example.org/category","code":"vital"}]}',
      'Lone.hasMember: {"reference":"Observation/o"} matches no slice of a closed slicing',
      "Lone.subject: reference 'Group/g' points to a Group, allowed: Patient",
    ]);
  });

  it('should report too few and too many, per parent node', () => {
    const r = valid();
    delete r.status;
    r.note = [{ text: 'a' }, { text: 'b' }, {}];
    expect(problems(r)).toEqual(['Obs.status: 0 present, profile requires at least 1', 'Obs.note: 3 present, profile allows at most 2', 'Obs.note.text: 0 present, profile requires at least 1']);
    const none = valid();
    delete none.category;
    expect(problems(none)).toEqual(['Obs.category: 0 present, profile requires at least 1', 'Obs.category:vital: 0 present, profile requires at least 1']);
    const twice = valid();
    twice.code = [twice.code, twice.code];
    expect(problems(twice)).toEqual(['Obs.code: 2 present, profile allows at most 1']);
  });

  it('should count a primitive present only as its _name extension holder, but not for a slice', () => {
    const r = valid();
    delete r.status;
    r._status = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
    expect(problems(r)).toEqual([]);
    r._status = [{ extension: [] }, { extension: [] }];
    expect(problems(r)).toEqual(['Obs.status: 2 present, profile allows at most 1']);
    r.status = 'final';
    expect(problems(r)).toEqual([]);
  });

  it('should not check the children of an element that is absent', () => {
    const r = valid();
    r.note = [];
    expect(problems(r)).toEqual([]);
  });

  it('should report a fixed value that differs and a pattern that is not held', () => {
    const r = valid();
    r.code.text = 'Pulse';
    expect(problems(r)).toEqual(['Obs.code.text: "Pulse" does not match fixed "Heart rate"']);
  });

  it('should match a pattern slice and report a closed slicing member that matches no slice', () => {
    const r = valid();
    r.category = [{ coding: [{ system: CAT, code: 'vital', display: 'Vital' }] }, { coding: [{ system: CAT, code: 'exam' }] }];
    expect(problems(r)).toEqual([`Obs.category: {"coding":[{"system":"${CAT}","code":"exam"}]} matches no slice of a closed slicing`]);
    const long = { coding: [{ system: CAT, code: 'exam' }], text: 'x'.repeat(200) };
    r.category = [{ coding: [{ system: CAT, code: 'vital' }] }, long];
    expect(problems(r)).toEqual([`Obs.category: ${JSON.stringify(long).slice(0, 120)} matches no slice of a closed slicing`]);
    r.category = [{ coding: [{ system: CAT, code: 'lab' }] }, { coding: [{ system: CAT, code: 'lab' }] }];
    expect(problems(r)).toEqual(['Obs.category:vital: 0 present, profile requires at least 1', 'Obs.category:lab: 2 present, profile allows at most 1']);
  });

  it('should match a slice on two value discriminators only when both match, fixed on the slice or one nested slice down', () => {
    const r = valid();
    r.component[0].code.coding[0].system = 'http://example.org/other';
    expect(problems(r)).toEqual(['Obs.component:a: 0 present, profile requires at least 1']);
    const among = valid();
    among.component[0].code.coding.unshift({ system: 'http://example.org/other', code: 'Z' });
    // Still in slice a (some coding matches each discriminator); the slice's fixed values then hold for every coding.
    expect(problems(among)).toEqual([
      'Obs.component:a.code.coding.code: "Z" does not match fixed "A"',
      'Obs.component:a.code.coding.system: "http://example.org/other" does not match fixed "http://example.org/sys"',
    ]);
    const b = valid();
    b.component.push({ code: { coding: [{ system: 'http://example.org/sys', code: 'B' }] } }, { code: { coding: [{ system: 'http://example.org/sys', code: 'B' }] } });
    expect(problems(b)).toEqual(['Obs.component:b: 2 present, profile allows at most 1']);
    const wrongSystem = valid();
    wrongSystem.component.push({ code: { coding: [{ system: 'x', code: 'B' }] } }, { code: { coding: [{ system: 'x', code: 'B' }] } });
    expect(problems(wrongSystem)).toEqual([]);
  });

  it('should match an extension slice by its url', () => {
    const r = valid();
    r.extension = [{ url: 'http://example.org/race', valueString: 'x' }, { url: 'http://example.org/race', valueString: 'y' }, { url: 'http://example.org/other' }];
    expect(problems(r)).toEqual(['Obs.extension:race: 2 present, profile allows at most 1']);
  });

  it('should match a slice told apart by a required binding on the discriminator', () => {
    const r = valid();
    const mr = { type: { coding: [{ system: 'http://example.org/idtype', code: 'MR' }] }, value: '1' };
    r.identifier = [mr, { ...mr, value: '2' }, { type: { coding: [{ system: 'http://example.org/idtype', code: 'XX' }] }, value: '3' }];
    expect(problems(r)).toEqual(['Obs.identifier:mrn: 2 present, profile allows at most 1']);
  });

  it('should match exists slices by the presence or absence of the path', () => {
    const r = valid();
    r.interpretation = [{ text: 'a' }, { text: 'b' }, { coding: [] }];
    expect(problems(r)).toEqual(['Obs.interpretation:texted: 2 present, profile allows at most 1']);
    r.interpretation = [{ coding: [] }, { coding: [] }, { text: 'a' }];
    expect(problems(r)).toEqual(['Obs.interpretation:bare: 2 present, profile allows at most 1']);
  });

  it('should match type slices by the JSON shape of the value', () => {
    const r = valid();
    r.hasMember = [{ start: '2024-01-01' }, { end: '2024-02-01' }, { reference: 'Observation/o' }];
    expect(problems(r)).toEqual(['Obs.hasMember:period: 2 present, profile allows at most 1']);
  });

  it('should report a choice type the element does not allow, on every parent', () => {
    const r = valid();
    r.effectivePeriod = { start: '2024-01-01' };
    r.effectiveInstant = '2024-01-01T00:00:00Z';
    r.effectiveness = 'high';
    r.component[0].valueBoolean = true;
    delete r.component[0].valueQuantity;
    expect(problems(r)).toEqual([
      "Obs.effective[x]: 2 present, profile allows at most 1",
      "Obs.effective[x]: type of 'effectiveInstant' is not allowed here (allowed: effectiveDateTime, effectivePeriod)",
      "Obs.component.value[x]: type of 'valueBoolean' is not allowed here (allowed: valueQuantity, valueString)",
    ]);
  });

  it('should check the allowed types on the choice element, not again on its type slices', () => {
    const r = valid();
    r.effectiveDateTime = '2024-01-01';
    r.effectivePeriod = { start: '2024-01-01' };
    expect(problems(r)).toEqual(['Obs.effective[x]: 2 present, profile allows at most 1']);
  });

  it('should report a bare code and a coding outside a required value set, and take an open system', () => {
    const r = valid();
    r.status = 'finished';
    r.code = { coding: [{ system: 'http://loinc.org', code: '0000-0' }] };
    expect(problems(r)).toEqual([
      "Obs.status: code 'finished' is not in required value set vs-status",
      "Obs.code: code '0000-0' is not in the value set (required binding vs-code)",
    ]);
    const open = valid();
    // A SNOMED CT code of SNOMED's form (Verhoeff check digit: s17 trial U F1) from the value set's open system.
    open.code = { coding: [{ system: 'http://loinc.org', code: '0000-0' }, { system: 'http://snomed.info/sct', code: '22298006' }] };
    expect(problems(open)).toEqual([]);
    const textOnly = valid();
    textOnly.code = { text: 'Heart rate' };
    expect(problems(textOnly)).toEqual([]);
  });

  it('should report a reference to a type the target profiles leave out, and let a Resource or unknown target take any', () => {
    const r = valid();
    r.subject = { reference: 'Device/d1' };
    expect(problems(r)).toEqual(["Obs.subject: reference 'Device/d1' points to a Device, allowed: Patient, Group"]);
    r.subject = { reference: 'urn:uuid:0a0b' };
    expect(problems(r)).toEqual([]);
    r.subject = { display: 'someone' };
    expect(problems(r)).toEqual([]);
    r.subject = { reference: 'Device/d1/_history/3' };
    expect(problems(r)).toEqual(["Obs.subject: reference 'Device/d1/_history/3' points to a Device, allowed: Patient, Group"]);
    r.subject = { reference: 'Device/d1/_history/12' };
    expect(problems(r)).toEqual(["Obs.subject: reference 'Device/d1/_history/12' points to a Device, allowed: Patient, Group"]);
  });
});

describe('CompiledProfile lookups', () => {
  it('should find nodes by element id, slices included', () => {
    const r = valid();
    r.category.push({ coding: [{ system: CAT, code: 'lab' }] });
    const find = compiled().finder(r);
    expect(find('Obs.category:lab')).toEqual([r.category[1]]);
    expect(find('Obs.category')).toEqual(r.category);
    expect(find('Obs.component:a.code.coding.code')).toEqual(['A']);
    expect(find('Obs.code.coding')).toEqual(r.code.coding);
    expect(find('Obs')).toEqual([r]);
  });

  it('should tell whether a primitive carries an extension in its _name holder', () => {
    const r = valid();
    const profile = compiled();
    expect(profile.primitiveExtensionFilled(r, 'Obs.status.extension')).toBe(false);
    r._status = { extension: [{ url: 'http://example.org/race' }] };
    expect(profile.primitiveExtensionFilled(r, 'Obs.status.extension')).toBe(true);
    expect(profile.primitiveExtensionFilled(r, 'Obs.status')).toBe(false);
  });

  it('should split element ids', () => {
    expect(parentId('Obs.component:a.code')).toBe('Obs.component:a');
    expect(lastSegment('Obs.component:a')).toBe('component:a');
  });
});

describe('CompiledProfile.check, more shapes', () => {
  const extra: ElementDefinition[] = [
    el('X', { min: 0, max: '*' }),
    el('X.item', { min: 0, max: '*' }),
    el('X.item.code', { min: 0, max: '1', fixedCode: 'A' }),
    el('X.part', { min: 0, max: '*', slicing: { discriminator: [{ type: 'type', path: '$this' }], rules: 'open' } }),
    ...['Reference', 'CodeableConcept', 'Quantity', 'string', 'boolean', 'Patient', 'Period'].map((code) => el(`X.part:${code}`, { min: 0, max: '1', sliceName: code, type: [{ code }] })),
    el('X.coded', { min: 0, max: '*', binding: { strength: 'required', valueSet: 'vs-code' } }),
    el('X.extension', { min: 0, max: '*', slicing: { discriminator: [{ type: 'profile', path: '$this' }, { type: 'value', path: 'url' }], rules: 'open' } }),
    el('X.extension:race', { min: 0, max: '1', sliceName: 'race', type: [{ code: 'Extension', profile: ['http://example.org/race'] }] }),
    el('X.subject', { min: 0, max: '1', type: ref('http://hl7.org/fhir/StructureDefinition/Patient') }),
    el('X.value[x]', { min: 0, max: '1', type: [{ code: 'string' }] }),
    el('X.flag', { min: 0, max: '*', slicing: { discriminator: [{ type: 'exists', path: 'text' }], rules: 'open' } }),
    el('X.flag:any', { min: 0, max: '1', sliceName: 'any' }),
    el('X.flag:any.text', { min: 0, max: '1' }),
  ];
  const xsd: StructureDefinition = { ...sd, url: 'http://example.org/x', snapshot: { element: extra } };
  const check = (resource: unknown): string[] => {
    const out: string[] = [];
    new CompiledProfile(xsd, defs, new Terminology(defs)).check(resource, (path, message) => out.push(`${path}: ${message}`));
    return out;
  };

  it('should put every node in a slice whose exists discriminator path is optional there', () => {
    expect(check({ flag: [{ text: 'a' }, { text: 'b' }] })).toEqual(['X.flag:any: 2 present, profile allows at most 1']);
  });

  it('should check a fixed value under each of several parents', () => {
    expect(check({ item: [{ code: 'A' }, { code: 'B' }, { code: 'A' }] })).toEqual(['X.item.code: "B" does not match fixed "A"']);
  });

  it('should tell the JSON types apart for type slices', () => {
    const two = <T,>(v: T) => [v, structuredClone(v)];
    const part = [
      ...two({ reference: 'Patient/p' }), { identifier: { value: '1' } },
      ...two({ coding: [] }), ...two({ value: 1, unit: 'mg' }), { value: 1, code: 'mg' },
      ...two('text'), ...two(true), true, ...two({ resourceType: 'Patient' }), ...two({ end: '2024-01-01' }), { value: 1 }, 7,
    ];
    expect(check({ part })).toEqual([
      'X.part:Reference: 3 present, profile allows at most 1',
      'X.part:CodeableConcept: 2 present, profile allows at most 1',
      'X.part:Quantity: 3 present, profile allows at most 1',
      'X.part:string: 2 present, profile allows at most 1',
      'X.part:boolean: 3 present, profile allows at most 1',
      'X.part:Patient: 2 present, profile allows at most 1',
      'X.part:Period: 2 present, profile allows at most 1',
    ]);
  });

  it('should check bare codings against a required binding, and pass over values that are not codings', () => {
    expect(check({ coded: [{ system: 'http://loinc.org', code: '8867-4' }, { system: 'http://loinc.org', code: '0000-0' }, { code: 'x' }, 5, null] })).toEqual([
      "X.coded: code '0000-0' is not in the value set (required binding vs-code)",
      "X.coded: code system '(none)' is not one the value set includes (http://loinc.org, http://snomed.info/sct) (required binding vs-code)",
    ]);
  });

  it('should match on the discriminators it can read when another is a profile discriminator', () => {
    const race = { url: 'http://example.org/race', valueString: 'x' };
    expect(check({ extension: [race, { ...race }, { url: 'http://example.org/other' }] })).toEqual(['X.extension:race: 2 present, profile allows at most 1']);
  });

  it('should read only a whole Type/id reference, and choice keys whose type part starts with a capital', () => {
    expect(check({ subject: { reference: 'Device/d1/more' } })).toEqual([]);
    expect(check({ subject: null })).toEqual([]);
    expect(check({ subject: { reference: 'Device/d1' } })).toEqual(["X.subject: reference 'Device/d1' points to a Device, allowed: Patient"]);
    expect(check({ valuesetCode: 'x', valueString: 'y' })).toEqual([]);
    expect(check({ valueCode: 'x' })).toEqual(["X.value[x]: type of 'valueCode' is not allowed here (allowed: valueString)"]);
  });
});

describe('CompiledProfile coverage helpers', () => {
  const q: StructureDefinition = {
    ...sd,
    url: 'http://example.org/q',
    snapshot: {
      element: [
        el('Q'),
        el('Q.status'),
        el('Q.status.extension'),
        el('Q.status.extension:race', { sliceName: 'race', type: [{ code: 'Extension', profile: ['http://example.org/race|1.0'] }] }),
        el('Q.item', { min: 0, max: '*' }),
        el('Q.item.linkId'),
        el('Q.item.answer'),
        el('Q.item.answer.value[x]'),
        el('Q.item.answer.item', { contentReference: '#Q.item' }),
        el('Q.item.item', { contentReference: 'http://example.org/q#Q.item' }),
        el('Q.other'),
      ],
    },
  };
  const compiledQ = () => new CompiledProfile(q, defs, new Terminology(defs));

  it('should find a value at any depth of a recursive structure, through either loop', () => {
    const p = compiledQ();
    const nested = { item: [{ linkId: '1', item: [{ linkId: '1.1', answer: [{ valueString: 'x' }] }] }] };
    expect(p.recursiveFilled(nested, 'Q.item.answer.value[x]')).toBe(true);
    const viaAnswer = { item: [{ linkId: '1', answer: [{ item: [{ linkId: '1.1', answer: [{ valueBoolean: false }] }] }] }] };
    expect(compiledQ().recursiveFilled(viaAnswer, 'Q.item.answer.value[x]')).toBe(true);
    expect(compiledQ().recursiveFilled({ item: [{ linkId: '1', item: [{ linkId: '1.1', answer: [{ valueString: null }] }] }] }, 'Q.item.answer.value[x]')).toBe(false);
    expect(compiledQ().recursiveFilled({ item: [{ linkId: '1' }] }, 'Q.item.answer.value[x]')).toBe(false);
    expect(compiledQ().recursiveFilled(nested, 'Q.item:slice.answer')).toBe(false);
    expect(compiledQ().recursiveFilled({ other: 'x' }, 'Q.other')).toBe(false);
    expect(compiledQ().recursiveFilled(nested, 'Q.item.linkId')).toBe(true);
  });

  it("should match a primitive's extension slice by its profile url without the version, in any holder", () => {
    const p = compiledQ();
    const race = { url: 'http://example.org/race', valueString: 'x' };
    expect(p.primitiveExtensionFilled({ status: 'final', _status: { extension: [race] } }, 'Q.status.extension:race')).toBe(true);
    expect(p.primitiveExtensionFilled({ _status: [null, 'x', { extension: [{ url: 'http://example.org/other' }, race] }] }, 'Q.status.extension:race')).toBe(true);
    expect(p.primitiveExtensionFilled({ _status: { extension: [{ url: 'http://example.org/other' }] } }, 'Q.status.extension:race')).toBe(false);
    expect(p.primitiveExtensionFilled({ _status: { extension: [{ url: 'http://example.org/other' }] } }, 'Q.status.extension')).toBe(true);
    expect(p.primitiveExtensionFilled({ _status: { id: 'a' } }, 'Q.status.extension')).toBe(false);
    expect(p.primitiveExtensionFilled({ _status: { extension: [race] } }, 'Q.status.extension:race.value[x]')).toBe(false);
    expect(p.primitiveExtensionFilled({ _status: { extension: [race] } }, 'Xstatus.extension')).toBe(false);
    expect(p.primitiveExtensionFilled({ _status: { extension: [race] } }, 'Q.status.extension.url')).toBe(false);
  });

  it('should match an extension slice with several profiles by any of them, and pass over null extensions, items and unknown slices', () => {
    const p = new CompiledProfile(
      { ...sd, url: 'http://example.org/q2', snapshot: { element: [el('Q'), el('Q.status'), el('Q.status.extension:either', { sliceName: 'either', type: [{ code: 'Extension', profile: ['http://example.org/a', 'http://example.org/b|2'] }] })] } },
      defs,
      new Terminology(defs),
    );
    const b = { url: 'http://example.org/b', valueString: 'x' };
    expect(p.primitiveExtensionFilled({ _status: { extension: [null, b] } }, 'Q.status.extension:either')).toBe(true);
    expect(p.primitiveExtensionFilled({ _status: { extension: [{ url: 'http://example.org/c' }] } }, 'Q.status.extension:either')).toBe(false);
    expect(p.primitiveExtensionFilled({ _status: { extension: [b] } }, 'Q.status.extension:unknown')).toBe(false);
    expect(p.primitiveExtensionFilled({ item: [null, 'x', { _linkId: { extension: [b] } }] }, 'Q.item.linkId.extension')).toBe(true);
  });
});

describe('CompiledProfile.check, bindings a slice redefines', () => {
  it('should leave to a slice the nodes of a required-bound element that the slice binds otherwise, and check the rest', () => {
    const S = 'http://example.org/cat';
    const sets: Record<string, unknown> = {
      'vs-a': { compose: { include: [{ system: S, concept: [{ code: 'a' }] }] } },
      'vs-b': { compose: { include: [{ system: S, concept: [{ code: 'b' }] }] } },
      'vs-c': { compose: { include: [{ system: S, concept: [{ code: 'c' }] }] } },
    };
    const bDefs = { structureDefinition: () => undefined, valueSet: (url: string) => sets[url], codeSystem: () => undefined } as unknown as Definitions;
    const slice = (name: string, binding?: ElementDefinition['binding']) => [
      el(`C.item:${name}`, { min: 0, max: '*', sliceName: name }),
      el(`C.item:${name}.code`, { min: 0, max: '1', fixedCode: name }),
      ...(binding ? [el(`C.item:${name}.category`, { min: 0, max: '1', binding })] : []),
    ];
    const elements = [
      el('C', { min: 0, max: '*' }),
      el('C.item', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: 'code' }], rules: 'open' } }),
      el('C.item.code', { min: 0, max: '1' }),
      el('C.item.category', { min: 0, max: '1', binding: { strength: 'required', valueSet: 'vs-a' } }),
      // Rebound to an example set or loosened to extensible on the same set (its nodes are the slice's to judge),
      // bound alike (still checked here), bound required to another set (the slice's), and a slice that says
      // nothing of category (still checked here).
      ...slice('example', { strength: 'example', valueSet: 'vs-b' }),
      ...slice('loose', { strength: 'extensible', valueSet: 'vs-a' }),
      ...slice('same', { strength: 'required', valueSet: 'vs-a' }),
      ...slice('other', { strength: 'required', valueSet: 'vs-c' }),
      ...slice('bare'),
    ];
    const profile = new CompiledProfile({ ...sd, url: 'http://example.org/c', snapshot: { element: elements } }, bDefs, new Terminology(bDefs));
    const item = (code: string, category: string) => ({ code, category: { coding: [{ system: S, code: category }] } });
    const out: string[] = [];
    profile.check({ item: [item('example', 'b'), item('loose', 'w'), item('same', 'x'), item('other', 'c'), item('bare', 'y'), item('none', 'z'), item('same', 'a')] }, (path, message) => {
      if (path === 'C.item.category') out.push(message);
    });
    expect(out).toEqual([
      "code 'x' is not in the value set (required binding vs-a)",
      "code 'y' is not in the value set (required binding vs-a)",
      "code 'z' is not in the value set (required binding vs-a)",
    ]);
  });
});

describe('CompiledProfile slice tests on repeating values', () => {
  it('should put a node in a slice when any of its values matches any nested fixed value or the required binding', () => {
    const ID = 'http://example.org/idtype';
    const elements = [
      el('N', { min: 0, max: '*' }),
      el('N.comp', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: 'code.coding.code' }], rules: 'open' } }),
      el('N.comp:b', { min: 0, max: '1', sliceName: 'b' }),
      el('N.comp:b.code.coding', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: 'code' }], rules: 'open' } }),
      el('N.comp:b.code.coding:one.code', { min: 0, max: '1', fixedCode: 'B1' }),
      el('N.comp:b.code.coding:two.code', { min: 0, max: '1', fixedCode: 'B2' }),
      el('N.ident', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: 'type.coding' }], rules: 'open' } }),
      el('N.ident:mr', { min: 0, max: '1', sliceName: 'mr' }),
      el('N.ident:mr.type.coding', { min: 0, max: '*', binding: { strength: 'required', valueSet: 'vs-idtype' } }),
      el('N.type', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: '$this' }], rules: 'open' } }),
      el('N.type:mr', { min: 0, max: '1', sliceName: 'mr', binding: { strength: 'required', valueSet: 'vs-idtype' } }),
    ];
    const profile = new CompiledProfile({ ...sd, url: 'http://example.org/n', snapshot: { element: elements } }, defs, new Terminology(defs));
    const out: string[] = [];
    const other = { system: ID, code: 'XX' };
    const mr = { system: ID, code: 'MR' };
    profile.check(
      {
        comp: [{ code: { coding: [{ code: 'Z' }, { code: 'B2' }] } }, { code: { coding: [{ code: 'B1' }] } }],
        ident: [{ type: { coding: [other, mr] } }, { type: { coding: [mr] } }],
        type: [{ coding: [other, mr] }, { coding: [mr] }],
      },
      (path, message) => out.push(`${path}: ${message}`),
    );
    expect(out).toEqual([
      'N.comp:b: 2 present, profile allows at most 1',
      'N.ident:mr: 2 present, profile allows at most 1',
      "N.ident:mr.type.coding: code 'XX' is not in the value set (required binding vs-idtype)",
      'N.type:mr: 2 present, profile allows at most 1',
    ]);
  });
});

describe('CompiledProfile value slices it cannot tell apart', () => {
  it('should put every node in a value slice with nothing fixed, bound or typed to tell it by, or only a type profile off the url path', () => {
    const elements = [
      el('E', { min: 0, max: '*' }),
      el('E.extension', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: 'url' }], rules: 'open' } }),
      el('E.extension:notype', { min: 0, max: '*', sliceName: 'notype' }),
      el('E.extension:empty', { min: 0, max: '*', sliceName: 'empty', type: [] }),
      el('E.extension:noprofile', { min: 0, max: '*', sliceName: 'noprofile', type: [{ code: 'Extension' }] }),
      el('E.part', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: 'code' }], rules: 'open' } }),
      el('E.part:s', { min: 0, max: '*', sliceName: 's' }),
      el('E.part:s.code', { min: 0, max: '1' }),
      el('E.part:t', { min: 0, max: '*', sliceName: 't' }),
      // A type profile tells extension slices apart by url only: on another path it tells nothing.
      el('E.part:u', { min: 0, max: '*', sliceName: 'u', type: [{ code: 'Coding', profile: ['http://example.org/u'] }] }),
    ];
    const profile = new CompiledProfile({ ...sd, url: 'http://example.org/e', snapshot: { element: elements } }, defs, new Terminology(defs));
    const r = { extension: [{ url: 'http://example.org/u' }], part: [{ code: 'x' }] };
    const find = profile.finder(r);
    for (const id of ['E.extension:notype', 'E.extension:empty', 'E.extension:noprofile', 'E.extension:unlisted']) expect(find(id)).toEqual(r.extension);
    for (const id of ['E.part:s', 'E.part:t', 'E.part:u']) expect(find(id)).toEqual(r.part);
  });
});

describe('CompiledProfile, shapes the whole-file Stryker run found untested', () => {
  const ID = 'http://example.org/idtype';
  const profileOf = (...elements: ElementDefinition[]) => new CompiledProfile({ ...sd, url: 'http://example.org/s', snapshot: { element: elements } }, defs, new Terminology(defs));
  const checked = (profile: CompiledProfile, resource: unknown): string[] => {
    const out: string[] = [];
    profile.check(resource, (path, message) => out.push(`${path}: ${message}`));
    return out;
  };

  it("should check a sliced element's own binding on all its nodes, not only those its slices' discriminator takes", () => {
    const p = profileOf(
      el('A', { min: 0, max: '*' }),
      el('A.type', { min: 0, max: '*', binding: { strength: 'required', valueSet: 'vs-idtype' }, slicing: { discriminator: [{ type: 'value', path: '$this' }], rules: 'open' } }),
      el('A.type:mr', { min: 0, max: '1', sliceName: 'mr', binding: { strength: 'required', valueSet: 'vs-idtype' } }),
    );
    expect(checked(p, { type: [{ coding: [{ system: ID, code: 'XX' }] }, { coding: [{ system: ID, code: 'MR' }] }] })).toEqual([
      "A.type: code 'XX' is not in the value set (required binding vs-idtype)",
    ]);
  });

  it('should put every node in an exists or type slice that does not define the discriminator path, or an unknown slice', () => {
    const p = profileOf(
      el('B', { min: 0, max: '*' }),
      el('B.flag', { min: 0, max: '*', slicing: { discriminator: [{ type: 'exists', path: 'text' }], rules: 'open' } }),
      el('B.flag:s', { min: 0, max: '1', sliceName: 's' }),
      el('B.part', { min: 0, max: '*', slicing: { discriminator: [{ type: 'type', path: '$this' }], rules: 'open' } }),
      el('B.part:untyped', { min: 0, max: '1', sliceName: 'untyped' }),
    );
    const r = { flag: [{ text: 'a' }, {}], part: ['x', 1] };
    expect(checked(p, r)).toEqual(['B.flag:s: 2 present, profile allows at most 1', 'B.part:untyped: 2 present, profile allows at most 1']);
    expect(p.finder(r)('B.part:unlisted')).toEqual(r.part);
  });

  it('should type-slice on the type of the discriminator path, taking a node when any of its values has the type', () => {
    const p = profileOf(
      el('C', { min: 0, max: '*' }),
      el('C.thing', { min: 0, max: '*', slicing: { discriminator: [{ type: 'type', path: 'item' }], rules: 'open' } }),
      el('C.thing:q', { min: 0, max: '*', sliceName: 'q' }),
      el('C.thing:q.item', { min: 0, max: '*', type: [{ code: 'Quantity' }] }),
    );
    const r = { thing: [{ item: [{ value: 1, unit: 'mg' }, 'x'] }, { item: 'x' }] };
    expect(p.finder(r)('C.thing:q')).toEqual([r.thing[0]]);
  });

  it('should leave profile discriminators unresolved even where a value is fixed on their path', () => {
    const p = profileOf(
      el('E', { min: 0, max: '*' }),
      el('E.part', { min: 0, max: '*', slicing: { discriminator: [{ type: 'profile', path: 'code' }], rules: 'open' } }),
      el('E.part:p', { min: 0, max: '*', sliceName: 'p' }),
      el('E.part:p.code', { min: 0, max: '1', fixedCode: 'A' }),
    );
    const r = { part: [{ code: 'A' }, { code: 'B' }] };
    expect(p.finder(r)('E.part:p')).toEqual(r.part);
  });

  it('should tell value slices apart only by values fixed on the discriminator path, not elsewhere in the slice', () => {
    const p = profileOf(
      el('F', { min: 0, max: '*' }),
      el('F.comp', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: 'code.coding.code' }], rules: 'open' } }),
      el('F.comp:a', { min: 0, max: '*', sliceName: 'a' }),
      el('F.comp:a.code.text', { min: 0, max: '1', fixedString: 'T' }),
    );
    const r = { comp: [{ code: { coding: [{ code: 'A' }], text: 'T' } }, { code: { coding: [{ code: 'B' }] } }] };
    expect(p.finder(r)('F.comp:a')).toEqual(r.comp);
  });

  it('should take an element whose name only begins with a closed-sliced sibling for no slice of it', () => {
    const p = profileOf(
      el('O', { min: 0, max: '*' }),
      el('O.tag', { min: 0, max: '*', slicing: { discriminator: [{ type: 'value', path: '$this' }], rules: 'closed' } }),
      el('O.tag:a', { min: 0, max: '*', sliceName: 'a', fixedString: 'a' }),
      el('O.tags', { min: 0, max: '*' }),
    );
    expect(checked(p, { tag: ['a', 'b'] })).toEqual(['O.tag: "b" matches no slice of a closed slicing']);
  });

  it('should find the value of a choice type slice', () => {
    const r = valid();
    r.effectiveDateTime = '2024-01-01';
    expect(compiled().finder(r)('Obs.effective[x]:effectiveDateTime')).toEqual(['2024-01-01']);
  });

  it('should check nothing and not fail on a profile without a snapshot, a choice without types, a binding to an unknown value set', () => {
    expect(checked(new CompiledProfile({ ...sd, snapshot: undefined }, defs, new Terminology(defs)), valid())).toEqual([]);
    const p = profileOf(
      el('H', { min: 0, max: '*' }),
      el('H.value[x]', { min: 0, max: '1' }),
      el('H.code', { min: 0, max: '2', binding: { strength: 'required', valueSet: 'vs-not-loaded' } }),
    );
    expect(checked(p, { valueString: 'x', code: ['x', { coding: [{ system: 's', code: 'c' }] }] })).toEqual([]);
  });

  it('should check a coding with a system and no code against a required binding', () => {
    const p = profileOf(el('J', { min: 0, max: '*' }), el('J.coded', { min: 0, max: '*', binding: { strength: 'required', valueSet: 'vs-idtype' } }));
    expect(checked(p, { coded: [{ system: 'http://example.org/elsewhere' }] })).toEqual([
      "J.coded: code system 'http://example.org/elsewhere' is not one the value set includes (http://example.org/idtype) (required binding vs-idtype)",
    ]);
  });

  it('should not take a contentReference that does not loop back for a recursive structure, and find a value at its first level', () => {
    const p = profileOf(el('R', { min: 0, max: '*' }), el('R.item', { min: 0, max: '*' }), el('R.item.item', { contentReference: '#R.item' }), el('R.other'), el('R.copy', { contentReference: '#R.other' }));
    expect(p.recursiveFilled({ other: { x: 1 } }, 'R.other.x')).toBe(false);
    expect(p.recursiveFilled({ item: [{ linkId: '1' }] }, 'R.item.linkId')).toBe(true);
  });
});
