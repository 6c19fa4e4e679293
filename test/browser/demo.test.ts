import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bundle, ExplanationOfBenefit } from '@medplum/fhirtypes';
import type { TestAccount } from '../../src/output/accounts.js';
import { demoFile } from '../../src/serve/demo.js';
import { priorAuthorizationRow } from '../../src/serve/demo-eobs.js';
import { startServer } from '../../src/serve/index.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { exchangeCode, signIn } from '../serve/patient-login.js';
import { launchChromium, type Browser } from './chromium.js';

/*
 * Issue 18: the /demo SMART app (fhirclient, standalone launch with PKCE) in headless Chromium, loaded
 * from another origin (a second small server on another port) than the FHIR endpoint, so every call it
 * makes (token, FHIR) needs the sandbox's CORS. Needs `npm run build` (dist/demo/app.js). About 10-20 s:
 * a 6-member population, a server and a browser, shared by both tests.
 */

const SCREENSHOTS = join('output', 'screenshots');

describe('serve /demo: a SMART web app from another origin, in Chromium', () => {
  const temp = tempDir('fhirseed-demo-');
  let fhir: Awaited<ReturnType<typeof startServer>>;
  let site: Server;
  let siteOrigin: string;
  let browser: Browser;
  let me: TestAccount;
  let other: TestAccount;
  const hosts = new Set<string>();

  beforeAll(async () => {
    if (!readFileSync(join('dist', 'demo', 'app.js'), 'utf8').includes('oauth2')) throw new Error('dist/demo/app.js is not the demo bundle');
    generateTo(temp.dir, { ...shippedProfile('default'), members: 6 });
    const accounts = JSON.parse(readFileSync(join(temp.dir, 'test-accounts.json'), 'utf8')) as TestAccount[];
    [me, other] = accounts.filter((a) => Object.values(a.claims).some((n) => n > 0)) as [TestAccount, TestAccount];
    fhir = await startServer({ dir: temp.dir, auth: { mode: 'smart-patient', tokenLifetimeSeconds: 300 } });
    // The app's own origin: the same files on another port.
    site = createServer((req, res) => {
      const file = demoFile(new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, ''));
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file.contentType }).end(file.body);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteOrigin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => site?.close(resolve));
    await fhir?.close();
    temp.cleanup();
  });

  async function signedIn(account: TestAccount) {
    const { page, log } = await browser.open(`${siteOrigin}/demo?iss=${encodeURIComponent(fhir.url)}`, { width: 1100, height: 900 });
    page.on('request', (r) => hosts.add(new URL(r.url()).host));
    await page.waitForSelector('body[data-state="signed-out"]');
    await page.click('#signin-button');
    await page.waitForSelector('input[name="username"]');
    expect(new URL(page.url()).origin).toBe(new URL(fhir.url).origin);
    await page.fill('input[name="username"]', account.username);
    await page.fill('input[name="password"]', account.password);
    await Promise.all([page.waitForURL(`${siteOrigin}/demo**`), page.click('form [type="submit"], form button')]);
    await page.waitForSelector('body[data-state="ready"], body[data-state="error"]');
    expect(await page.textContent('#error')).toBe('');
    return { page, log };
  }

  it("should sign a member in and show a claims table that matches the member's claims fetched directly, prior authorizations apart", async () => {
    const { page, log } = await signedIn(me);
    const origin = new URL(fhir.url).origin;
    const token = (await exchangeCode(origin, await signIn(origin, fhir.url, me.username, me.password))).body.access_token as string;
    const eobs: ExplanationOfBenefit[] = [];
    for (let next: string | undefined = `${fhir.url}/ExplanationOfBenefit?patient=Patient/${me.patientId}&_count=100`; next; ) {
      const bundle = (await (await fetch(next, { headers: { authorization: `Bearer ${token}` } })).json()) as Bundle<ExplanationOfBenefit>;
      eobs.push(...(bundle.entry ?? []).map((e) => e.resource!).filter((r) => r.resourceType === 'ExplanationOfBenefit'));
      next = bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    const claims = eobs.filter((e) => e.use === 'claim');
    const priorAuths = eobs.filter((e) => e.use === 'preauthorization');
    // The first member of the default population has PDex prior authorizations (s16 trial B2).
    expect([claims.length > 0, priorAuths.length > 0, claims.length + priorAuths.length]).toEqual([true, true, eobs.length]);
    const rows = await page.$$eval('#claims tbody tr', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.id!, ...[...tr.querySelectorAll('td')].map((td) => td.textContent!)]));
    const usd = (v: number | undefined) => (v === undefined ? '' : v.toLocaleString('en-US', { style: 'currency', currency: 'USD' }));
    const total = (eob: ExplanationOfBenefit, code: string) => eob.total?.find((t) => t.category.coding?.some((c) => c.code === code))?.amount.value;
    const expected = claims.map((e) => [e.id!, e.billablePeriod?.start?.slice(0, 10) ?? '', usd(total(e, 'submitted')), usd(total(e, 'eligible')), usd(total(e, 'benefit')), usd(total(e, 'memberliability'))]);
    const shown = rows.map(([id, date, , , billed, allowed, paid, owes]) => [id!, date!, billed!, allowed!, paid!, owes!]);
    const byId = (a: string[], b: string[]) => a[0]!.localeCompare(b[0]!);
    expect(shown.sort(byId)).toEqual(expected.sort(byId));
    expect(rows.every((r) => r[3])).toBe(true); // every claim names its provider
    // The count is the banner's (test-accounts.json): claims only.
    expect(await page.textContent('#count')).toBe(`${Object.values(me.claims).reduce((a, b) => a + b, 0)} claims`);
    const auths = await page.$$eval('#prior-authorizations tbody tr', (trs) => trs.map((tr) => [(tr as HTMLElement).dataset.id!, ...[...tr.querySelectorAll('td')].map((td) => td.textContent!)]));
    expect(await page.isVisible('#prior-authorizations')).toBe(true);
    expect(auths.map((r) => [r[0]!, r[1]!, r[2]!, r[4]!]).sort(byId)).toEqual(
      priorAuths.map(priorAuthorizationRow).map((r) => [r.id, r.requested, r.service, r.decision]).sort(byId),
    );
    expect(auths.every((r) => r[3] && !r[3].startsWith('Organization/'))).toBe(true); // the provider by name
    expect(await page.textContent('#coverage')).not.toBe('No coverage on file.');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, 'demo.png'), fullPage: true });
    expect(log.blocked).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    expect(log.consoleErrors).toEqual([]); // none at all (headless Chromium here asks for no favicon: the 204 below tests that route)
    expect([...hosts].every((h) => h.startsWith('127.0.0.1:'))).toBe(true);
    expect(hosts.size).toBe(2); // the app's origin and the sandbox's: two origins, as a real web app
    await page.close();
  }, 60_000);

  it('should be served by serve itself at /demo and /demo/app.js (the built bundle)', async () => {
    const origin = new URL(fhir.url).origin;
    const page = await fetch(`${origin}/demo`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script src="/demo/app.js">');
    const script = await fetch(`${origin}/demo/app.js`);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect(await script.text()).toBe(readFileSync(join('dist', 'demo', 'app.js'), 'utf8'));
    expect((await fetch(`${origin}/favicon.ico`)).status).toBe(204); // browsers ask every origin; not a 404 (s16 trial B3)
  });

  it("should refuse another member's data to the signed-in app", async () => {
    const { page, log } = await signedIn(me);
    const refused = await page.evaluate(async (otherId) => {
      const client = (window as unknown as { demoClient: { request: (url: string) => Promise<unknown> } }).demoClient;
      const attempt = async (url: string) => {
        try {
          await client.request(url);
          return 'allowed';
        } catch (error) {
          return String((error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode);
        }
      };
      return [await attempt(`ExplanationOfBenefit?patient=Patient/${otherId}`), await attempt(`Patient/${otherId}`), await attempt(`Coverage?beneficiary=Patient/${otherId}`)];
    }, other.patientId);
    expect(refused.every((status) => status === '403' || status === '404')).toBe(true);
    expect(refused).toContain('403');
    expect(log.blocked).toEqual([]);
    await page.close();
  }, 60_000);
});
