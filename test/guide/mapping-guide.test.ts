import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { buildMappingGuide } from '../../src/guide/index.js';
import { runBin } from '../helpers/cli.js';
import { codeMaps, tempDir } from '../helpers/output.js';

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

/** The rows of the Markdown table that follows `## heading`, as cells. */
function tableAfter(markdown: string, heading: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  let i = lines.findIndex((l, j) => j > start && l.startsWith('|')) + 2;
  for (; lines[i]?.startsWith('|'); i++) rows.push(lines[i]!.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
  return rows;
}

const raw = (file: string) => JSON.parse(readFileSync(join('code-maps', file), 'utf8')) as { rows: Record<string, unknown>[] } & Record<string, unknown>;
const distinct = (values: unknown[]) => new Set(values).size;

/** Every coding system (objects with system and code) in the resources of an NDJSON directory. */
function codingSystems(ndjsonDir: string): Set<string> {
  const systems = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.system === 'string' && typeof o.code === 'string') systems.add(o.system);
      Object.values(o).forEach(walk);
    }
  };
  for (const file of readdirSync(ndjsonDir)) {
    for (const line of readFileSync(join(ndjsonDir, file), 'utf8').split('\n')) if (line) walk(JSON.parse(line));
  }
  return systems;
}

describe('fhirseed mapping-guide', () => {
  const temp = tempDir('fhirseed-guide-');
  let markdown = '';
  let html = '';
  let dataSystems: Set<string>;

  beforeAll(async () => {
    const r = await cli(['mapping-guide', '--out', join(temp.dir, 'guide')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    markdown = readFileSync(join(temp.dir, 'guide', 'mapping-guide.md'), 'utf8');
    html = readFileSync(join(temp.dir, 'guide', 'mapping-guide.html'), 'utf8');
    // The built CLI (npm run build first), NDJSON only: the default profile's 25 members.
    const generated = await runBin('dist/src/cli/bin.js', ['generate', '--format', 'ndjson', '--out', join(temp.dir, 'data')], process.cwd());
    expect(generated.code, generated.stderr).toBe(0);
    dataSystems = codingSystems(join(temp.dir, 'data', 'ndjson'));
    // A 25-member generate in a child: past the default two minutes on a busy 2-core machine (execFileSync had no limit).
  }, 300_000);
  afterAll(() => temp.cleanup());

  it('should list every code system the generated data uses (default profile, 25 members)', () => {
    expect(dataSystems.size).toBeGreaterThan(30);
    const listed = new Set(tableAfter(markdown, 'Code systems in the data').map((c) => c[1]));
    const missing = [...dataSystems].filter((s) => !listed.has(s));
    expect(missing).toEqual([]);
    for (const s of dataSystems) expect(html).toContain(s.replace(/&/g, '&amp;'));
  });

  it('should name for the main claim and clinical systems the elements that carry them', () => {
    const elements = tableAfter(markdown, 'Code systems in the data');
    const used = (uri: string) => elements.find((c) => c[1] === uri)?.[2] ?? '';
    expect(used('http://snomed.info/sct')).toContain('Condition.code');
    expect(used('http://hl7.org/fhir/sid/icd-10-cm')).toContain('ExplanationOfBenefit.diagnosis.diagnosisCodeableConcept');
    expect(used('http://www.nlm.nih.gov/research/umls/rxnorm')).toContain('MedicationRequest.medicationCodeableConcept');
    expect(used('http://hl7.org/fhir/sid/cvx')).toContain('Immunization.vaccineCode');
    expect(used('http://loinc.org')).toContain('Observation (laboratory)');
  });

  it('should give counts equal to the code maps (every row against the loaded tables; the main ones against the JSON files)', () => {
    const rows = tableAfter(markdown, 'Coded elements');
    const guide = buildMappingGuide(codeMaps);
    const expected = guide.elements.flatMap((e) => e.systems.map((s) => `${e.resource}|${e.element}|${s.count}`));
    expect(rows.map((c) => `${c[0]}|${c[1]}|${c[5]}`.replace(/\\\|/g, '|'))).toEqual(expected);
    const count = (resource: string, element: string, uri: string) => Number(rows.find((c) => c[0] === resource && c[1] === element && c[3] === uri)?.[5]);
    const conditions = raw('catalog/conditions.json').rows as { snomed: { code: string }; icd10cm: { code: string }[] }[];
    const drugs = raw('catalog/drugs.json').rows as { rxnorm: { code: string }; ndc: { code: string } }[];
    const icd10cm = conditions.flatMap((c) => c.icd10cm.map((i) => i.code));
    expect(count('Condition', 'code', 'http://snomed.info/sct')).toBe(distinct(conditions.map((c) => c.snomed.code)));
    expect(count('Condition', 'code', 'http://hl7.org/fhir/sid/icd-10-cm')).toBe(distinct(icd10cm));
    expect(count('ExplanationOfBenefit', 'diagnosis.diagnosisCodeableConcept', 'http://hl7.org/fhir/sid/icd-10-cm')).toBe(
      distinct([...icd10cm, ...raw('visit-reasons.json').rows.map((r) => r.icd10cm)]),
    );
    expect(count('ExplanationOfBenefit', 'procedure.procedureCodeableConcept', 'http://www.cms.gov/Medicare/Coding/ICD10')).toBe(raw('catalog/icd10pcs.json').rows.length);
    expect(count('ExplanationOfBenefit', 'supportingInfo[drg].code', guide.systems.find((s) => s.key === 'msDrg')!.uri)).toBe(raw('catalog/ms-drg.json').rows.length);
    expect(count('ExplanationOfBenefit', 'item.productOrService', 'http://www.ada.org/cdt')).toBe(raw('dental.json').rows.length);
    expect(count('MedicationRequest', 'medicationCodeableConcept', 'http://www.nlm.nih.gov/research/umls/rxnorm')).toBe(distinct(drugs.map((d) => d.rxnorm.code)));
    expect(count('MedicationRequest', 'medicationCodeableConcept', 'http://hl7.org/fhir/sid/ndc')).toBe(distinct(drugs.map((d) => d.ndc.code)));
    expect(count('Immunization', 'vaccineCode', 'http://hl7.org/fhir/sid/cvx')).toBe(distinct(raw('immunizations.json').rows.map((v) => (v.cvx as { code: string }).code)));
    const tables = raw('tables.json').tables as Record<string, { codes: unknown[] }>;
    for (const [name, t] of Object.entries(tables)) expect(rows.find((c) => c[1] === `tables.json: ${name}`)?.[5], name).toBe(String(t.codes.length));
  });

  it('should show the crosswalks with their pair counts and the licence notices', () => {
    const conditions = raw('catalog/conditions.json').rows as { snomed: { code: string }; icd10cm: { code: string }[] }[];
    const pairs = distinct(conditions.flatMap((c) => c.icd10cm.map((i) => `${c.snomed.code}|${i.code}`)));
    expect(markdown).toContain(`${pairs} pairs (SNOMED CT → ICD-10-CM)`);
    const drugs = raw('catalog/drugs.json').rows as { rxnorm: { code: string }; ndc: { code: string } }[];
    expect(markdown).toContain(`${distinct(drugs.map((d) => `${d.rxnorm.code}|${d.ndc.code}`))} pairs (RxNorm → NDC)`);
    expect(markdown).toMatch(/\d+ pairs \(LOINC → UCUM\)/);
    const notices = tableAfter(markdown, 'Licence notices');
    expect(notices.map((n) => n[0])).toEqual(expect.arrayContaining(['CPT®', 'LOINC', 'SNOMED CT', 'UCUM']));
    expect(notices.find((n) => n[0] === 'LOINC')?.[2]).toContain('Regenstrief');
    expect(html).not.toMatch(/<script|<link|<img|\ssrc=/);
  });

  it('should refuse an --out it cannot write in one line (exit 2), also under /proc (where a recursive mkdir never returns)', async () => {
    const proc = await cli(['mapping-guide', '--out', '/proc/fhirseed-guide']);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toMatch(/^fhirseed: --out \/proc\/fhirseed-guide: cannot write \(\w+\)\n$/);
    // A missing parent (new-user trial: a bare "cannot write (ENOENT)") is named.
    const out = join(temp.dir, 'missing', 'guide');
    const r = await cli(['mapping-guide', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fhirseed: --out ${out}: the folder ${join(temp.dir, 'missing')} does not exist (only the last level of --out is made)\n`);
  });
});

// Without the first block's generation: only the command's own refusal.
describe('fhirseed mapping-guide --out', () => {
  const own = tempDir('fhirseed-guide-out-');
  afterAll(own.cleanup);

  it('should say --out is a directory when it names a file (new-user trial: a bare ENOTDIR), and write nothing', async () => {
    const dir = join(own.dir, 'as-file');
    mkdirSync(dir);
    const file = join(dir, 'mapping-guide.md');
    writeFileSync(file, 'mine\n');
    for (const [out, what] of [[file, 'is a file'], [join(dir, 'guide.html'), 'names a file']] as const) {
      const r = await cli(['mapping-guide', '--out', out]);
      expect(r.code, out).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`fhirseed: --out ${out}: ${what}; --out is the directory that gets mapping-guide.md and mapping-guide.html (e.g. --out guide)\n`);
    }
    expect(readdirSync(dir)).toEqual(['mapping-guide.md']);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
  });
});
