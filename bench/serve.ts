import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Coverage, Resource } from '@medplum/fhirtypes';
import { loadCodeMaps } from '../src/codemaps/load.js';
import type { TestAccount } from '../src/output/accounts.js';
import { generate } from '../src/output/generate.js';
import { loadProfile } from '../src/profile/load.js';
import { profileLoadOptions } from '../src/story/limits.js';
import { startServer } from '../src/serve/index.js';
import { loadDirectory } from '../src/serve/load.js';
import { createEngine } from '../src/serve/router.js';
import { packageRoot } from '../src/util/paths.js';

const MEMBERS = 300;
const BUNDLE_SIZE = 100;
/** Each search runs once per member sampled (different patients, so no answer is reused). */
const SAMPLES = 40;

/**
 * The embedded server: in-process preload rate, HTTP load rate through 100-entry transactions,
 * and the latency (median, p95) of the CARIN BB searches, on a 300-member default population.
 */
export async function benchServe(): Promise<Record<string, number>> {
  const codeMaps = loadCodeMaps();
  const profile = loadProfile(join(packageRoot(), 'profiles', 'default.yaml'), profileLoadOptions(codeMaps));
  const out = mkdtempSync(join(tmpdir(), 'fhirseed-bench-serve-'));
  try {
    generate({ profile: { ...profile, members: MEMBERS }, out, codeMaps, formats: ['bundles'] });
    const results: Record<string, number> = { members: MEMBERS };
    results.inProcessLoadRate = await inProcessLoadRate(out);
    // The packages give the CARIN BB search parameters (service-date); the seeder bench runs without them.
    const packagesDir = process.env.FHIRSEED_PACKAGES ?? join(packageRoot(), '..', 'shared', 'fhir-packages');
    const server = await startServer({ port: 0, packagesDir });
    try {
      const load = await loadOverHttp(server.url, out);
      results.resources = load.resources;
      results.httpTransactionLoadRate = load.rate;
      Object.assign(results, await searchLatencies(server.url, out));
    } finally {
      await server.close();
    }
    return results;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Resources per second preloading `dir` straight into the engine (no HTTP); bench/seed.ts reads it too. */
export async function inProcessLoadRate(dir: string): Promise<number> {
  const { router, repo } = createEngine(); // indexes the R4 definitions outside the timing
  const started = process.hrtime.bigint();
  const { loaded, errors } = await loadDirectory(dir, router, repo);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (errors.length) throw new Error(`bench serve: ${errors.length} resources failed to load, e.g. ${errors[0]}`);
  return loaded / seconds;
}

/** Every resource of the output as PUT entries, the directory first, posted as 100-entry transactions one after another. */
async function loadOverHttp(url: string, dir: string): Promise<{ resources: number; rate: number }> {
  const files = readdirSync(join(dir, 'bundles')).sort((a, b) => Number(b === 'directory.json') - Number(a === 'directory.json') || a.localeCompare(b));
  const resources = files.flatMap((f) => ((JSON.parse(readFileSync(join(dir, 'bundles', f), 'utf8')) as Bundle).entry ?? []).map((e) => e.resource as Resource));
  const started = process.hrtime.bigint();
  for (let i = 0; i < resources.length; i += BUNDLE_SIZE) {
    const entry = resources.slice(i, i + BUNDLE_SIZE).map((resource) => ({ resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } }));
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }),
    });
    if (res.status !== 200) throw new Error(`bench serve: transaction at ${i} answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer().catch(() => undefined);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { resources: resources.length, rate: resources.length / seconds };
}

async function searchLatencies(url: string, dir: string): Promise<Record<string, number>> {
  const accounts = (JSON.parse(readFileSync(join(dir, 'test-accounts.json'), 'utf8')) as TestAccount[]).slice(0, SAMPLES);
  const coverage = (await getJson<Bundle<Coverage>>(`${url}/Coverage?_count=1`)).entry?.[0]?.resource;
  const payor = coverage?.payor[0]?.reference ?? '';
  const queries: Record<string, (patientId: string) => string> = {
    eobByPatient: (p) => `ExplanationOfBenefit?patient=${p}`,
    eobIncludeCoverage: (p) => `ExplanationOfBenefit?patient=${p}&_include=ExplanationOfBenefit:coverage`,
    eobByServiceDate: (p) => `ExplanationOfBenefit?patient=${p}&service-date=ge2020-01-01`,
    coverageByPayor: () => `Coverage?payor=${payor}`,
    patientEverything: (p) => `Patient/${p}/$everything`,
  };
  const results: Record<string, number> = {};
  for (const [name, query] of Object.entries(queries)) {
    await getJson(`${url}/${query(accounts[0]!.patientId)}`); // warm up
    const times: number[] = [];
    for (const account of accounts) {
      const started = process.hrtime.bigint();
      await getJson(`${url}/${query(account.patientId)}`);
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    results[`${name}MedianMs`] = percentile(times, 0.5);
    results[`${name}P95Ms`] = percentile(times, 0.95);
  }
  return results;
}

async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/fhir+json' } });
  if (res.status !== 200) throw new Error(`bench serve: ${url} answered ${res.status}`);
  return (await res.json()) as T;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}
