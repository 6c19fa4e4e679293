import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMappingGuide, guideHtml, guideMarkdown } from '../../src/guide/index.js';
import { SYSTEMS, type SystemName } from '../../src/util/systems.js';
import { codeMaps } from '../helpers/output.js';

// The schema of the code-maps files, as far as it says which system a code is of (never which source a guide row
// should cite: that is derived from the rows below). A row is any object with a `source` (text, or one text per
// system key as in catalog/drugs.json); its codes are the `code` values in it, of the system its `system` field, a
// field named after a system key, a field below, or its file names — an object with a source of its own inside a row
// is a row of its own.
/** Fields whose codes are of one system though not named after it. */
const FIELD_SYSTEM: Record<string, SystemName> = { panel: 'loinc', specimen: 'snomed', unit: 'ucum', measure: 'loinc' };
/** Files whose bare `code` fields are of one system. */
const FILE_SYSTEM: Record<string, SystemName> = {
  'dental.json': 'cdt',
  'catalog/hcpcs.json': 'hcpcs',
  'catalog/icd10pcs.json': 'icd10pcs',
  'catalog/ms-drg.json': 'msDrg',
  'nucc-taxonomy.json': 'nucc',
  'planning-careteam-roles.json': 'snomed',
  'planning-notes.json': 'loinc',
  'planning-reports.json': 'loinc',
  'care-discharge-disposition.json': 'nubcPatientDischarge',
  'allergies.json': 'snomed',
  'social-instruments.json': 'loinc',
  'labs-clinical-results.json': 'snomed',
};

interface SourcedRow {
  source: string | Record<string, string>;
  /** system → codes of it in the row. */
  codes: Map<string, Set<string>>;
}

const isSystem = (key: string): key is SystemName => Object.hasOwn(SYSTEMS, key);

/** Every row of a code-maps file with the codes it holds by system. */
function rowsOf(file: string): SourcedRow[] {
  const rows: SourcedRow[] = [];
  const visit = (value: unknown, system: string | undefined, row: SourcedRow | undefined): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, system, row);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const o = value as Record<string, unknown>;
    let own = row;
    if (o.source !== undefined && (typeof o.source === 'string' || typeof o.source === 'object')) {
      own = { source: o.source as SourcedRow['source'], codes: new Map() };
      rows.push(own);
    }
    const here = typeof o.system === 'string' && isSystem(o.system) ? o.system : system;
    for (const [key, v] of Object.entries(o)) {
      if (key === 'source') continue;
      const keySystem = isSystem(key) ? key : FIELD_SYSTEM[key];
      const sys = keySystem ?? here;
      const add = (code: unknown) => {
        if (typeof code === 'string' && sys && own) own.codes.set(sys, (own.codes.get(sys) ?? new Set()).add(code));
      };
      if ((key === 'code' || keySystem) && typeof v === 'string') add(v);
      else if (keySystem && Array.isArray(v) && v.every((x) => typeof x === 'string')) v.forEach(add);
      else visit(v, sys, own);
    }
  };
  visit(JSON.parse(readFileSync(join('code-maps', file), 'utf8')), FILE_SYSTEM[file], undefined);
  return rows;
}

/** The sources a guide row of `system` may cite: those of the rows of `files` that hold a code of that system. */
function allowedSources(files: string[], system: string): Set<string> {
  const allowed = new Set<string>();
  for (const file of files) {
    for (const row of rowsOf(file)) {
      if (!row.codes.get(system)?.size) continue;
      const source = typeof row.source === 'string' ? row.source : row.source[system];
      if (source) allowed.add(source);
    }
  }
  return allowed;
}

const guide = buildMappingGuide(codeMaps);

