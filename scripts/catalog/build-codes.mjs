#!/usr/bin/env node
/**
 * Builds the code catalogs in code-maps/catalog/ (conditions, labs, ms-drg, icd10pcs, hcpcs, cvx)
 * from ../shared/code-sources (public code tables, see its README.md) and the hand-curated
 * selection lists in scripts/catalog/input/*.yaml.
 *
 *   node scripts/catalog/build-codes.mjs [--sources <dir>] [--inputs <dir>] [--check]
 *
 * --sources defaults to ../shared/code-sources beside the checkout, --inputs to scripts/catalog/input.
 * --check builds in memory and compares with the committed JSON (exit 1 when they differ) instead of
 * writing. Exit 2 when the sources are missing.
 * Every selected code is looked up in the source file it cites; a code missing there, a
 * non-billable ICD-10-CM code or a SNOMED concept absent from the VSAC rows stops the build
 * (exit 1, one line per problem). Nothing here is random: the same inputs give the same bytes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import YAML from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const args = process.argv.slice(2);
const sourcesArg = args.indexOf('--sources');
const SOURCES = sourcesArg >= 0 ? resolve(args[sourcesArg + 1] ?? '') : resolve(repo, '..', 'shared', 'code-sources');
const inputsArg = args.indexOf('--inputs');
const INPUTS = inputsArg >= 0 ? resolve(args[inputsArg + 1] ?? '') : join(here, 'input');
const CHECK = args.includes('--check');
const OUT = join(repo, 'code-maps', 'catalog');

if (!existsSync(join(SOURCES, 'README.md'))) {
  console.error(`code sources not found at ${SOURCES} (pass --sources <dir>)`);
  process.exit(2);
}

const problems = [];
const problem = (msg) => problems.push(msg);

/** Rows of a CSV under the sources folder, as objects keyed by the header. */
function csv(rel) {
  return parseCsv(readFileSync(join(SOURCES, rel)), { columns: true, skip_empty_lines: true, bom: true });
}
function input(name) {
  return YAML.parse(readFileSync(join(INPUTS, `${name}.yaml`), 'utf8'));
}
/** ICD-10-CM as FHIR writes it: a dot after the third character. */
const dotted = (code) => (code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code);
const undotted = (code) => code.replace('.', '');

// ---------------------------------------------------------------- MS-DRG (full table)
function buildMsDrg() {
  const v43 = csv('ms-drg/ms-drg-v43-fy2026.csv');
  const v42 = new Map(csv('ms-drg/ms-drg-v42-fy2025.csv').map((r) => [r.ms_drg, r]));
  const type = { SURG: 'surgical', MED: 'medical' };
  const rows = v43.map((r) => {
    const old = v42.get(r.ms_drg);
    const row = {
      code: r.ms_drg,
      mdc: r.mdc === '' ? null : r.mdc,
      type: type[r.type] ?? 'ungroupable',
      title: r.title,
      weight: Number(r.weight),
      gmlos: Number(r.gmlos),
    };
    if (old?.amlos) row.amlosV42 = Number(old.amlos);
    row.source = `code-sources/ms-drg/ms-drg-v43-fy2026.csv (CMS FY2026 IPPS Table 5, MS-DRG v43, via VistA DRG*18.0*125)${
      row.amlosV42 !== undefined ? '; amlosV42 from ms-drg-v42-fy2025.csv (CMS FY2025 Table 5 via VistA DRG*18.0*120)' : ''
    }`;
    return row;
  });
  return {
    description:
      'All MS-DRGs of grouper v43 (FY2026): MDC, medical/surgical, title, relative weight and geometric mean LOS as CMS IPPS Table 5 gives them; amlosV42 is the FY2025 (v42) arithmetic mean LOS where the v42 table carries one. The generator draws the MS-DRGs of inpatient claims from it (length of stay = GMLOS). See README.md.',
    rows,
  };
}

