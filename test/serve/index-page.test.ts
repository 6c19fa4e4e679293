import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { loadTestMembers } from '../../src/serve/test-members.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

async function get(url: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** A GET with the path sent as written (fetch would resolve `..`). */
function rawGet(origin: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(origin);
    request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

describe('serve: the index page and the pages beside FHIR', () => {
  const temp = tempDir('fhirseed-index-page-');
  const dir = join(temp.dir, 'out');
  let patient: RunningServer;
  let open: RunningServer;
  let origin = '';

  beforeAll(async () => {
    generateTo(dir, { ...shippedProfile('default'), members: 3 });
    patient = await startServer({ dir, auth: { mode: 'smart-patient' }, packagesDir: SHARED_PACKAGES });
    open = await startServer({ dir, packagesDir: SHARED_PACKAGES });
    origin = patient.url.replace(/\/fhir$/, '');
  });
  afterAll(async () => {
    await patient?.close();
    await open?.close();
    temp.cleanup();
  });

  it('should answer / with the endpoint, how to sign in (smart-patient), every test member and the links', async () => {
    const page = await get(`${origin}/`);
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.text).toContain(`<code id="endpoint">${patient.url}</code>`);
    // The IGs the served data was generated for, from its manifest (the default: all five).
    expect(page.text).toContain('(JSON; CARIN Blue Button 2.0.0, US Core 6.1.0, Da Vinci PDex Plan-Net 1.1.0, Da Vinci US Drug Formulary 2.0.1, Da Vinci PDex 2.0.0 data)');
    expect(page.text).toContain('data-mode="smart-patient"');
    expect(page.text).toContain(`${origin}/auth/authorize`);
    const members = loadTestMembers(dir);
    expect(members).toHaveLength(3);
    for (const m of members) for (const v of [m.username, m.password, m.patientId]) expect(page.text).toContain(v);
    for (const href of ['/fhir/metadata', '/report.html', '/mapping-guide.html', '/ready-made']) expect(page.text).toContain(`href="${href}"`);
  });

  it('should show no passwords and link the members\' Patient resources when there is no sign-in', async () => {
    const base = open.url.replace(/\/fhir$/, '');
    const page = await get(`${base}/`);
    expect(page.text).toContain('data-mode="none"');
    const m = loadTestMembers(dir)[0]!;
    expect(page.text).not.toContain(m.password);
    expect(page.text).toContain(`href="/fhir/Patient/${m.patientId}"`);
    expect((await get(`${base}/fhir/Patient/${m.patientId}`)).status).toBe(200);
  });

  it('should serve the report of the served directory, the mapping guide and the ready-made files', async () => {
    const report = await get(`${origin}/report.html`);
    expect(report.status).toBe(200);
    expect(report.text).toContain('figure class="chart');
    expect(report.text).toContain('3'); // the served population, not a ready-made one
    expect((await get(`${origin}/report.html`)).text).toBe(report.text);
    const guide = await get(`${origin}/mapping-guide.html`);
    expect(guide.status).toBe(200);
    expect(guide.text).toContain('Code-set mapping guide');
    const listing = await get(`${origin}/ready-made`);
    expect(listing.text).toContain('href="/ready-made/default/fhirseed-default-25.tar.gz"');
    const manifest = await get(`${origin}/ready-made/default/manifest.json`);
    expect(manifest.type).toBe('application/json');
    expect(JSON.parse(manifest.text).members.total).toBe(25);
    const archive = await fetch(`${origin}/ready-made/default/fhirseed-default-25.tar.gz`);
    expect(archive.headers.get('content-type')).toBe('application/gzip');
    expect(Buffer.from(await archive.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });

  it('should not serve files outside ready-made/ and leave FHIR as it was', async () => {
    expect(await rawGet(origin, '/ready-made/../package.json')).toBe(404);
    expect(await rawGet(origin, '/ready-made/default%2F..%2F..%2Fpackage.json')).toBe(404);
    expect(await rawGet(origin, '/ready-made/default/missing.json')).toBe(404);
    expect((await get(`${origin}/fhir/metadata`)).status).toBe(200);
    expect((await get(`${origin}/nothing-here`)).status).toBe(404);
  });
});
