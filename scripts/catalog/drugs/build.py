#!/usr/bin/env python3
"""Builds code-maps/catalog/drugs.json from raw.tsv (openFDA NDC records, one package per line) + meta below."""
import os
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
SRC = os.environ.get('CODE_SOURCES', os.path.join(REPO, '..', 'shared', 'code-sources'))
import json, re, sys
RX = {}
for f, tag in ((SRC + '/rxnorm/rxnorm-value-sets-v2026.csv', 'v2026'), (SRC + '/rxnorm/rxnorm-value-sets-v2022.csv', 'v2022')):
    import csv
    for r in csv.DictReader(open(f)):
        RX.setdefault(r['rxcui'], (r['display'], f.split('/')[-1], r['value_set_name']))
BYNAME = {v[0]: k for k, v in RX.items()}
exec(open(HERE + '/meta.py').read())  # defines META (list of tuples) and XNAMES
def ndc11(p):
    a, b, c = p.split('-')
    if len(a) == 4: a = '0' + a
    elif len(b) == 3: b = '0' + b
    elif len(c) == 1: c = '0' + c
    s = a + b + c
    assert len(s) == 11 and s.isdigit() and (len(a), len(b), len(c)) == (5, 4, 2), p
    return s
def strength(disp):
    m = re.findall(r'([\d.]+ (?:MG|UNT|MCG|ML|MG/ML|UNT/ML|MG/HR|MG/ACTUAT|MCG/ACTUAT)(?:/\w+)?)', disp)
    return ' / '.join(m)
def form(disp):
    d = disp.lower()
    for k, v in (('extended release oral tablet', 'er-tab'), ('extended release oral capsule', 'er-cap'), ('delayed release oral capsule', 'dr-cap'), ('delayed release oral tablet', 'dr-tab'),
                 ('chewable tablet', 'chew-tab'), ('disintegrating oral tablet', 'odt'), ('oral tablet', 'tab'), ('oral capsule', 'cap'), ('oral suspension', 'susp'), ('oral solution', 'soln'),
                 ('pen injector', 'pen'), ('auto-injector', 'autoinj'), ('prefilled syringe', 'syringe'), ('injectable suspension', 'inj'), ('injectable solution', 'inj'), ('injection', 'inj'), ('inhal', 'inhaler'), ('transdermal', 'patch'),
                 ('nasal spray', 'nasal'), ('vaginal system', 'ring'), ('topical', 'topical'), ('ophthalmic', 'ophth')):
        if k in d: return v
    raise SystemExit('no form for ' + disp)
rows, seen_keys, seen_ndc, problems = [], set(), set(), []
for ln, line in enumerate(open(HERE + '/raw.tsv'), 1):
    line = line.rstrip('\n')
    if not line.strip(): continue
    p = line.split('\t') + [''] * 8
    disp_or_cui, printed, label, pkg, labeler, urlq, extra = p[:7]
    brand = 'BRAND' in extra
    setid = extra if re.fullmatch(r'[0-9a-f-]{36}', extra or '') else ''
    if disp_or_cui.startswith('X'):
        cui = disp_or_cui[1:]; disp = XNAMES[cui][0]; rxsrc = XNAMES[cui][1]
    elif disp_or_cui.isdigit():
        cui = disp_or_cui; disp = RX[cui][0]; rxsrc = None
    else:
        disp = disp_or_cui
        if disp not in BYNAME: problems.append(f'line {ln}: no RxNorm row named {disp!r}'); continue
        cui = BYNAME[disp]; rxsrc = None
    if rxsrc is None:
        rxsrc = f'{RX[cui][1]} row rxcui={cui} ("{RX[cui][0]}", value set "{RX[cui][2]}")'
        tty = 'SBD' if disp.endswith(']') else 'SCD'
    else:
        tty = 'SBD' if disp.endswith(']') else 'SCD'
    meta = None
    for m in META:
        if re.search(m['match'], disp, re.I): meta = m; break
    if not meta: problems.append(f'line {ln}: no meta for {disp!r}'); continue
    code = ndc11(printed)
    if code in seen_ndc: problems.append(f'line {ln}: duplicate NDC {printed}'); continue
    seen_ndc.add(code)
    st = strength(disp)
    key = meta['key'] + '-' + re.sub(r'[^0-9.a-z/]+', '-', re.sub(r'^[\d.]+ ml / ', '', st.lower()).replace(' unt/ml', 'u-ml').replace(' mg/ml', 'mg-ml').replace(' mg', '').replace(' mcg', 'mcg')).replace('/', '-').strip('-') + '-' + form(disp)
    if brand: key += '-' + re.sub(r'[^a-z0-9]+', '-', label.lower()).strip('-').split('-')[0]
    key = re.sub(r'-+', '-', key)
    if key in seen_keys:
        n = re.match(r'(\d+)', pkg).group(1); key = f'{key}-{n}ct'
    if key in seen_keys: problems.append(f'line {ln}: duplicate key {key}'); continue
    seen_keys.add(key)
    product = '-'.join(printed.split('-')[:2])
    url = f'https://api.fda.gov/drug/ndc.json?search=product_ndc:%22{product}%22'
    days, qty, unit, refills = meta['days'], meta['qty'], meta.get('unit', 'EA'), meta['refills']
    rows.append({
        'key': key,
        'rxnorm': {'code': cui, 'display': disp, 'tty': tty},
        'ndc': {'code': code, 'display': f"{label}, {st.lower().replace(' mg', ' mg')}, {pkg} ({labeler}, NDC {printed})"},
        'ingredient': meta['ingredient'],
        'therapeuticClass': meta['cls'],
        'uspCategory': meta['cat'],
        'classSystem': 'USP Medicare Model Guidelines v8.0 (category / class)',
        'chronic': meta['chronic'],
        'daysSupply': days, 'quantity': qty, 'quantityUnit': unit, 'refills': refills,
        'brand': brand,
        'conditions': meta['conditions'],
        'source': {
            'ndc': f'FDA NDC Directory listing via openFDA ({url}): package {printed} "{pkg}", labeler {labeler}' + (f', SPL set id {setid} (DailyMed)' if setid else '') + ', retrieved 2026-11-30',
            'rxnorm': rxsrc,
        },
    })
if problems: print('\n'.join(problems)); sys.exit(1)
out = {'description': 'Curated drug catalog: RxNorm clinical/branded drug + one real 11-digit NDC (5-4-2, no dashes) of a package of it, class, typical fill, conditions treated. The generator draws drug regimens, pharmacy claims and MedicationRequest/MedicationDispense from it. See README.md in this folder.', 'rows': rows}
open(REPO + '/code-maps/catalog/drugs.json', 'w').write(json.dumps(out, indent=2) + '\n')
from collections import Counter
print(len(rows), 'rows'); print(Counter(r['therapeuticClass'] for r in rows).most_common())