// ---------------------------------------------------------------- HCPCS Level II
function buildHcpcs() {
  const sel = input('hcpcs');
  const opps = new Map(csv('hcpcs/opps-addendum-b-2026-04-hcpcs2.csv').map((r) => [r.code, r]));
  const si = new Map(csv('hcpcs/opps-status-indicators.csv').map((r) => [r.status_indicator, r]));
  const rows = [];
  for (const [category, codes] of Object.entries(sel.categories)) {
    for (const code of codes) {
      const r = opps.get(code);
      if (!r) {
        problem(`hcpcs: ${code} is not in hcpcs/opps-addendum-b-2026-04-hcpcs2.csv`);
        continue;
      }
      rows.push({
        code,
        shortDescriptor: r.short_description,
        category,
        statusIndicator: r.status_indicator,
        statusMeaning: si.get(r.status_indicator)?.description ?? null,
        paymentRate: r.payment_rate === '' ? null : Number(r.payment_rate),
        source: 'code-sources/hcpcs/opps-addendum-b-2026-04-hcpcs2.csv (CMS OPPS Addendum B, April 2026, HCPCS Level II rows)',
      });
    }
  }
  return {
    description:
      'HCPCS Level II codes for claims (drugs J, supplies A, DME E/K/L, ambulance A0425-A0434, G-codes for preventive visits and screenings, Q-codes): CMS short descriptor, OPPS status indicator (meaning from the converter legend, 2020 vintage; S1/H1 and other newer indicators have none) and the national unadjusted OPPS payment rate in USD (null when paid under another fee schedule; J-code rates are per billing unit). The generator joins these codes to the procedures table (use by category). See README.md.',
    rows,
  };
}

// ---------------------------------------------------------------- CVX
function buildCvx() {
  const sel = input('cvx');
  const pad = (c) => String(Number(c));
  const cdc = new Map(csv('cvx/cdc-cvx.csv').map((r) => [pad(r.cvx), r]));
  const vista = new Map(csv('cvx/vista-immunization-cvx.csv').filter((r) => r.cvx).map((r) => [pad(r.cvx), r]));
  const ndcs = new Map();
  for (const r of csv('cvx/cdc-vaccine-ndc.csv')) {
    const list = ndcs.get(pad(r.cvx)) ?? [];
    if (!list.some((n) => n.code === r.ndc11)) list.push({ code: r.ndc11, display: `${r.proprietary_name} (${r.mvx}, NDC ${r.ndc}, ${r.package_level.replace(/_/g, ' ')})` });
    ndcs.set(pad(r.cvx), list);
  }
  const rows = [];
  for (const [code, c] of [...cdc].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    const v = vista.get(code);
    if (!v || v.status !== 'active') continue; // CDC 2021 list has no status; VistA's VHA term status says which are in use
    if (sel.exclude?.includes(Number(code))) continue;
    rows.push({
      code: c.cvx, // as CDC writes it (two digits below 10: "03", "08")
      display: c.short_description,
      vaccineGroup: v.vaccine_groups || null,
      ndc: ndcs.get(code) ?? [],
      source: `code-sources/cvx/cdc-cvx.csv (CDC IIS Open Tools CVX list, Jan 2021); active per vista-immunization-cvx.csv (VHA term status); NDCs from cdc-vaccine-ndc.csv`,
    });
  }
  for (const [code, v] of [...vista].sort((a, b) => Number(a[0]) - Number(b[0]))) {
    if (cdc.has(code) || v.status !== 'active' || Number(code) >= 500) continue; // 500+: non-US COVID products
    if (sel.exclude?.includes(Number(code))) continue;
    rows.push({
      code,
      display: v.cdc_full_vaccine_name || v.name,
      vaccineGroup: v.vaccine_groups || null,
      ndc: [],
      source: 'code-sources/cvx/vista-immunization-cvx.csv (VistA IMMUNIZATION file, CDC full vaccine name; VHA term status active)',
    });
  }
  for (const h of sel.added) {
    const code = String(h.code);
    if (rows.some((r) => pad(r.code) === code)) {
      problem(`cvx: hand-added ${code} is already in the source files`);
      continue;
    }
    rows.push({ code, display: h.display, vaccineGroup: h.group, ndc: h.ndc ?? [], addedByHand: true, source: h.source });
  }
  return {
    description:
      'CVX vaccine codes in current US use: the CDC list (Jan 2021) rows that VistA marks active, VistA-only active US codes up to 302, and post-2022 codes added by hand (RSV vaccines and nirsevimab, 2023+ COVID-19, PCV21, MenABCWY, trivalent influenza) with their source. NDCs (11-digit, 5-4-2 without dashes) from the CDC vaccine NDC list where it has them. The immunization table\'s CVX codes must be listed here (checked when the code maps load). See README.md.',
    rows,
  };
}

