import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Endpoint, Organization } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRANDS_FILE, USER_ACCESS_PROFILES, buildUserAccessBrands } from '../../src/fhir/smart/user-access-brands.js';
import { buildDirectory, directoryKey } from '../../src/story/directory.js';
import { generate } from '../../src/output/generate.js';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { codeMaps, shippedProfile, tempDir } from '../helpers/output.js';
import { sharedValidator } from '../helpers/validator.js';
import { UserError } from '../../src/util/errors.js';
import { describeEmbedded } from './helpers.js';

/*
 * The SMART App Launch package (hl7.fhir.uv.smart-app-launch) is neither in ../shared/fhir-packages nor on
 * the npm registry, and its profiles are FSH, not StructureDefinitions, in the public repository; so the
 * bundle is validated against base R4 with fhirseed's validator and against the 2.2.0 profiles' rules as
 * transcribed here from hl7.org/fhir/smart-app-launch (brands.html, StructureDefinition-user-access-*).
 */

/** The rules of the three SMART App Launch 2.2.0 brand profiles that this bundle must meet, as "where: problem". */
function brandProfileProblems(bundle: Bundle): string[] {
  const problems: string[] = [];
  const fail = (where: string, problem: string) => problems.push(`${where}: ${problem}`);
  // user-access-brands-bundle: type fixed collection; meta.lastUpdated 1..1; timestamp SHALL be populated.
  if (bundle.type !== 'collection') fail('Bundle.type', 'must be collection');
  if (!bundle.meta?.lastUpdated) fail('Bundle.meta.lastUpdated', 'required');
  if (!bundle.timestamp) fail('Bundle.timestamp', 'SHALL be populated');
  const entries = bundle.entry ?? [];
  const byReference = new Map(entries.map((e) => [`${e.resource?.resourceType}/${e.resource?.id}`, e.resource]));
  entries.forEach((entry, i) => {
    const r = entry.resource;
    const where = `Bundle.entry[${i}]`;
    if (!entry.fullUrl?.endsWith(`/${r?.resourceType}/${r?.id}`)) fail(`${where}.fullUrl`, 'must end with Type/id of its resource');
    if (r?.resourceType === 'Organization') {
      const o = r as Organization;
      if (!o.meta?.profile?.includes(USER_ACCESS_PROFILES.brand)) fail(where, 'brand without the user-access-brand profile');
      if (!o.name) fail(`${where}.name`, '1..1');
      if (o.telecom?.length !== 1 || o.telecom[0]!.system !== 'url' || !/^https:\/\//.test(o.telecom[0]!.value ?? '')) fail(`${where}.telecom`, '1..1, the brand website');
      // type:pab binds (required) to the User Access Category value set: organization-type codes.
      const categories = (o.type ?? []).flatMap((t) => t.coding ?? []).filter((c) => c.system === 'http://terminology.hl7.org/CodeSystem/organization-type');
      if (!categories.some((c) => ['prov', 'ins', 'laboratory', 'pharmacy', 'imaging', 'network', 'aggregator', 'pay', 'govt'].includes(c.code!))) fail(`${where}.type`, 'no user-access category');
      const endpoints = (o.endpoint ?? []).map((e) => e.reference);
      for (const ref of endpoints) if (!byReference.has(ref!)) fail(`${where}.endpoint`, `${ref} is not in the bundle`);
      const portals = (o.extension ?? []).filter((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/organization-portal');
      // uab-1: portal endpoints must also appear at Organization.endpoint.
      for (const portal of portals) {
        for (const part of portal.extension ?? []) if (part.url === 'portalEndpoint' && !endpoints.includes(part.valueReference?.reference)) fail(where, 'uab-1: a portal endpoint is not in Organization.endpoint');
        if (!portal.extension?.some((p) => p.url === 'portalUrl' && p.valueUrl)) fail(where, 'portal without portalUrl');
      }
      if (!(o.extension ?? []).some((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/organization-brand' && e.extension?.some((p) => p.url === 'brandLogo' && p.valueUrl))) fail(where, 'no brand logo');
    } else if (r?.resourceType === 'Endpoint') {
      const ep = r as Endpoint;
      if (!ep.meta?.profile?.includes(USER_ACCESS_PROFILES.endpoint)) fail(where, 'endpoint without the user-access-endpoint profile');
      if (!ep.extension?.some((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/endpoint-fhir-version' && e.valueCode)) fail(`${where}.extension`, 'fhir-version 1..*');
      if (ep.connectionType?.system !== 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type' || ep.connectionType.code !== 'hl7-fhir-rest') fail(`${where}.connectionType`, 'pattern hl7-fhir-rest');
      if (!ep.contact?.some((c) => c.system === 'url' && /^https:\/\//.test(c.value ?? ''))) fail(`${where}.contact`, 'configuration-url: an https url for developers, 1..*');
      if (!ep.address) fail(`${where}.address`, '1..1');
      if (!ep.payloadType?.length) fail(`${where}.payloadType`, '1..*');
    } else fail(where, `${r?.resourceType} is neither a brand nor an endpoint`);
  });
  return problems;
}

describe('user-access brands bundle (SMART App Launch 2.2.0)', () => {
  const bundle = buildUserAccessBrands(shippedProfile(), '2025-12-31');

  it('should meet the brand profiles\' rules, with the payer, its plans as aliases and one FHIR endpoint', () => {
    expect(brandProfileProblems(bundle)).toEqual([]);
    const brand = bundle.entry![0]!.resource as Organization;
    expect(brand.name).toBe(shippedProfile().payer.name);
    expect(brand.alias).toEqual(shippedProfile().plans.map((p) => p.name));
    expect(bundle.entry!.map((e) => e.resource!.resourceType)).toEqual(['Organization', 'Endpoint']);
  });

  it('should be valid R4 (fhirseed\'s validator: no errors)', async () => {
    const issues = (await sharedValidator()).validate([bundle]);
    expect(issues.filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('should give the brand and its endpoint run-scoped ids of the payer Organization\'s kind: the same for one profile and seed, apart for two seeds or two profiles of one seed (s14 trial U6)', () => {
    const ids = (seed: number, name = 'default') => {
      const profile = { ...shippedProfile(name), seed };
      const built = buildUserAccessBrands(profile, '2025-12-31');
      const [brand, endpoint] = built.entry!.map((e) => e.resource!) as [Organization, Endpoint];
      // Every reference to the endpoint names its id; every fullUrl ends with its entry's Type/id.
      expect(brand.endpoint).toEqual([{ reference: `Endpoint/${endpoint.id}` }]);
      expect(brandProfileProblems(built)).toEqual([]);
      return { brand: brand.id!, endpoint: endpoint.id!, key: directoryKey(profile), payer: buildDirectory(profile, codeMaps).payer.id };
    };
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.constantFrom('default', 'commercial', 'dental'), fc.constantFrom('medicaid', 'medicare-advantage'), (a, b, one, other) => {
        fc.pre(a !== b);
        const [x, y] = [ids(a, one), ids(b, other)];
        expect([x.payer, x.brand, x.endpoint]).toEqual([`fs-${x.key}-payer`, `fs-${x.key}-brand`, `fs-${x.key}-patient-access`]);
        expect(new Set([x.brand, x.endpoint, y.brand, y.endpoint, x.payer, y.payer]).size).toBe(6);
        expect(ids(a, one)).toEqual({ ...x });
        expect(ids(a, other).brand).not.toBe(x.brand);
      }),
      { numRuns: 10 },
    );
  });

  it('should tell a broken bundle (the transcribed rules can fail)', () => {
    const broken = structuredClone(bundle);
    const brand = broken.entry![0]!.resource as Organization;
    brand.endpoint = [];
    (broken.entry![1]!.resource as Endpoint).connectionType = { code: 'direct-project' };
    broken.type = 'searchset';
    expect(brandProfileProblems(broken)).toEqual([
      'Bundle.type: must be collection',
      'Bundle.entry[0]: uab-1: a portal endpoint is not in Organization.endpoint',
      'Bundle.entry[1].connectionType: pattern hl7-fhir-rest',
    ]);
  });
});

describeEmbedded('serve: the brands bundle published and advertised', () => {
  const out = tempDir('fhirseed-brands-');
  let server: RunningServer;
  let origin: string;

  beforeAll(async () => {
    const manifest = generate({ profile: { ...shippedProfile(), members: 2 }, out: join(out.dir, 'out') });
    expect(manifest.files).toContain(BRANDS_FILE);
    server = await startServer({ port: 0, dir: join(out.dir, 'out'), auth: { mode: 'smart-backend', clients: [{ clientId: 'app', secret: 's' }], staticTokens: ['tok'] } });
    origin = new URL(server.url).origin;
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    out.cleanup();
  });

  it('should advertise the bundle in the SMART configuration, and the advertised URL should answer it with this server as its endpoint', async () => {
    const config = (await (await fetch(`${origin}/.well-known/smart-configuration`)).json()) as Record<string, any>;
    expect(config.user_access_brand_bundle).toBe(`${origin}/brands.json`);
    const res = await fetch(config.user_access_brand_bundle);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const bundle = (await res.json()) as Bundle;
    expect(brandProfileProblems(bundle)).toEqual([]);
    const generated = JSON.parse(readFileSync(join(out.dir, 'out', BRANDS_FILE), 'utf8')) as Bundle;
    const endpoint = bundle.entry!.find((e) => e.resource!.resourceType === 'Endpoint')!.resource as Endpoint;
    expect(endpoint.address).toBe(server.url);
    expect((generated.entry![1]!.resource as Endpoint).address).not.toBe(server.url);
    const brand = bundle.entry![0]!.resource as Organization;
    expect(config.user_access_brand_identifier).toEqual(brand.identifier!.find((i) => i.system === 'urn:ietf:rfc:3986'));
  });

  it('should have every link resolve: the endpoint (metadata and a search with a token), the logo, the portal', async () => {
    const bundle = (await (await fetch(`${origin}/brands.json`)).json()) as Bundle;
    const endpoint = bundle.entry!.find((e) => e.resource!.resourceType === 'Endpoint')!.resource as Endpoint;
    const metadata = await fetch(`${endpoint.address}/metadata`);
    expect(metadata.status).toBe(200);
    expect(((await metadata.json()) as { resourceType: string }).resourceType).toBe('CapabilityStatement');
    const search = await fetch(`${endpoint.address}/Patient?_count=1`, { headers: { authorization: 'Bearer tok' } });
    expect(((await search.json()) as Bundle).total).toBeGreaterThan(0);
    const brand = bundle.entry![0]!.resource as Organization;
    const parts = brand.extension!.flatMap((e) => e.extension ?? []);
    const logo = await fetch(parts.find((p) => p.url === 'brandLogo')!.valueUrl!);
    expect([logo.status, logo.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
    expect(await logo.text()).toMatch(/^<svg /);
    expect((await fetch(parts.find((p) => p.url === 'portalUrl')!.valueUrl!)).status).toBe(200);
  });

  it('should not load the brand resources into the FHIR data', async () => {
    const read = (path: string) => fetch(`${server.url}/${path}`, { headers: { authorization: 'Bearer tok' } }).then((r) => r.status);
    const published = (await (await fetch(`${origin}/brands.json`)).json()) as Bundle;
    const keys = published.entry!.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
    expect(keys).toHaveLength(2);
    expect(await Promise.all(keys.map(read))).toEqual([404, 404]);
  });
});

describeEmbedded('serve: a brands.json that is not a brands bundle', () => {
  it('should refuse it in one line naming the file (a UserError: exit 2), broken JSON and another resource alike', async () => {
    const dir = tempDir('fhirseed-brands-bad-');
    try {
      for (const [name, text] of [['json', '{"resourceType": "Bundle",'], ['patient', '{"resourceType": "Patient"}']]) {
        const served = join(dir.dir, name!);
        mkdirSync(served);
        writeFileSync(join(served, BRANDS_FILE), text!);
        const error = await startServer({ port: 0, dir: served }).then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(UserError);
        expect((error as Error).message).toContain(join(served, BRANDS_FILE));
        expect((error as Error).message).not.toContain('\n');
      }
    } finally {
      dir.cleanup();
    }
  });
});