describe('mapping guide: sources per code system', () => {
  it('should cite for each system of each element only sources of rows that hold codes of that system', () => {
    const wrong: string[] = [];
    for (const e of guide.elements) {
      for (const s of e.systems) {
        const allowed = allowedSources(e.files, s.system);
        expect(s.sources.length, `${e.resource}.${e.element} ${s.system}`).toBeGreaterThan(0);
        // The loader may add a note in brackets to a row's source (care procedures: '(no SNOMED CT mapping checked)').
        const cited = (source: string) => allowed.has(source) || allowed.has(source.replace(/ \([^()]*\)$/, ''));
        for (const { source } of s.sources) if (!cited(source)) wrong.push(`${e.resource}.${e.element} ${s.system}: ${source.slice(0, 120)}`);
      }
    }
    expect(wrong).toEqual([]);
    // The walk finds codes where the guide counts them (else every check above would pass on an empty set).
    const ndc = guide.elements.find((e) => e.element === 'item.productOrService')!.systems.find((s) => s.system === 'ndc')!;
    expect(ndc.sources.reduce((n, s) => n + s.rows, 0)).toBe(allowedSources(['catalog/drugs.json'], 'ndc').size);
  });

  it('should show on each row of the Markdown and the HTML page that system\'s sources, not another system\'s of the element', () => {
    const markdown = guideMarkdown(guide).split('\n');
    const md = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const html = guideHtml(guide);
    const body = html.slice(html.indexOf('<tbody>'), html.indexOf('</tbody>')).split('\n').filter((l) => l.startsWith('<tr>'));
    expect(body.length).toBe(guide.elements.reduce((n, e) => n + e.systems.length, 0));
    let i = 0;
    for (const e of guide.elements) {
      for (const s of e.systems) {
        const where = `${e.resource}.${e.element} ${s.system}`;
        const mdRow = markdown.find((l) => l.startsWith(`| ${e.resource.replace(/\|/g, '\\|')} | ${e.element.replace(/\|/g, '\\|')} | `) && l.includes(` | ${SYSTEMS[s.system]} | `))!;
        expect(mdRow, where).toBeDefined();
        const htmlRow = body[i++]!;
        const mine = new Set(s.sources.map((x) => x.source));
        const top = s.sources[0]!.source;
        expect(mdRow, where).toContain(md(top));
        expect(htmlRow, where).toContain(top.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
        for (const other of e.systems) {
          for (const { source } of other.sources.slice(0, 3)) {
            if (mine.has(source)) continue;
            const shown = [`| ${md(source)} (`, `; ${md(source)} (`].some((t) => mdRow.includes(t));
            expect(shown, `${where} shows ${other.system}'s ${source.slice(0, 80)}`).toBe(false);
          }
        }
      }
    }
  });

  it('should give the item.productOrService CPT row CPT sources only, and the Specimen row the specimen codes\' own sources', () => {
    const item = guide.elements.find((e) => e.element === 'item.productOrService')!;
    const cpt = item.systems.find((s) => s.system === 'cpt')!;
    expect(cpt.sources.every((s) => /\bCPT\b/.test(s.source) && !/\bCDT\b|HCPCS/.test(s.source))).toBe(true);
    const specimen = guide.elements.find((e) => e.resource === 'Specimen')!.systems[0]!;
    expect(specimen.sources.map((s) => s.source).filter((s) => !/specimen \(specimen\)/.test(s))).toEqual([]);
  });
});

/** Words of how fhirseed was built that mean nothing to a payer's reader ("T4 helper" is a LOINC display). */
const INTERNAL = /search corpus|docs search|\bsessions?\b|\bintegrator\b|\bTODO\b|(?<!T4 )\bhelpers?\b/i;

function sourceTexts(file: string): string[] {
  const texts: string[] = [];
  const walk = (v: unknown, key?: string) => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, key === 'source' ? 'source' : k);
    else if (typeof v === 'string' && (key === 'source' || key === 'description')) texts.push(v);
  };
  walk(JSON.parse(readFileSync(file, 'utf8')));
  return texts;
}

describe('mapping guide: no internal wording', () => {
  it('should find no internal phrase in any code-maps source or description, nor in the code-maps READMEs', () => {
    const found: string[] = [];
    const files = readdirSync('code-maps', { recursive: true, encoding: 'utf8' }).map((f) => join('code-maps', f));
    expect(files.filter((f) => f.endsWith('.json')).length).toBeGreaterThan(30);
    for (const file of files.filter((f) => f.endsWith('.json'))) for (const t of sourceTexts(file)) if (INTERNAL.test(t)) found.push(`${file}: ${t.slice(0, 160)}`);
    for (const file of files.filter((f) => f.endsWith('.md'))) {
      readFileSync(file, 'utf8').split('\n').forEach((line, i) => INTERNAL.test(line) && found.push(`${file}:${i + 1}: ${line}`));
    }
    expect(found).toEqual([]);
  });

  it('should find none in the guide it writes (Markdown and HTML)', () => {
    for (const text of [guideMarkdown(guide), guideHtml(guide)]) expect(text.split('\n').filter((l) => INTERNAL.test(l))).toEqual([]);
    // The drug rows keep every fact of the listing they were read from.
    const ndc = guide.elements.find((e) => e.resource === 'MedicationRequest')!.systems.find((s) => s.system === 'ndc')!;
    for (const { source } of ndc.sources) expect(source).toMatch(/^FDA NDC Directory listing via openFDA \(https:\/\/api\.fda\.gov\/drug\/ndc\.json\?search=[^)]+\): package [\d-]+ ".+", labeler .+, retrieved 2026-11-30$/);
  });
});