// ---------------------------------------------------------------- labs (LOINC)
function buildLabs(conditionKeys) {
  const sel = input('labs');
  const h17 = new Map(csv('loinc/flowsheet-lhc-h17-labs.csv').map((r) => [r.loinc, r]));
  const num = (s) => (s === '' || s === undefined ? null : Number(s));
  const rows = [];
  for (const [group, codes] of Object.entries(sel.groups)) {
    for (const code of codes) {
      const r = h17.get(code);
      if (!r) {
        problem(`labs: ${code} is not in loinc/flowsheet-lhc-h17-labs.csv`);
        continue;
      }
      if (!r.long_common_name || !r.ucum_units || r.normal_low === '' || r.normal_high === '') {
        problem(`labs: ${code} lacks a name, UCUM unit or normal range in the flowsheet file`);
        continue;
      }
      const row = {
        key: code,
        loinc: { code, display: r.long_common_name },
        shortName: r.short_name,
        group,
        unit: r.ucum_units,
        normal: { low: num(r.normal_low), high: num(r.normal_high) },
      };
      if (r.critical_low !== '' || r.critical_high !== '') row.critical = { low: num(r.critical_low), high: num(r.critical_high) };
      const abnormal = {};
      for (const a of sel.abnormal.filter((x) => x.loinc === code)) {
        for (const c of a.conditions) {
          if (!conditionKeys.has(c)) problem(`labs: abnormal band of ${code} names unknown condition ${c}`);
          abnormal[c] = { low: a.low, high: a.high, source: a.source };
        }
      }
      if (Object.keys(abnormal).length) row.abnormal = abnormal;
      row.source = 'code-sources/loinc/flowsheet-lhc-h17-labs.csv (LHNCBC flowsheet-lhc h17, commit 53b8283; LOINC names, UCUM units, one site\'s normal and critical ranges)';
      rows.push(row);
    }
  }
  for (const a of sel.abnormal) if (!h17.has(a.loinc) || !rows.some((r) => r.key === a.loinc)) problem(`labs: abnormal band for ${a.loinc}, which is not a selected lab`);
  return {
    description:
      'Lab tests: LOINC code and long common name, short name, UCUM unit, one site\'s normal range and critical limits (not age- or sex-specific), a group, and per condition key the band a member with that condition typically shows (best-effort, with the guideline named). The generator orders and reports one panel per group. See README.md.',
    rows,
  };
}

