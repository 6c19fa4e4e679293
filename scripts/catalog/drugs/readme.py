import json, collections
rows = json.load(open('/work/main/code-maps/catalog/drugs.json'))['rows']
conds = sorted({c for r in rows for c in r['conditions']})
cats = collections.Counter(r['uspCategory'] for r in rows)
n = len(rows); brand = sum(r['brand'] for r in rows); sbd = sum(r['rxnorm']['tty'] == 'SBD' for r in rows)
chronic = sum(r['chronic'] for r in rows)
ings = len({r['ingredient'] for r in rows})
text = f"""# Drug catalog (curated, not yet used by the generator)

Curated rows from published sources for the representative-population work (issue 10). Nothing in
`src/` reads this folder yet; the generator will draw its pharmacy fills from it (replacing the
8-row `../drugs.json`) once the population model lands. `test/codemaps/catalog-drugs.test.ts` checks it.

## `drugs.json`

{n} rows ({ings} ingredients; {chronic} chronic, {n - chronic} acute; {brand} brand-name packages). Each row:

| field | what |
|---|---|
| `key` | `<ingredient>-<strength>-<form>[-<brand>]`, e.g. `lisinopril-10-tab`, `rivaroxaban-10-tab-xarelto` |
| `rxnorm` | `code` (RXCUI), `display` (RxNorm normalized name) and `tty` (`SCD`, or `SBD` for a `[Brand]` name), copied from a row of `../../../shared/code-sources/rxnorm/rxnorm-value-sets-v2026.csv` (or `-v2022.csv`); `source.rxnorm` names the file, RXCUI and eCQM value set |
| `ndc` | `code`: the package NDC as 11 digits, 5-4-2 with the short segment zero-padded (4-4-2 → `0xxxx-xxxx-xx`, 5-3-2 → `xxxxx-0xxx-xx`, 5-4-1 → `xxxxx-xxxx-0x`), no dashes; `display`: `<label name>, <strength>, <package> (<labeler>, NDC <as printed>)` |
| `ingredient`, `therapeuticClass`, `uspCategory`, `classSystem` | active ingredient(s); class and category names of the USP Medicare Model Guidelines v8.0, assigned by hand (`classSystem` says so) |
| `chronic`, `daysSupply`, `quantity`, `quantityUnit`, `refills` | a typical fill: chronic 28/30/90 days with refills, acute 5–14 days with none; `quantityUnit` is the NCPDP billing unit (`EA` tablets/capsules, `ML` for pens and injectables) |
| `brand` | the NDC is a brand-name package (Eliquis, Xarelto, Basaglar, Trulicity …). The RXCUI is the clinical drug (`SCD`) where the RxNorm file has no `[Brand]` row for it |
| `conditions` | free-text keys of what the drug treats (below) |
| `source` | `ndc`: where the NDC was read; `rxnorm`: the RxNorm file row |

Rows by USP category: {', '.join(f'{c} {k}' for c, k in sorted(cats.items(), key=lambda x: -x[1]))}.

Condition keys used: {', '.join(f'`{c}`' for c in conds)}.

### Sources

- **NDCs**: FDA NDC Directory listings as served by openFDA (`https://api.fda.gov/drug/ndc.json?search=product_ndc:"<labeler-product>"`),
  read one record at a time through the session's documentation search (stored copies dated 2026-09/10).
  Each listing is the labeler's SPL product/package data, the same data DailyMed shows under "Packaging";
  the package code, its description (count and dose form, e.g. `90 TABLET, FILM COATED in 1 BOTTLE`) and the
  labeler are copied verbatim. Only packages whose listed strength and dose form match the RxNorm name were
  taken. Where the record showed the SPL set id it is quoted (open it on DailyMed as
  `https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=<id>`). Many packages are repackager NDCs
  (A-S Medication Solutions, Bryant Ranch, NuCare …) — real NDCs that appear on pharmacy claims.
- **RxNorm**: `shared/code-sources/rxnorm/` (eCQM value sets via canvas-medical/canvas-plugins; RXCUIs and names
  NLM public domain). Drugs absent from those files (levothyroxine, inhalers, PPIs, tamsulosin, allopurinol,
  sumatriptan, ondansetron, valacyclovir, emtricitabine/tenofovir …) are not in the catalog yet.

### Known gaps

- {n} of the 300 rows issue 10 asks for. Missing classes: thyroid, asthma/COPD inhalers, GERD, BPH, gout,
  osteoporosis, HIV PrEP, Parkinson, migraine, allergy, antivirals, antiemetics (RxNorm names not in the shared
  files), and, though their names are in the files, contraceptives, ADHD, dementia, more antibiotics, NSAIDs,
  opioids, steroid courses and methocarbamol/tizanidine still need NDC look-ups.
- `daysSupply`/`quantity`/`refills` are typical values chosen by hand per ingredient, not measured.
"""
open('/work/main/code-maps/catalog/README.md', 'w').write(text)
print('ok', n)
