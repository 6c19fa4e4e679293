// Generates 6 default members three times (whole, shard 1/2, shard 1/1) and starts two sandboxes on them: about 20 s on
// 2 cores shared with other test runs (two package loads by the sandboxes, one by the validator).
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Group, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { readSource } from '../../src/seed/source.js';
import { SYSTEMS } from '../../src/util/systems.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { sharedValidator } from '../helpers/validator.js';

const temp = tempDir('fhirseed-groups-');
afterAll(() => temp.cleanup());
const out = join(temp.dir, 'out');
const ndjson = (dir: string, type: string) =>
  existsSync(join(dir, 'ndjson', `${type}.ndjson`)) ? readFileSync(join(dir, 'ndjson', `${type}.ndjson`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Resource) : [];
/** A Group without what the server or the run adds (meta), for comparing generated and derived ones. */
const content = ({ meta: _meta, ...rest }: Group) => rest;

let groups: Group[];
let manifest: { counts: { byType: Record<string, number> }; files: string[] };
beforeAll(() => {
  generateTo(out, { ...shippedProfile('default'), members: 6 });
  groups = ndjson(out, 'Group') as Group[];
  manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
});

describe('provider-attribution Groups written by generate', () => {
  it('should write a Group per attributed provider organization, in the bundles, the NDJSON and the manifest', () => {
    expect(groups.length).toBeGreaterThan(0);
    expect(manifest.counts.byType.Group).toBe(groups.length);
    expect(manifest.files).toEqual(expect.arrayContaining(['bundles/provider-attribution.json', 'ndjson/Group.ndjson']));
    const bundle = JSON.parse(readFileSync(join(out, 'bundles', 'provider-attribution.json'), 'utf8')) as Bundle;
    expect(bundle.entry!.map((e) => e.resource)).toEqual(groups);
    const patients = new Set(ndjson(out, 'Patient').map((p) => `Patient/${p.id}`));
    const organizations = new Set(ndjson(out, 'Organization').map((o) => `Organization/${o.id}`));
    // Every active CareTeam's managing organization has its member in that organization's Group.
    const teams = ndjson(out, 'CareTeam').filter((t) => (t as { status?: string }).status === 'active') as { subject: { reference: string }; managingOrganization: { reference: string }[] }[];
    expect(teams.length).toBeGreaterThan(0);
    for (const team of teams) {
      const group = groups.find((g) => g.managingEntity?.reference === team.managingOrganization[0]!.reference);
      expect(group?.member?.map((m) => m.entity.reference)).toContain(team.subject.reference);
    }
    for (const g of groups) {
      expect(organizations.has(g.managingEntity!.reference!)).toBe(true);
      expect(g.member!.every((m) => patients.has(m.entity.reference!))).toBe(true);
      expect(g.quantity).toBe(g.member!.length);
      expect(g.identifier).toEqual([{ system: SYSTEMS.fhirseedAttribution, value: g.managingEntity!.reference!.split('/')[1] }]);
      expect(g.meta?.tag).toEqual([{ system: SYSTEMS.fhirseedRun, code: 'default-20260101' }]);
      expect(g.meta?.profile).toEqual(['http://hl7.org/fhir/StructureDefinition/Group']);
    }
  });

  it('should validate against base R4 with 0 errors (no IG at hand profiles provider-attribution Groups)', async () => {
    const validator = await sharedValidator();
    // References resolve in the whole output (the first test checks them against it); here the Group itself is judged.
    const issues: ReturnType<typeof validator.validate> = [];
    for (const g of groups) validator.check(g, () => true, issues);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('should offer the Groups to the seeder after the members', () => {
    expect(readSource(out).groupFiles).toEqual(['bundles/provider-attribution.json']);
  });

  it('should write none for one shard of several (serve derives them), and the same for shard 1/1', () => {
    const shard = join(temp.dir, 'shard');
    generateTo(shard, { ...shippedProfile('default'), members: 6 }, { shard: { index: 1, count: 2 } });
    expect(existsSync(join(shard, 'bundles', 'provider-attribution.json'))).toBe(false);
    expect(ndjson(shard, 'Group')).toEqual([]);
    const whole = join(temp.dir, 'whole');
    generateTo(whole, { ...shippedProfile('default'), members: 6 }, { shard: { index: 1, count: 1 } });
    expect(ndjson(whole, 'Group')).toEqual(groups);
  });
});

describe('serve and the attribution Groups', () => {
  it('should serve the written Groups as they are, and derive the same ones for an output without them', async () => {
    const served = await startServer({ port: 0, dir: out, packagesDir: SHARED_PACKAGES });
    const older = join(temp.dir, 'older');
    cpSync(out, older, { recursive: true });
    rmSync(join(older, 'bundles', 'provider-attribution.json'));
    rmSync(join(older, 'ndjson', 'Group.ndjson'));
    const derivedServer = await startServer({ port: 0, dir: older, packagesDir: SHARED_PACKAGES });
    try {
      const read = async (base: string) => ((await (await fetch(`${base}/Group?_count=1000`)).json()) as Bundle<Group>).entry!.map((e) => e.resource!).sort((a, b) => a.id!.localeCompare(b.id!));
      const own = await read(served.url);
      expect(own.map((g) => ({ ...content(g), tag: g.meta?.tag }))).toEqual(groups.map((g) => ({ ...content(g), tag: g.meta?.tag })));
      const derived = await read(derivedServer.url);
      expect(derived.map(content)).toEqual(groups.map(content));
      expect(derived.every((g) => g.meta?.tag?.some((t) => t.system === 'urn:fhirseed:derived'))).toBe(true);
    } finally {
      await served.close();
      await derivedServer.close();
    }
  }, 60_000);
});