// ---------------------------------------------------------------- ICD-10-PCS
/** code (7 chars) → {section, bodySystem, operation, bodyPart, approach, device, qualifier} from the CMS tables XML. */
function pcsAxes(codes) {
  const xml = readFileSync(join(SOURCES, 'icd10pcs/icd10pcs_tables_2020.xml'), 'utf8');
  const wanted = new Map(codes.map((c) => [c.slice(0, 3), []]));
  for (const c of codes) wanted.get(c.slice(0, 3)).push(c);
  const out = new Map();
  const labels = (axisXml) => new Map([...axisXml.matchAll(/<label code="(.)">([^<]*)<\/label>/g)].map((m) => [m[1], m[2]]));
  for (const table of xml.split('<pcsTable>').slice(1)) {
    const head = table.split('<pcsRow')[0];
    const axis = (pos, xmlPart) => {
      const m = new RegExp(`<axis pos="${pos}"[^>]*>([\\s\\S]*?)</axis>`).exec(xmlPart);
      return m ? labels(m[1]) : new Map();
    };
    const [a1, a2, a3] = [axis(1, head), axis(2, head), axis(3, head)];
    const key = [...a1.keys()][0] + [...a2.keys()][0] + [...a3.keys()][0];
    if (!wanted.has(key)) continue;
    for (const rowXml of table.split('<pcsRow').slice(1)) {
      const [a4, a5, a6, a7] = [4, 5, 6, 7].map((p) => axis(p, rowXml));
      for (const c of wanted.get(key)) {
        if (a4.has(c[3]) && a5.has(c[4]) && a6.has(c[5]) && a7.has(c[6])) {
          out.set(c, {
            section: a1.get(c[0]), bodySystem: a2.get(c[1]), operation: a3.get(c[2]),
            bodyPart: a4.get(c[3]), approach: a5.get(c[4]), device: a6.get(c[5]), qualifier: a7.get(c[6]),
          });
        }
      }
    }
  }
  return out;
}

function buildIcd10Pcs(drgCodes) {
  const sel = input('icd10pcs');
  const canvas = new Map();
  for (const r of csv('icd10pcs/canvas-procedure-icd10pcs-v2026.csv')) if (!canvas.has(r.code)) canvas.set(r.code, r);
  const fy2020 = new Set(csv('icd10pcs/icd10pcs-fy2020-codes.csv').map((r) => r.code));
  const axes = pcsAxes(sel.procedures.map((p) => p.code));
  const rows = [];
  for (const p of sel.procedures) {
    const c = canvas.get(p.code);
    const ax = axes.get(p.code);
    if (!c && !ax) {
      problem(`icd10pcs: ${p.code} is in neither canvas-procedure-icd10pcs-v2026.csv nor the FY2020 tables`);
      continue;
    }
    for (const d of p.drgs) if (!drgCodes.has(d)) problem(`icd10pcs: ${p.key} names MS-DRG ${d}, not in v43`);
    const display = c ? c.display : `${ax.operation} of ${ax.bodyPart}${ax.device !== 'No Device' ? ` with ${ax.device}` : ''}${ax.qualifier !== 'No Qualifier' ? `, ${ax.qualifier}` : ''}, ${ax.approach} Approach`;
    rows.push({
      key: p.key,
      code: p.code,
      display,
      displayFrom: c ? 'cms-title' : 'table-axes',
      axes: ax ?? null,
      inFy2020Tables: fy2020.has(p.code),
      drgs: p.drgs,
      drgPairing: 'by hand from the MS-DRG v43 titles (best-effort; no grouper logic)',
      source: [
        c ? `code-sources/icd10pcs/canvas-procedure-icd10pcs-v2026.csv (CMS title; eCQM 2025-05-08 value set "${c.value_set_name}")` : null,
        ax ? 'code-sources/icd10pcs/icd10pcs_tables_2020.xml (CMS 2020 ICD-10-PCS Tables, axis labels)' : null,
      ].filter(Boolean).join('; '),
    });
  }
  return {
    description:
      'ICD-10-PCS codes for common inpatient procedures: CMS title (or, where the current eCQM file lacks the code, one assembled from the CMS FY2020 table axes, displayFrom=table-axes), the seven axis labels, and the MS-DRG(s) v43 it typically groups to, paired by hand from the DRG titles (best-effort). The generator draws inpatient operations from it. See README.md.',
    rows,
  };
}

