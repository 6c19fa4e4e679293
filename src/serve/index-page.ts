import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import type { AuthOptions } from './auth.js';
import { loadTestMembers, type TestMember } from './test-members.js';

/** A page the sandbox serves beside FHIR: status, content type and body. */
export interface SitePage {
  status: number;
  type: string;
  body: string | Buffer;
}

export interface SiteOptions {
  /** The served population directory (the report is made from it). */
  dir?: string;
  mode: AuthOptions['mode'];
  /** Test members to list; default: DIR/test-accounts.json when there is one. */
  members?: TestMember[];
  /** Where the ready-made data sets are; default `ready-made/` of the fhirseed package. */
  readyMadeDir?: string;
}

/** The site's paths (after the FHIR server's trailing-slash trim: `/` is ''). */
export const SITE_PATHS = { index: '', report: '/report.html', guide: '/mapping-guide.html', readyMade: '/ready-made' } as const;

const HTML = 'text/html; charset=utf-8';
const TYPES: [RegExp, string][] = [
  [/\.html$/, HTML],
  [/\.json$/, 'application/json'],
  [/\.csv$/, 'text/csv; charset=utf-8'],
  [/\.md$/, 'text/markdown; charset=utf-8'],
  [/\.(tar\.gz|tgz)$/, 'application/gzip'],
];

/**
 * The sandbox's human pages: `/` an index (FHIR endpoint, how to sign in for the auth mode, the test
 * members, links), `/report.html` the population report of the served directory (made on first
 * request, then cached), `/mapping-guide.html` the code-set mapping guide, `/ready-made/` the
 * ready-made downloads and their files. Answers undefined for any other path (the caller goes on).
 */
export function createSite(options: SiteOptions): (path: string, origin: string) => Promise<SitePage | undefined> {
  const members = options.members ?? optionalMembers(options.dir);
  const readyMade = options.readyMadeDir ?? join(packageRoot(), 'ready-made');
  let report: Promise<SitePage> | undefined;
  let guide: SitePage | undefined;
  return async (path, origin) => {
    if (path === SITE_PATHS.index || path === '/index.html') return { status: 200, type: HTML, body: indexPage(origin, options, members, existsSync(readyMade)) };
    if (path === SITE_PATHS.guide) return (guide ??= await guidePage());
    if (path === SITE_PATHS.report) return (report ??= makeReport(options.dir));
    if (path === SITE_PATHS.readyMade) return { status: 200, type: HTML, body: readyMadePage(readyMade) };
    if (path.startsWith(`${SITE_PATHS.readyMade}/`)) return readyMadeFile(readyMade, path.slice(SITE_PATHS.readyMade.length + 1));
    return undefined;
  };
}

/** Writes a site page (HEAD: headers only). */
export function sendPage(res: ServerResponse, page: SitePage, head: boolean): void {
  res.writeHead(page.status, { 'content-type': page.type, 'content-length': Buffer.byteLength(page.body), 'cache-control': 'no-cache' });
  res.end(head ? undefined : page.body);
}

// The guide's and the report's modules are imported when a page is first asked for: importing them with the server
// took ~400 ms of CPU at every start (the HTML report's charts and styles; issue 17).
async function guidePage(): Promise<SitePage> {
  const [{ loadCodeMaps }, { buildMappingGuide, guideHtml }] = await Promise.all([import('../codemaps/load.js'), import('../guide/index.js')]);
  return { status: 200, type: HTML, body: guideHtml(buildMappingGuide(loadCodeMaps())) };
}

async function makeReport(dir: string | undefined): Promise<SitePage> {
  if (!dir) return errorPage(404, 'No population report', 'This server was started without a population directory.');
  const [{ detailedReport }, { renderHtmlReport }] = await Promise.all([import('../report/index.js'), import('../report/html/index.js')]);
  try {
    return { status: 200, type: HTML, body: renderHtmlReport(await detailedReport(dir)) };
  } catch (error) {
    return errorPage(404, 'No population report', `The served directory has no report: ${(error as Error).message}`);
  }
}

function optionalMembers(dir: string | undefined): TestMember[] {
  try {
    return loadTestMembers(dir);
  } catch {
    return [];
  }
}

