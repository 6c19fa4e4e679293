import { mkdirSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { join } from 'node:path';
import type { Bundle, Group, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { describeEmbedded, fhir, key } from './helpers.js';
import { exchangeCode, signIn } from './patient-login.js';

// About 15 s on a loaded 2-core machine: two servers, a dozen exports, and one 24 MB file to drop halfway.

/**
 * A small hand-made payer population: four members (p1, p2 at clinic org1, p3 at clinic org2 through their active
 * CareTeams, p4 unattributed), each with a Coverage, an EOB and an Observation, plus directory resources, with
 * lastUpdated one day apart per member so `_since` has something to cut.
 */
function population(): Resource[] {
  const at = (month: number) => ({ lastUpdated: `2025-0${month}-01T00:00:00Z` });
  const resources: Resource[] = [
    { resourceType: 'Organization', id: 'org1', name: 'Clinic One', meta: at(1) },
    { resourceType: 'Organization', id: 'org2', name: 'Clinic Two', meta: at(1) },
    { resourceType: 'Practitioner', id: 'dr1', name: [{ family: 'Nguyen' }], meta: at(1) },
  ];
  for (let i = 1; i <= 4; i++) {
    const patient = { reference: `Patient/p${i}` };
    resources.push(
      { resourceType: 'Patient', id: `p${i}`, meta: at(i + 1), name: [{ family: `Family${i}` }], birthDate: '1980-01-01' },
      { resourceType: 'Coverage', id: `c${i}`, meta: at(i + 1), status: 'active', beneficiary: patient, payor: [{ reference: 'Organization/org1' }] },
      { resourceType: 'ExplanationOfBenefit', id: `e${i}`, meta: at(i + 1), status: 'active', type: { coding: [{ code: 'professional' }] }, use: i === 2 ? 'preauthorization' : 'claim', patient, created: '2025-01-01', insurer: { reference: 'Organization/org1' }, provider: { reference: 'Organization/org1' }, insurance: [{ focal: true, coverage: { reference: `Coverage/c${i}` } }], outcome: 'complete' } as Resource,
      { resourceType: 'Observation', id: `o${i}`, meta: at(i + 1), status: 'final', code: { coding: [{ system: 'http://loinc.org', code: i % 2 ? '8867-4' : '8310-5' }] }, subject: patient, effectiveDateTime: '2025-01-01', valueQuantity: { value: 70 + i, unit: '/min' } },
    );
    if (i <= 3) resources.push({ resourceType: 'CareTeam', id: `t${i}`, meta: at(i + 1), status: 'active', subject: patient, managingOrganization: [{ reference: `Organization/org${i <= 2 ? 1 : 2}` }] });
  }
  // Provenance of claims and observations (outside the Patient compartment: none targets a Patient), for
  // includeAssociatedData: e1 has two (prov-e1-new the latest, also the latest of o1), o1 an older one of its own.
  const provenance = (id: string, recorded: string, ...targets: string[]): Resource => ({ resourceType: 'Provenance', id, meta: at(1), recorded, target: targets.map((reference) => ({ reference })), agent: [{ who: { reference: 'Organization/org1' } }] });
  resources.push(
    provenance('prov-e1-old', '2025-01-02T00:00:00Z', 'ExplanationOfBenefit/e1'),
    provenance('prov-e1-new', '2025-03-02T00:00:00Z', 'ExplanationOfBenefit/e1', 'Observation/o1'),
    provenance('prov-o1-old', '2025-01-05T00:00:00Z', 'Observation/o1'),
    provenance('prov-e3', '2025-02-01T00:00:00Z', 'ExplanationOfBenefit/e3/_history/1'),
    provenance('prov-dr1', '2025-02-01T00:00:00Z', 'Practitioner/dr1'),
  );
  return resources;
}

const PREFER = { prefer: 'respond-async', accept: 'application/fhir+json' };

interface Manifest {
  transactionTime: string;
  request: string;
  requiresAccessToken: boolean;
  output: { type: string; url: string; count: number }[];
  error: unknown[];
}

/** Kick-off → poll (following Retry-After, at most 200 polls) → the manifest and every file's resources. */
async function runExport(url: string, token?: string, init: { method?: string; body?: unknown; prefer?: string } = {}) {
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const kickOff = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...PREFER, ...(init.prefer ? { prefer: init.prefer } : {}), ...auth, ...(init.body ? { 'content-type': 'application/fhir+json' } : {}) },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  expect(kickOff.status, await kickOff.clone().text()).toBe(202);
  const status = kickOff.headers.get('content-location')!;
  let poll = await fetch(status, { headers: auth });
  for (let i = 0; poll.status === 202 && i < 200; i++) {
    expect(poll.headers.get('x-progress')).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, Number(poll.headers.get('retry-after') ?? 1) * 10));
    poll = await fetch(status, { headers: auth });
  }
  expect(poll.status).toBe(200);
  expect(Date.parse(poll.headers.get('expires') ?? '')).toBeGreaterThan(Date.now());
  const manifest = (await poll.json()) as Manifest;
  const files = new Map<string, Resource[]>();
  for (const output of manifest.output) {
    const file = await fetch(output.url, { headers: { accept: 'application/fhir+ndjson', ...auth } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/fhir+ndjson');
    const lines = (await file.text()).split('\n').filter(Boolean);
    expect(lines).toHaveLength(output.count);
    files.set(output.type, lines.map((line) => JSON.parse(line) as Resource));
  }
  return { status, manifest, files };
}

const ids = (files: Map<string, Resource[]>) => [...files.values()].flat().map(key).sort();

describeEmbedded('serve: Bulk Data $export', () => {
  const temp = tempDir('fhirseed-export-');
  let server: Awaited<ReturnType<typeof startServer>>;
  let base: string;
  let clock = Date.now();

  beforeAll(async () => {
    mkdirSync(join(temp.dir, 'ndjson'));
    writeFileSync(join(temp.dir, 'ndjson', 'data.ndjson'), population().map((r) => JSON.stringify(r)).join('\n'));
    server = await startServer({ port: 0, dir: temp.dir, packagesDir: SHARED_PACKAGES, bulkExport: { now: () => clock } });
    base = server.url;
  }, 60_000);

  afterAll(async () => {
    await server.close();
    temp.cleanup();
  });

  it('should export every resource of the server, each file line equal to the resource the server serves', async () => {
    const { manifest, files } = await runExport(`${base}/$export`);
    expect(manifest.requiresAccessToken).toBe(false);
    expect(manifest.request).toBe(`${base}/$export`);
    expect(manifest.error).toEqual([]);
    expect(Date.parse(manifest.transactionTime)).not.toBeNaN();
    expect(manifest.output.map((o) => o.type)).toEqual([...manifest.output.map((o) => o.type)].sort());
    for (const [type, resources] of files) {
      const served = await fhir<Bundle>(`${base}/${type}?_count=1000`);
      expect(resources, type).toEqual(served.body.entry!.map((e) => e.resource));
    }
    // The directory and the derived attribution Groups are exported too: everything the server holds.
    expect(ids(files)).toContain('Practitioner/dr1');
    expect(files.get('Group')!.map(key).sort()).toEqual(['Group/attributed-org1', 'Group/attributed-org2']);
  });

  it('should derive a Group per attributed provider organization from the members\' active care teams', async () => {
    const group = (await fhir<Group>(`${base}/Group/attributed-org1`)).body;
    expect(group.managingEntity?.reference).toBe('Organization/org1');
    expect(group.member?.map((m) => m.entity.reference)).toEqual(['Patient/p1', 'Patient/p2']);
    expect(group.quantity).toBe(2);
  });

  // Group is in R4's Patient compartment (Group.member), so the attribution Groups come with their members' data.
  it('should export only the Patient compartments with Patient/$export, and one Group\'s members with Group/[id]/$export', async () => {
    const all = await runExport(`${base}/Patient/$export`);
    const data = (n: number[]) => n.flatMap((i) => [`Coverage/c${i}`, `ExplanationOfBenefit/e${i}`, `Observation/o${i}`, `Patient/p${i}`]);
    expect(ids(all.files)).toEqual(['CareTeam/t1', 'CareTeam/t2', 'CareTeam/t3', 'Group/attributed-org1', 'Group/attributed-org2', ...data([1, 2, 3, 4])].sort());
    const group = await runExport(`${base}/Group/attributed-org1/$export`);
    expect(ids(group.files)).toEqual(['CareTeam/t1', 'CareTeam/t2', 'Group/attributed-org1', ...data([1, 2])].sort());
  });

  it("should let a browser app read the status poll's X-Progress and Expires (CORS)", async () => {
    const kickOff = await fetch(`${base}/$export?_type=Patient`, { headers: { ...PREFER, origin: 'http://app.example' } });
    const exposed = kickOff.headers.get('access-control-expose-headers')!.toLowerCase().split(',').map((h) => h.trim());
    expect(exposed).toEqual(expect.arrayContaining(['content-location', 'retry-after', 'x-progress', 'expires']));
    expect((await fetch(kickOff.headers.get('content-location')!, { method: 'DELETE' })).status).toBe(202);
  });

  it('should restrict by _type, _since and _typeFilter, by GET or by POSTed Parameters', async () => {
    const typed = await runExport(`${base}/Patient/$export?_type=Patient,Observation&_since=2025-03-15T00:00:00Z`);
    expect(ids(typed.files)).toEqual(['Observation/o3', 'Observation/o4', 'Patient/p3', 'Patient/p4']);
    // A `+` typed unencoded, as in the spec's examples (a query decodes it as a space), means `+`.
    const plus = await runExport(`${base}/Patient/$export?_type=Patient&_outputFormat=application/fhir+ndjson&_since=2025-03-15T02:00:00+02:00`);
    expect(ids(plus.files)).toEqual(['Patient/p3', 'Patient/p4']);
    // `%24export`: a client that escapes the `$` reaches the same operation.
    const filtered = await runExport(`${base}/%24export?_type=ExplanationOfBenefit&_typeFilter=${encodeURIComponent('ExplanationOfBenefit?use=preauthorization')}`);
    expect(ids(filtered.files)).toEqual(['ExplanationOfBenefit/e2']);
    const posted = await runExport(`${base}/Group/attributed-org1/$export`, undefined, {
      method: 'POST',
      body: { resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Observation' }, { name: 'patient', valueReference: { reference: 'Patient/p2' } }] },
    });
    expect(ids(posted.files)).toEqual(['Observation/o2']);
  });

  it('should refuse a POSTed patient that is not on the server or not in the Group, or leave it out when lenient', async () => {
    const kickOff = async (path: string, ...patients: string[]) => {
      const parameter = patients.map((reference) => ({ name: 'patient', valueReference: { reference } }));
      const res = await fetch(`${base}/${path}`, { method: 'POST', headers: { ...PREFER, 'content-type': 'application/fhir+json' }, body: JSON.stringify({ resourceType: 'Parameters', parameter }) });
      return { status: res.status, text: JSON.stringify(await res.json()) };
    };
    expect(await kickOff('Patient/$export', 'Patient/p1', 'Patient/p9')).toEqual({ status: 400, text: expect.stringContaining('patient: Patient/p9 is not on this server (send Prefer: handling=lenient to export the others)') });
    expect(await kickOff('Group/attributed-org1/$export', 'Patient/p3')).toEqual({ status: 400, text: expect.stringContaining('patient: Patient/p3 is not a member of Group/attributed-org1') });
    const lenient = await runExport(`${base}/Group/attributed-org1/$export`, undefined, {
      method: 'POST',
      prefer: 'respond-async, handling=lenient',
      body: { resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Patient' }, ...['Patient/p2', 'Patient/p3'].map((reference) => ({ name: 'patient', valueReference: { reference } }))] },
    });
    expect(ids(lenient.files)).toEqual(['Patient/p2']);
    const errors = (await (await fetch((lenient.manifest.error as { url: string }[])[0]!.url)).json()) as OperationOutcome;
    expect(errors.issue.map((i) => [i.severity, i.code, i.details?.text])).toEqual([['warning', 'not-found', 'patient: Patient/p3 is not a member of Group/attributed-org1; left out (Prefer: handling=lenient)']]);
  });

  it('should keep only resources changed before _until (and after _since)', async () => {
    const { files } = await runExport(`${base}/Patient/$export?_type=Patient&_since=2025-02-15T00:00:00Z&_until=2025-04-15T00:00:00Z`);
    expect(ids(files)).toEqual(['Patient/p2', 'Patient/p3']);
    const { files: before } = await runExport(`${base}/$export?_type=Patient&_until=2025-03-01T00:00:00Z`);
    expect(ids(before)).toEqual(['Patient/p1']);
  });

  it('should cut resources to the _elements asked for plus the mandatory ones, tagged SUBSETTED', async () => {
    const { files } = await runExport(`${base}/Patient/$export?_type=Observation,Patient,Coverage&_elements=Observation.value,birthDate`);
    const subsetted = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };
    for (const observation of files.get('Observation')!) {
      const served = (await fhir<Resource & Record<string, unknown>>(`${base}/Observation/${observation.id}`)).body;
      // status and code are mandatory (1..1); subject and effective[x] are cut; value[x] was asked for.
      expect(observation).toEqual({ resourceType: 'Observation', id: served.id, meta: { ...served.meta, tag: [subsetted] }, status: served.status, code: served.code, valueQuantity: served.valueQuantity });
    }
    // A bare element applies to every type that has it: birthDate to Patient; Coverage keeps its mandatory ones.
    const patient = files.get('Patient')!.find((p) => p.id === 'p1')!;
    expect(Object.keys(patient).sort()).toEqual(['birthDate', 'id', 'meta', 'resourceType']);
    const coverage = files.get('Coverage')!.find((c) => c.id === 'c1')! as Resource & Record<string, unknown>;
    expect(Object.keys(coverage).sort()).toEqual(['beneficiary', 'id', 'meta', 'payor', 'resourceType', 'status']);
    expect(coverage.meta?.tag).toEqual([subsetted]);
  });

  it('should add the exported resources\' Provenance with includeAssociatedData, the latest or all of them', async () => {
    const provenanceIds = (files: Map<string, Resource[]>) => (files.get('Provenance') ?? []).map((r) => r.id).sort();
    const latest = await runExport(`${base}/Patient/$export?_type=ExplanationOfBenefit,Observation&includeAssociatedData=LatestProvenanceResources`);
    expect(provenanceIds(latest.files)).toEqual(['prov-e1-new', 'prov-e3']);
    expect(latest.manifest.output.map((o) => o.type)).toEqual(['ExplanationOfBenefit', 'Observation', 'Provenance']);
    for (const provenance of latest.files.get('Provenance')!) expect(provenance).toEqual((await fhir(`${base}/Provenance/${provenance.id}`)).body);
    const relevant = await runExport(`${base}/Group/attributed-org1/$export`, undefined, {
      method: 'POST',
      body: { resourceType: 'Parameters', parameter: [{ name: '_type', valueString: 'Observation,ExplanationOfBenefit' }, { name: 'includeAssociatedData', valueCode: 'RelevantProvenanceResources' }] },
    });
    expect(provenanceIds(relevant.files)).toEqual(['prov-e1-new', 'prov-e1-old', 'prov-o1-old']);
    // System level: the Provenance type's own file gives way to the latest Provenance of what is exported.
    const system = await runExport(`${base}/$export?includeAssociatedData=LatestProvenanceResources`);
    expect(provenanceIds(system.files)).toEqual(['prov-dr1', 'prov-e1-new', 'prov-e3']);
    expect(provenanceIds((await runExport(`${base}/$export?_type=Provenance`)).files)).toEqual(['prov-dr1', 'prov-e1-new', 'prov-e1-old', 'prov-e3', 'prov-o1-old']);
  });

  it('should answer 400 with an OperationOutcome for an unknown _type, a bad _since, an unsupported parameter or no Prefer', async () => {
    const kickOff = async (path: string, headers: Record<string, string> = PREFER) => {
      const res = await fetch(`${base}/${path}`, { headers });
      return { status: res.status, body: (await res.json()) as { resourceType: string; issue: { details: { text: string } }[] } };
    };
    for (const [path, why] of [
      ['$export?_type=Claimz', /Claimz is not a FHIR R4 resource type/],
      ['$export?_since=yesterday', /_since=yesterday is not a FHIR instant/],
      ['$export?_since=2025-01-01', /not a FHIR instant/],
      ['$export?organizeOutputBy=Patient', /organizeOutputBy is not supported: this server writes one file per resource type/],
      ['$export?includeAssociatedData=_fhirseedAll', /includeAssociatedData=_fhirseedAll is not supported \(this server answers LatestProvenanceResources and RelevantProvenanceResources\)/],
      ['$export?includeAssociatedData=LatestProvenanceResources,RelevantProvenanceResources', /name one of/],
      ['$export?_elements=Patient.nickname', /_elements: nickname is not a root element of Patient/],
      ['$export?_elements=item.sequence', /_elements: item.sequence: only root elements are taken/],
      ['$export?_elements=Claimz.id', /_elements: Claimz is not a FHIR R4 resource type/],
      ['$export?_type=Patient&_elements=Observation.value', /_elements names Observation, which _type does not ask for/],
      ['$export?_until=2025-13-01', /_until=2025-13-01 is not a FHIR instant/],
      // A date that does not exist (Date.parse read it as 2 March); the + left unencoded is shown as typed.
      ['$export?_since=2025-02-30T00:00:00+01:00', /^_since=2025-02-30T00:00:00\+01:00 is not a FHIR instant/],
      ['$export?_until=2025-04-31T00:00:00Z', /_until=2025-04-31T00:00:00Z is not a FHIR instant/],
      ['$export?_since=2025-03-01T00:00:00Z&_until=2025-02-01T00:00:00Z', /_until is not later than _since/],
      ['$export?_outputFormat=text/csv', /_outputFormat=text\/csv is not supported/],
      ['$export?_typeFilter=Observation%3Fnot-a-param%3Dx', /unknown search parameter 'not-a-param'/],
      ['Patient/$export?_type=Practitioner', /not in the Patient compartment/],
      ['Group/$export', /^Group\/\$export: \$export is at \$export \(system\), Patient\/\$export and Group\/\[id\]\/\$export \(Group\/\[id\]\/\$export needs the id of a Group: GET Group lists them\)$/],
      ['Observation/$export', /^Observation\/\$export: \$export is at/],
      ['Patient/p1/$export', /^Patient\/p1\/\$export: \$export is at/],
    ] as const) {
      const reply = await kickOff(path);
      expect(reply.status, path).toBe(400);
      expect(reply.body.resourceType).toBe('OperationOutcome');
      expect(reply.body.issue[0]!.details.text, path).toMatch(why);
    }
    expect((await kickOff('$export', { accept: 'application/fhir+json' })).body.issue[0]!.details.text).toMatch(/Prefer: respond-async/);
    // A form body (as for POST _search) says what a POST kick-off takes.
    const form = await fetch(`${base}/$export`, { method: 'POST', headers: { ...PREFER, 'content-type': 'application/x-www-form-urlencoded' }, body: '_type=Patient' });
    expect(form.status).toBe(400);
    expect(JSON.stringify(await form.json())).toContain('request body is not JSON (a form body is not read: POST a Parameters resource (application/fhir+json), or GET with the parameters in the query)');
    expect((await kickOff('Group/nobody/$export')).status).toBe(404);
    // Prefer: handling=lenient ignores what it does not support.
    const lenient = await fetch(`${base}/$export?_type=Patient&organizeOutputBy=Patient&includeAssociatedData=_everything`, { headers: { ...PREFER, prefer: 'respond-async, handling=lenient' } });
    expect(lenient.status).toBe(202);
    // …and says so in the manifest's error file: one OperationOutcome with a warning per parameter ignored.
    const status = lenient.headers.get('content-location')!;
    let poll = await fetch(status);
    for (let i = 0; poll.status === 202 && i < 200; i++) poll = await new Promise((resolve) => setTimeout(resolve, 20)).then(() => fetch(status));
    const manifest = (await poll.json()) as Manifest & { error: { type: string; url: string; count: number }[] };
    expect(manifest.output.map((o) => o.type)).toEqual(['Patient']);
    expect(manifest.error).toEqual([{ type: 'OperationOutcome', url: expect.stringMatching(/\/\$export-file\/[0-9a-f-]+\/errors\.ndjson$/), count: 1 }]);
    const errors = (await (await fetch(manifest.error[0]!.url)).text()).trim().split('\n').map((line) => JSON.parse(line) as OperationOutcome);
    expect(errors.map((o) => o.issue.map((i) => [i.severity, i.code, i.details?.text]))).toEqual([
      [
        ['warning', 'not-supported', 'organizeOutputBy ignored (Prefer: handling=lenient): this server does not support it'],
        ['warning', 'not-supported', 'includeAssociatedData=_everything ignored (Prefer: handling=lenient): this server does not support it'],
      ],
    ]);
  });

  it('should cancel a job with DELETE on its status URL, and forget finished jobs and their files after the expiry', async () => {
    const { status, manifest } = await runExport(`${base}/$export?_type=Patient`);
    const file = manifest.output[0]!.url;
    clock += 3_599_000;
    expect((await fetch(status)).status).toBe(200);
    clock += 2_000;
    expect((await fetch(status)).status).toBe(404);
    expect((await fetch(file)).status).toBe(404);

    // Cancelled at once, while it may still be writing: the server goes on answering.
    const running = await fetch(`${base}/$export`, { headers: PREFER });
    expect((await fetch(running.headers.get('content-location')!, { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(running.headers.get('content-location')!)).status).toBe(404);
    expect((await fetch(`${base}/metadata`)).status).toBe(200);

    const second = await runExport(`${base}/$export?_type=Patient`);
    expect((await fetch(second.status, { method: 'DELETE' })).status).toBe(202);
    expect((await fetch(second.status)).status).toBe(404);
    expect((await fetch(second.manifest.output[0]!.url)).status).toBe(404);
  });

  // Last in this suite: it adds 24 MB of DocumentReferences, a type no other test here exports.
  it('should go on serving when a client drops a file download halfway', async () => {
    const big = 'x'.repeat(1_000_000);
    const entry = Array.from({ length: 24 }, (_, i) => ({
      resource: { resourceType: 'DocumentReference', id: `big${i}`, status: 'current', subject: { reference: 'Patient/p1' }, content: [{ attachment: { contentType: 'text/plain', title: big } }] },
      request: { method: 'PUT', url: `DocumentReference/big${i}` },
    }));
    expect((await fhir(base, { method: 'POST', body: { resourceType: 'Bundle', type: 'batch', entry } })).status).toBe(200);
    const kickOff = await fetch(`${base}/$export?_type=DocumentReference`, { headers: PREFER });
    const status = kickOff.headers.get('content-location')!;
    let poll = await fetch(status);
    for (let i = 0; poll.status === 202 && i < 200; i++) poll = await new Promise((resolve) => setTimeout(resolve, 20)).then(() => fetch(status));
    const url = ((await poll.json()) as Manifest).output[0]!.url;
    // Read one chunk of the 24 MB file, then hang up: the server is still writing it.
    await new Promise<void>((resolve, reject) => {
      const req = httpGet(url, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      }).on('error', reject);
    });
    expect((await fetch(`${base}/metadata`)).status).toBe(200);
    const again = await fetch(url);
    expect(again.status).toBe(200);
    expect((await again.text()).split('\n').filter(Boolean)).toHaveLength(24);
  }, 60_000);
});

describeEmbedded('serve: Bulk Data $export with SMART auth', () => {
  const temp = tempDir('fhirseed-export-auth-');
  let backend: Awaited<ReturnType<typeof startServer>>;
  let patientServer: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    mkdirSync(join(temp.dir, 'ndjson'));
    writeFileSync(join(temp.dir, 'ndjson', 'data.ndjson'), population().map((r) => JSON.stringify(r)).join('\n'));
    backend = await startServer({ port: 0, dir: temp.dir, packagesDir: SHARED_PACKAGES, auth: { mode: 'smart-backend', clients: [{ clientId: 'payer', secret: 's3cret' }, { clientId: 'other', secret: 'other' }] } });
    patientServer = await startServer({ port: 0, dir: temp.dir, packagesDir: SHARED_PACKAGES, auth: { mode: 'smart-patient', members: [{ username: 'm1', password: 'pw', patientId: 'p1' }] } });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([backend.close(), patientServer.close()]);
    temp.cleanup();
  });

  const token = async (clientId: string, secret: string, scope: string) => {
    const res = await fetch(`${new URL(backend.url).origin}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  };

  it('should need a backend services token with system read scopes, limited to the types they name', async () => {
    expect((await fetch(`${backend.url}/$export`, { headers: PREFER })).status).toBe(401);
    const full = await token('payer', 's3cret', 'system/*.read');
    const { manifest, files } = await runExport(`${backend.url}/Patient/$export`, full);
    expect(manifest.requiresAccessToken).toBe(true);
    expect(files.get('Patient')).toHaveLength(4);
    // The status and files need the token, and belong to the client that started the job.
    expect((await fetch(manifest.output[0]!.url)).status).toBe(401);
    const other = await token('other', 'other', 'system/*.read');
    expect((await fetch(manifest.output[0]!.url, { headers: { authorization: `Bearer ${other}` } })).status).toBe(404);

    const patientsOnly = await token('payer', 's3cret', 'system/Patient.read');
    expect(ids((await runExport(`${backend.url}/Patient/$export`, patientsOnly)).files)).toEqual(['Patient/p1', 'Patient/p2', 'Patient/p3', 'Patient/p4']);
    const refused = await fetch(`${backend.url}/$export?_type=Observation`, { headers: { ...PREFER, authorization: `Bearer ${patientsOnly}` } });
    expect(refused.status).toBe(403);
    const noProvenance = await fetch(`${backend.url}/Patient/$export?_type=Patient&includeAssociatedData=LatestProvenanceResources`, { headers: { ...PREFER, authorization: `Bearer ${patientsOnly}` } });
    expect(noProvenance.status).toBe(403);
    expect(JSON.stringify(await noProvenance.json())).toContain("the token's scopes do not cover Provenance");
    const writeOnly = await fetch(`${backend.url}/$export`, { headers: { ...PREFER, authorization: `Bearer ${await token('payer', 's3cret', 'system/*.write')}` } });
    expect(writeOnly.status).toBe(403);
  });

  it('should start an export with every reading scope scopes_supported lists, and refuse the others with 403', async () => {
    const origin = new URL(backend.url).origin;
    const listed = ((await (await fetch(`${origin}/.well-known/smart-configuration`)).json()) as { scopes_supported: string[] }).scopes_supported;
    expect(listed).toEqual(expect.arrayContaining(['system/*.read', 'system/*.rs']));
    const { systemScope } = await import('../../src/serve/oauth/system-scopes.js');
    // A scope outside the grammar (letters out of SMART's order) gets no token at all: invalid_scope at the token endpoint.
    expect(await token('payer', 's3cret', 'system/*.sr')).toBeUndefined();
    for (const scope of listed) {
      const kickOff = await fetch(`${backend.url}/$export?_type=Patient`, { headers: { ...PREFER, authorization: `Bearer ${await token('payer', 's3cret', scope)}` } });
      expect({ scope, status: kickOff.status }).toEqual({ scope, status: systemScope(scope)?.read ? 202 : 403 });
      if (kickOff.status === 202) expect((await fetch(kickOff.headers.get('content-location')!, { method: 'DELETE', headers: { authorization: `Bearer ${await token('payer', 's3cret', scope)}` } })).status).toBe(202);
    }
  });

  it("should refuse a member's patient token (403)", async () => {
    const origin = new URL(patientServer.url).origin;
    const code = await signIn(origin, patientServer.url, 'm1', 'pw');
    const { body } = await exchangeCode(origin, code);
    const res = await fetch(`${patientServer.url}/Patient/$export`, { headers: { ...PREFER, authorization: `Bearer ${body.access_token}` } });
    expect(res.status).toBe(403);
    expect(JSON.stringify(await res.json())).toMatch(/patient token may not use Bulk Data/);
  });
});

describe('serve: $export request parsing', () => {
  it('should accept the three NDJSON spellings of _outputFormat', async () => {
    const { parseExportRequest } = await import('../../src/serve/export-request.js');
    for (const format of ['application/fhir+ndjson', 'application/ndjson', 'ndjson']) {
      expect(() => parseExportRequest('system', undefined, [['_outputFormat', format]], false)).not.toThrow();
    }
  });
});