// ---------------------------------------------------------------- conditions
/** Input rows use short field names to keep the hand list one line per condition. */
function expand(r) {
  return {
    key: r.k, display: r.d, category: r.c, chronic: r.ch ?? false, snomed: r.s, icd: r.i, visits: r.v ?? 1,
    labs: r.l, pcs: r.p, hcpcs: r.h, ccw: r.ccw, pair: r.pair, snomedDisplay: r.sd, drgs: r.g, tests: r.pp, rx: r.rx, of: r.of, share: r.w,
  };
}

function buildConditions(labKeys, pcsRows, hcpcsCodes, drgCodes) {
  const sel = input('conditions');
  const pcsKeys = new Map(pcsRows.map((r) => [r.key, r]));
  // Visit tests name rows of the generator's professional-procedures table (CPT/HCPCS codes billed at a visit).
  // Drugs: the drug catalog rows whose `conditions` list one of these keys treat the condition.
  const drugConditionKeys = new Set(JSON.parse(readFileSync(join(OUT, 'drugs.json'), 'utf8')).rows.flatMap((r) => r.conditions));
  const testKeys = new Set(JSON.parse(readFileSync(join(OUT, '..', 'professional-procedures.json'), 'utf8')).rows.map((r) => r.key));
  const icd = new Map(csv('icd10cm/icd10cm.csv').map((r) => [r.code, r]));
  const ccwDefs = new Map(csv('icd10cm/ccw-definitions.csv').map((r) => [r.ccw_code, r]));
  const ccwOf = new Map();
  for (const r of csv('icd10cm/ccw-icd10cm.csv')) {
    if (r.ccw_code.includes('.')) continue; // 8.1 and 27.1 are exclusion lists
    const list = ccwOf.get(r.icd10cm) ?? [];
    list.push(r.ccw_code);
    ccwOf.set(r.icd10cm, list);
  }
  // value set name -> {file, oid, snomed:Set, icd:Set}; snomed code -> display (first seen)
  const sets = new Map();
  const snomedDisplay = new Map();
  for (const file of ['conditions-v2026-no-qdm.csv', 'conditions-v2022.csv']) {
    for (const r of csv(`vsac-conditions/${file}`)) {
      const id = `${file}|${r.value_set_name}`;
      let s = sets.get(id);
      if (!s) sets.set(id, (s = { file, name: r.value_set_name, oid: r.oid, snomed: new Set(), icd: new Set() }));
      if (r.system === 'SNOMEDCT') {
        s.snomed.add(r.code);
        if (!snomedDisplay.has(r.code)) snomedDisplay.set(r.code, { display: r.display, file });
      } else s.icd.add(r.code);
    }
  }
  const rows = [];
  for (const short of sel.conditions) {
    const c = expand(short);
    const where = `conditions: ${c.key}`;
    let sn = snomedDisplay.get(String(c.snomed));
    if (sn && c.snomedDisplay) problem(`${where}: SNOMED ${c.snomed} is in the vsac rows; drop sd: and take their display`);
    if (!sn && c.snomedDisplay) sn = { display: c.snomedDisplay, file: null };
    if (!sn) problem(`${where}: SNOMED ${c.snomed} is in no vsac-conditions row (give sd: to enter it by hand)`);
    const icdRows = [];
    for (const raw of c.icd) {
      const code = undotted(String(raw));
      const r = icd.get(code);
      if (!r) problem(`${where}: ICD-10-CM ${code} is not in icd10cm/icd10cm.csv`);
      else if (r.billable !== 'true') problem(`${where}: ICD-10-CM ${code} is not billable (a header code)`);
      else icdRows.push({ code: dotted(code), display: r.description });
    }
    // Pairing: a value set that lists the SNOMED concept and every ICD-10-CM code, else the hand pair.
    const codes = c.icd.map((x) => undotted(String(x)));
    const common = [...sets.values()].filter((s) => s.snomed.has(String(c.snomed)) && codes.every((k) => s.icd.has(k)));
    let pairing;
    if (common.length) {
      const s = common.sort((a, b) => a.icd.size + a.snomed.size - (b.icd.size + b.snomed.size))[0];
      pairing = { rule: 'same value set', valueSet: s.name, oid: s.oid, file: `vsac-conditions/${s.file}` };
    } else if (c.pair) {
      pairing = { rule: 'same concept (hand)', note: c.pair };
    } else {
      problem(`${where}: no vsac value set lists SNOMED ${c.snomed} with ${codes.join(', ')}; give 'pair:' saying why they mean the same`);
    }
    // CCW: the chronic-condition list holding the first ICD-10-CM code (input may choose among several).
    const onLists = ccwOf.get(codes[0]) ?? [];
    let ccw = null;
    if (c.ccw !== undefined && c.ccw !== null) {
      if (!onLists.includes(String(c.ccw))) problem(`${where}: ccw ${c.ccw} does not list ${codes[0]}`);
      ccw = String(c.ccw);
    } else if (onLists.length === 1) ccw = onLists[0];
    else if (onLists.length > 1) problem(`${where}: ${codes[0]} is on CCW lists ${onLists.join(', ')}; choose one with ccw:`);
    for (const l of c.labs ?? []) if (!labKeys.has(l)) problem(`${where}: lab ${l} is not in labs.json`);
    for (const p of c.pcs ?? []) if (!pcsKeys.has(p)) problem(`${where}: ICD-10-PCS key ${p} is not in icd10pcs.json`);
    for (const h of c.hcpcs ?? []) if (!hcpcsCodes.has(h)) problem(`${where}: HCPCS ${h} is not in hcpcs.json`);
    for (const g of c.drgs ?? []) if (!drgCodes.has(String(g))) problem(`${where}: MS-DRG ${g} is not in ms-drg.json`);
    const treatedAs = c.rx ?? (drugConditionKeys.has(c.key) ? [c.key] : []);
    for (const t of c.rx ?? []) if (!drugConditionKeys.has(t)) problem(`${where}: no row of drugs.json treats '${t}'`);
    for (const t of c.tests ?? []) if (!testKeys.has(t)) problem(`${where}: visit test ${t} is not in code-maps/professional-procedures.json`);
    // An admission groups to the medical DRGs listed, or to those of the operation it brings.
    const drgs = [...new Set([...(c.drgs ?? []).map(String), ...(c.pcs ?? []).flatMap((p) => pcsKeys.get(p)?.drgs ?? [])])];
    const def = ccw ? ccwDefs.get(ccw) : null;
    rows.push({
      key: c.key,
      display: c.display,
      category: c.category,
      chronic: c.chronic,
      snomed: { code: String(c.snomed), display: sn?.display ?? '', fromSources: Boolean(sn?.file) },
      icd10cm: icdRows,
      ccw: def ? { code: ccw, name: def.ccw_desc, abbrev: def.ccw_abbrev } : null,
      labs: c.labs ?? [],
      procedures: { icd10pcs: c.pcs ?? [], hcpcs: c.hcpcs ?? [] },
      visitTests: c.tests ?? [],
      drugsFor: treatedAs,
      variantOf: c.of ? { key: c.of, share: c.share } : null,
      drgs,
      visitsPerYear: c.visits,
      pairing,
      source: [
        sn?.file
          ? `SNOMED CT ${c.snomed} as listed in code-sources/vsac-conditions/${sn.file} (VSAC eCQM value sets via canvas-medical/canvas-plugins)`
          : `SNOMED CT ${c.snomed} entered by hand (not in the vsac-conditions rows; display written by hand in fully-specified-name form, not checked against a SNOMED CT release)`,
        `ICD-10-CM ${codes.map(dotted).join(', ')} from code-sources/icd10cm/icd10cm.csv (CDC/NCHS FY2025 via PHSKC-APDE/reference-data; billable = leaf)`,
        ccw ? `CCW ${ccw} from code-sources/icd10cm/ccw-icd10cm.csv (CMS Chronic Conditions Warehouse, 30 conditions)` : null,
      ].filter(Boolean).join('; '),
    });
  }
  // A variant (a more specific form of a condition, e.g. mixed hyperlipidemia of hyperlipidemia) is what
  // a member drawn with its head condition has, in the share given; shares of one head stay under 1.
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const shares = new Map();
  for (const r of rows) {
    if (!r.variantOf) continue;
    const head = byKey.get(r.variantOf.key);
    if (!head) problem(`conditions: ${r.key}: variant of unknown condition ${r.variantOf.key}`);
    else if (head.variantOf) problem(`conditions: ${r.key}: variant of ${head.key}, itself a variant`);
    if (!(r.variantOf.share > 0)) problem(`conditions: ${r.key}: variant share must be above 0`);
    shares.set(r.variantOf.key, (shares.get(r.variantOf.key) ?? 0) + r.variantOf.share);
  }
  for (const [k, s] of shares) if (s >= 1) problem(`conditions: variants of ${k} share ${s}, not under 1`);
  const missing = [...ccwDefs.keys()].filter((k) => !k.includes('.') && !rows.some((r) => r.ccw?.code === k));
  if (missing.length) problem(`conditions: no condition for CCW ${missing.join(', ')}`);
  return {
    description:
      'Conditions for the representative population: SNOMED CT concept (as listed in the VSAC eCQM rows), billable ICD-10-CM codes paired by hand (same value set, or an obvious same-concept pair with the reason), CMS CCW chronic condition, category, chronic flag, and best-effort links, chosen by hand: labs (LOINC keys of labs.json), procedures (icd10pcs.json keys, hcpcs.json codes), visit tests (keys of ../professional-procedures.json), drugsFor (the `conditions` keys of drugs.json whose drugs treat it), variantOf (the head condition this is a more specific form of, and the share of the head members who have this form instead), MS-DRGs of an admission (the medical DRGs listed by hand plus those of its operations) and visits per year. The conditions table the generator reads (src/codemaps/catalog.ts). See README.md.',
    rows,
  };
}

