import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { report } from '../../src/report/index.js';
import { tempDir } from '../helpers/output.js';
import { condition, coverage, eob, ICD10CM, patient, SNOMED, writeBundle, writeNdjson, type Kind } from './builders.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));
function dir(): string {
  const t = tempDir('fhirseed-report-prop-');
  temps.push(t.cleanup);
  return t.dir;
}

const day = fc.integer({ min: 0, max: 364 }).map((d) => new Date(Date.UTC(2025, 0, 1 + d)).toISOString().slice(0, 10));
const kinds: Kind[] = ['inpatient', 'outpatient', 'professional', 'pharmacy', 'oral'];
const claim = fc.record({
  kind: fc.constantFrom(...kinds),
  start: day,
  stay: fc.integer({ min: 0, max: 9 }),
  lines: fc.array(fc.record({ allowed: fc.integer({ min: 0, max: 5000 }), paid: fc.integer({ min: 0, max: 5000 }), er: fc.boolean() }), { minLength: 1, maxLength: 4 }),
  dx: fc.subarray(['E11.9', 'I10', 'E78.5', 'J45.909', 'F32.9', 'Z00.00']),
  daysSupply: fc.constantFrom(30, 60, 90),
});
const member = fc.record({
  birthYear: fc.integer({ min: 1930, max: 2024 }),
  gender: fc.constantFrom('female' as const, 'male' as const),
  plan: fc.constantFrom('HIP', 'MCPOL', 'PUBLICPOL', 'DENTAL'),
  from: day,
  to: day,
  claims: fc.array(claim, { maxLength: 6 }),
  snomedDiabetes: fc.boolean(),
});

type Member = typeof member extends fc.Arbitrary<infer T> ? T : never;

/** One member's resources, from the drawn facts. */
function resources(m: Member, i: number): Resource[] {
  const id = `m${i}`;
  const [start, end] = m.from <= m.to ? [m.from, m.to] : [m.to, m.from];
  const group = m.plan === 'MCPOL' ? 'Individual Medicare Advantage' : 'Group';
  return [
    patient(id, `${m.birthYear}-03-01`, m.gender),
    coverage(`${id}-cov`, id, m.plan, start, end, group),
    ...m.claims.map((c, k) => {
      const end = new Date(Date.parse(`${c.start}T00:00:00Z`) + c.stay * 86_400_000).toISOString().slice(0, 10);
      return eob(`${id}-eob${k}`, id, c.kind, {
        start: c.start,
        end: c.kind === 'inpatient' ? end : c.start,
        admission: c.kind === 'inpatient' ? { start: c.start, end } : undefined,
        daysSupply: c.kind === 'pharmacy' ? c.daysSupply : undefined,
        dx: c.dx,
        lines: c.lines.map((l) => ({ allowed: l.allowed, paid: l.paid, revenue: l.er && c.kind === 'outpatient' ? '0450' : undefined, pos: l.er ? '23' : undefined })),
      });
    }),
    ...(m.snomedDiabetes ? [condition(`${id}-c`, id, 'active', { [SNOMED]: '44054006', [ICD10CM]: 'E11.9' })] : []),
  ];
}

/** The report without the path it was read from. */
async function measure(path: string) {
  const { source: _source, ...rest } = await report(path);
  return rest;
}

describe('report invariance', () => {
  it('should give the same report whatever the order of lines and however the data is split across bundles and NDJSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(member, { minLength: 1, maxLength: 8 }), fc.integer(), fc.integer({ min: 0, max: 8 }), async (members, salt, split) => {
        const all = members.map((m, i) => resources(m, i));
        const plain = dir();
        writeNdjson(plain, all.flat());
        const expected = await measure(plain);

        // Reordered lines, the first `split` members as bundles, the rest as NDJSON, one member in both.
        const mixed = dir();
        const shuffled = (rs: Resource[]) => [...rs].sort((a, b) => hash(`${salt}${a.id}`) - hash(`${salt}${b.id}`));
        mkdirSync(join(mixed, 'members'));
        all.slice(0, split).forEach((rs, i) => writeBundle(join(mixed, 'members', `b${i}.json`), shuffled(rs)));
        writeNdjson(join(mixed, 'rest'), shuffled(all.slice(split).flat().concat(all[0]!)));
        expect(await measure(mixed)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });
});

function hash(s: string): number {
  let h = 2166136261;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
  return h >>> 0;
}