function readyMadeSets(dir: string): { name: string; files: string[] }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => ({ name: e.name, files: readdirSync(join(dir, e.name)).sort() }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function readyMadeFile(dir: string, rest: string): SitePage {
  // One folder and one file name, nothing else: no way out of ready-made/.
  const match = /^([a-z0-9][a-z0-9-]*)\/([A-Za-z0-9][A-Za-z0-9._-]*)$/.exec(rest) ?? /^(README\.md)$/.exec(rest);
  const file = match ? join(dir, ...match.slice(1)) : undefined;
  const type = file && TYPES.find(([re]) => re.test(file))?.[1];
  if (!file || !type || !existsSync(file) || !statSync(file).isFile()) return errorPage(404, 'Not found', `No ready-made file ${rest}.`);
  return { status: 200, type, body: readFileSync(file) };
}

function readyMadePage(dir: string): string {
  const sets = readyMadeSets(dir);
  const body = sets.length
    ? `<table><thead><tr><th>profile</th><th>files</th></tr></thead><tbody>${sets
        .map((s) => `<tr><td>${esc(s.name)}</td><td>${s.files.map((f) => `<a href="/ready-made/${encodeURIComponent(s.name)}/${encodeURIComponent(f)}">${esc(f)}</a>`).join('<br>')}</td></tr>`)
        .join('')}</tbody></table><p><a href="/ready-made/README.md">README.md</a>: what each set holds.</p>`
    : '<p>This fhirseed has no ready-made data sets (<code>npm run ready-made</code> writes them).</p>';
  return page('Ready-made data sets', `<h1>Ready-made data sets</h1><p>25 members of each shipped profile: a <code>.tar.gz</code> of bundles, NDJSON, manifest and test accounts, with the population report.</p>${body}<p><a href="/">Back to the index</a></p>`);
}

const SIGN_IN: Record<AuthOptions['mode'], (origin: string) => string> = {
  none: () => 'No sign-in: every request is answered without a token.',
  bearer: () => 'Send <code>Authorization: Bearer &lt;token&gt;</code> with one of the tokens the server was started with (<code>--token</code>).',
  'smart-backend': (o) =>
    `SMART Backend Services: a registered client gets a token with <code>client_credentials</code> and a signed JWT assertion at <code>${esc(o)}/auth/token</code>; discovery at <a href="/.well-known/smart-configuration"><code>/.well-known/smart-configuration</code></a>.`,
  'smart-patient': (o) =>
    `SMART standalone patient launch: send the app to <code>${esc(o)}/auth/authorize</code> (authorization code with PKCE), sign in as a test member below, and exchange the code at <code>${esc(o)}/auth/token</code>; the token sees only that member's records. Discovery at <a href="/.well-known/smart-configuration"><code>/.well-known/smart-configuration</code></a>.`,
};

/** Readable IG names by package id (the manifest's `igs`). */
const IG_TITLES: Record<string, string> = {
  'hl7.fhir.us.carin-bb': 'CARIN Blue Button',
  'hl7.fhir.us.core': 'US Core',
  'hl7.fhir.us.davinci-pdex-plan-net': 'Da Vinci PDex Plan-Net',
  'hl7.fhir.us.davinci-drug-formulary': 'Da Vinci US Drug Formulary',
  'hl7.fhir.us.davinci-pdex': 'Da Vinci PDex',
};

/** "CARIN Blue Button 2.0.0, US Core 6.1.0 … data" from DIR/manifest.json's `igs`; a general phrase without one. */
function servedIgs(dir: string | undefined): string {
  try {
    const igs = (JSON.parse(readFileSync(join(dir!, 'manifest.json'), 'utf8')) as { igs?: Record<string, string> }).igs ?? {};
    const names = Object.entries(igs).map(([id, version]) => `${IG_TITLES[id] ?? id} ${version}`);
    if (names.length) return `${names.join(', ')} data`;
  } catch {
    // No manifest (a server started without DIR, or data from elsewhere): say nothing about the IGs.
  }
  return 'the served data';
}

function indexPage(origin: string, options: SiteOptions, members: TestMember[], readyMade: boolean): string {
  const fhir = `${origin}/fhir`;
  const passwords = options.mode === 'smart-patient';
  const open = options.mode === 'none';
  const rows = members
    .map((m) => {
      const patient = open ? `<a href="/fhir/Patient/${encodeURIComponent(m.patientId)}">${esc(m.patientId)}</a>` : esc(m.patientId);
      return `<tr><td>${esc(m.name ?? '')}</td><td><code>${esc(m.username)}</code></td>${passwords ? `<td><code>${esc(m.password)}</code></td>` : ''}<td>${patient}</td></tr>`;
    })
    .join('');
  const table = members.length
    ? `<table id="members"><thead><tr><th>name</th><th>username</th>${passwords ? '<th>password</th>' : ''}<th>Patient id</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>No test accounts in the served directory.</p>';
  const links = [
    `<li><a href="/fhir/metadata">CapabilityStatement</a> (<code>/fhir/metadata</code>)</li>`,
    `<li><a href="${SITE_PATHS.report}">Population report</a> of the served data (made on first view)</li>`,
    `<li><a href="${SITE_PATHS.guide}">Code-set mapping guide</a>: code systems per element, crosswalks, licence notices</li>`,
    readyMade ? `<li><a href="${SITE_PATHS.readyMade}">Ready-made data sets</a> to download</li>` : '',
  ].join('');
  return page(
    'fhirseed sandbox',
    `<h1>fhirseed sandbox</h1>
<p>FHIR R4 endpoint: <code id="endpoint">${esc(fhir)}</code> (JSON; ${esc(servedIgs(options.dir))}).</p>
<h2>Sign in</h2><p id="auth" data-mode="${options.mode}">${SIGN_IN[options.mode](origin)}</p>
<h2>Test members</h2>${table}
<h2>Pages</h2><ul id="links">${links}</ul>
<h2>Try</h2><pre>curl ${esc(fhir)}/metadata
curl '${esc(fhir)}/ExplanationOfBenefit?patient=${esc(members[0]?.patientId ?? '{id}')}'</pre>`,
  );
}

function errorPage(status: number, title: string, text: string): SitePage {
  return { status, type: HTML, body: page(title, `<h1>${esc(title)}</h1><p>${esc(text)}</p><p><a href="/">Back to the index</a></p>`) };
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:900px;margin:0 auto;padding:1rem;color:#1b1f24}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #d0d4da;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#eef1f5}code,pre{font-size:.9em;overflow-wrap:anywhere}
pre{background:#f5f6f8;padding:.6rem;white-space:pre-wrap}</style></head><body>
${body}
</body></html>
`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