// ---------------------------------------------------------------- main
const msDrg = buildMsDrg();
const hcpcs = buildHcpcs();
const cvx = buildCvx();
const pcs = buildIcd10Pcs(new Set(msDrg.rows.map((r) => r.code)));
const conditionKeys = new Set(input('conditions').conditions.map((c) => c.k));
const labs = buildLabs(conditionKeys);
const conditions = buildConditions(new Set(labs.rows.map((r) => r.key)), pcs.rows, new Set(hcpcs.rows.map((r) => r.code)), new Set(msDrg.rows.map((r) => r.code)));

for (const [name, data] of Object.entries({ conditions, labs, 'ms-drg': msDrg, icd10pcs: pcs, hcpcs, cvx })) {
  const keys = data.rows.map((r) => r.key ?? r.code);
  const dup = keys.filter((k, i) => keys.indexOf(k) !== i);
  if (dup.length) problem(`${name}: repeated key(s) ${[...new Set(dup)].join(', ')}`);
}
if (problems.length) {
  for (const p of problems) console.error(p);
  console.error(`${problems.length} problem(s); nothing written`);
  process.exit(1);
}
let stale = 0;
for (const [name, data] of Object.entries({ conditions, labs, 'ms-drg': msDrg, icd10pcs: pcs, hcpcs, cvx })) {
  const file = join(OUT, `${name}.json`);
  const text = `${JSON.stringify(data, null, 2)}\n`;
  if (CHECK) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      console.error(`${name}.json differs from what the inputs build`);
      stale++;
    }
  } else writeFileSync(file, text);
  console.log(`${name}.json: ${data.rows.length} rows`);
}
process.exit(stale ? 1 : 0);
