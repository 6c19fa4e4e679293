import json, collections, os
HERE = os.path.dirname(os.path.abspath(__file__))
PATH = os.path.join(HERE, '..', '..', '..', 'code-maps', 'catalog', 'drugs.json')
README = os.path.join(HERE, '..', '..', '..', 'code-maps', 'catalog', 'README.md')
rows = json.load(open(PATH))['rows']
conds = sorted({c for r in rows for c in r['conditions']})
cats = collections.Counter(r['uspCategory'] for r in rows)
n = len(rows); brand = sum(r['brand'] for r in rows); sbd = sum(r['rxnorm']['tty'] == 'SBD' for r in rows)
chronic = sum(r['chronic'] for r in rows)
ings = len({r['ingredient'] for r in rows})
distinct = len({r['rxnorm']['code'] + r['rxnorm']['display'] + str(r['brand']) for r in rows})
fda_rows = [r for r in rows if r['source']['rxnorm'].startswith('openFDA')]
fda = len(fda_rows); fda_drugs = len({r['rxnorm']['code'] for r in fda_rows})
text = f"""## `drugs.json`

{n} rows: {distinct} distinct RxNorm drugs ({ings} ingredients) with {n - distinct} further packages of the most dispensed ones
(other labelers or pack sizes, as on real claims); {chronic} chronic, {n - chronic} acute ({round(100 * (n - chronic) / n)} %); {brand} brand-name packages.
Built, not edited: `python3 scripts/catalog/drugs/build.py` (reads `../shared/code-sources/rxnorm`, or
`$CODE_SOURCES/rxnorm`) turns `raw.tsv` (one line per package read), `xnames.tsv` (RXCUIs taken from openFDA) and
`meta.py` (class, fill and conditions per ingredient) into this file and stops with one line per problem (unknown
RxNorm name, duplicate NDC or key); `python3 scripts/catalog/drugs/readme.py` then rewrites this section. Each row:

| field | what |
|---|---|
| `key` | `<ingredient>-<strength>-<form>[-<brand>][-<n>ct]`, e.g. `lisinopril-10-tab`, `rivaroxaban-10-tab-xarelto`; `-<n>ct` (package count) tells further packages of the same drug apart |
| `rxnorm` | `code` (RXCUI), `display` (RxNorm normalized name) and `tty` (`SCD`, or `SBD` for a `[Brand]` name). {n - fda} rows: copied from a row of `../../../shared/code-sources/rxnorm/rxnorm-value-sets-v2026.csv` (or `-v2022.csv`); `source.rxnorm` names the file, RXCUI and eCQM value set. {fda} rows ({fda_drugs} drugs the files lack): the RXCUI is read from the `openfda.rxcui` list of the openFDA NDC record named in `source.rxnorm` (only records that list that single RXCUI, or where the note says how it was singled out), and the name is written by hand in RxNorm's normalized form (`<ingredient> <n> MG <dose form>`; RxNorm writes MG, never MCG) — check these names against RxNav before relying on them |
| `ndc` | `code`: the package NDC as 11 digits, 5-4-2 with the short segment zero-padded (4-4-2 → `0xxxx-xxxx-xx`, 5-3-2 → `xxxxx-0xxx-xx`, 5-4-1 → `xxxxx-xxxx-0x`), no dashes; `display`: `<label name>, <strength>, <package> (<labeler>, NDC <as printed>)` |
| `ingredient`, `therapeuticClass`, `uspCategory`, `classSystem` | active ingredient(s); class and category names of the USP Medicare Model Guidelines v8.0, assigned by hand (`classSystem` says so) |
| `chronic`, `daysSupply`, `quantity`, `quantityUnit`, `refills` | a typical fill: chronic 28/30/84/90 days with refills, acute 1–14 days with none; `quantityUnit` is the NCPDP billing unit (`EA` tablets/capsules, `ML` for pens and injectables) |
| `brand` | the NDC is a brand-name package (Eliquis, Xarelto, Jardiance, Entresto, Basaglar, Trulicity). The RXCUI is the clinical drug (`SCD`) where the RxNorm file has no `[Brand]` row for it |
| `conditions` | free-text keys of what the drug treats (below) |
| `source` | `ndc`: where the NDC was read; `rxnorm`: the RxNorm file row or the openFDA record |

Rows by USP category: {', '.join(f'{c} {k}' for c, k in sorted(cats.items(), key=lambda x: -x[1]))}.

Condition keys used: {', '.join(f'`{c}`' for c in conds)}.

### Sources

- **NDCs**: FDA NDC Directory listings as served by openFDA (`https://api.fda.gov/drug/ndc.json?search=product_ndc:"<labeler-product>"`),
  read one record at a time from stored copies of the openFDA records (dated 2026-09/10), on 2026-11-30.
  Each listing is the labeler's SPL product/package data, the same data DailyMed shows under "Packaging";
  the package code, its description (count and dose form, e.g. `90 TABLET, FILM COATED in 1 BOTTLE`) and the
  labeler are copied verbatim. Only packages whose listed strength and dose form match the RxNorm name were
  taken. Where the record showed the SPL set id it is quoted (open it on DailyMed as
  `https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=<id>`). Many packages are repackager NDCs
  (A-S Medication Solutions, Bryant Ranch, NuCare …) — real NDCs that appear on pharmacy claims;
  manufacturers' packages were preferred where the search showed both.
- **RxNorm**: `shared/code-sources/rxnorm/` (eCQM value sets via canvas-medical/canvas-plugins; RXCUIs and names
  NLM public domain), and for drugs absent from those files the `openfda.rxcui` field of openFDA NDC records
  (openFDA data: public domain, CC0; openFDA asks not to rely on it for medical care).

### Known gaps

- Still without rows: asthma/COPD inhalers, nasal steroids and antihistamines, osteoporosis (alendronate), HIV PrEP,
  Parkinson, migraine (sumatriptan), oseltamivir, tizanidine, meloxicam, benzonatate, insulins other than the two
  glargine pens, GLP-1s other than dulaglutide (the openFDA records read listed several RXCUIs per product, or
  none, so the RXCUI could not be pinned to the strength). `meta.py` already holds class and fill for several of them.
- The {fda} openFDA-sourced names are hand-written in RxNorm form, not copied from an RxNorm release.
- Packs (Z-pak, methylprednisolone dose pack, 28-day contraceptive cards) are coded with the clinical drug (SCD),
  not the RxNorm pack concept (GPCK), which the catalog's `tty` does not allow.
- `daysSupply`/`quantity`/`refills` are typical values chosen by hand per ingredient, not measured.

"""
old = open(README).read()
a = old.index('## `drugs.json`')
b = old.index('\n## ', a + 5) + 1
open(README, 'w').write(old[:a] + text + old[b:])
print('ok', n)
