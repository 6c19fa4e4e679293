import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestAccount } from '../src/output/accounts.js';
import { packageRoot } from '../src/util/paths.js';

/**
 * The sandbox at size (issue 17): for 200 and 2,000 members (10,000 too with `--sandbox-10k`), each store
 * (`memory`, `sqlite`) served by `fhirseed serve` in a child process: start-up (load) time and rate, restart
 * time from the SQLite store, RSS (VmHWM and VmRSS of the server process), and latency p50/p95/p99 of the
 * Inferno-kit searches and reads under 1 and 16 concurrent clients, with requests/s, errors and the server's CPU ms per
 * request (what a loaded machine changes least); for the SQLite store the same 1- and 16-client phases again on the
 * restarted server (`…RestartedC16…`), and its RSS.
 * Alone: `npm run build && node dist/bench/sandbox.js [--sandbox-10k]` (prints the figures as JSON); the sizes and
 * stores can be set with $FHIRSEED_BENCH_SANDBOX_MEMBERS=200,2000 and $FHIRSEED_BENCH_STORES=memory,sqlite, and
 * $FHIRSEED_BENCH_SANDBOX_DIR=DIR serves an NDJSON output generated before (its store rebuilt, DIR kept) instead of
 * generating one per size: 10,000 members take longer to generate than to serve. $FHIRSEED_BENCH_SANDBOX_SAMPLE=N
 * sends the 16-client phase's mix for N members (default 80: 960 requests in about 2.4 s, whose p95s swing ±50 ms on
 * a loaded machine; up to 5 minutes). $FHIRSEED_BENCH_SANDBOX_REUSE=1 keeps the given directory's store
 * (`StartSeconds` is then a restart, not a load), to compare serving code on one store without rebuilding it (~4 min
 * at 10,000 members). The clients send with `fetch` (undici), or with $FHIRSEED_BENCH_SANDBOX_CLIENT=http with
 * node:http and a keep-alive agent: a third to a half of fetch's CPU a request (0.23 against 0.64-0.67 ms at 10,000
 * members). The clients share the machine's two cores with the server, so their CPU (`clientCpuMsPerRequest`, the
 * bench process's) lengthens the latencies measured.
 */
export async function benchSandbox(): Promise<Record<string, number>> {
  const given = process.env.FHIRSEED_BENCH_SANDBOX_DIR;
  const sizes = given
    ? [(JSON.parse(readFileSync(join(given, 'manifest.json'), 'utf8')) as { members: { total: number } }).members.total]
    : (process.env.FHIRSEED_BENCH_SANDBOX_MEMBERS?.split(',').map(Number) ?? [200, 2000, ...(process.argv.includes('--sandbox-10k') ? [10000] : [])]);
  const stores = (process.env.FHIRSEED_BENCH_STORES ?? 'memory,sqlite').split(',');
  const results: Record<string, number> = {};
  for (const members of sizes) {
    const dir = given ?? mkdtempSync(join(tmpdir(), `fhirseed-bench-sandbox-${members}-`));
    try {
      if (!given) execFileSync(process.execPath, [bin(), 'generate', '--out', dir, '--members', String(members), '--format', 'ndjson', '--yes'], { stdio: 'ignore' });
      // A given directory's store is built anew (the first start measures the load), unless it is to be reused.
      if (given && process.env.FHIRSEED_BENCH_SANDBOX_REUSE !== '1') rmSync(join(dir, 'sandbox-store'), { recursive: true, force: true });
      const accounts = (JSON.parse(readFileSync(join(dir, 'test-accounts.json'), 'utf8')) as TestAccount[]).filter((a) => a.patientId);
      for (const store of stores) {
        const prefix = `${store}${members}`;
        const first = await serve(dir, store);
        try {
          results[`${prefix}Resources`] = first.resources;
          results[`${prefix}StartSeconds`] = first.seconds;
          results[`${prefix}LoadPerSecond`] = first.resources / first.seconds;
          for (const clients of [1, 16]) Object.assign(results, prefixed(`${prefix}C${clients}`, await latencies(first.url, accounts, clients, first.child.pid!)));
          Object.assign(results, prefixed(prefix, rss(first.child)));
        } finally {
          await stop(first.child);
        }
        if (store === 'sqlite') {
          const again = await serve(dir, store);
          try {
            results[`${prefix}RestartSeconds`] = again.seconds;
            // The same phases on the restarted server, what every serve after the first gives (the process that has just
            // built the store is measured above: docs/performance.md, s19, for what once made it slower).
            for (const clients of [1, 16]) Object.assign(results, prefixed(`${prefix}RestartedC${clients}`, await latencies(again.url, accounts, clients, again.child.pid!)));
            Object.assign(results, prefixed(`${prefix}Restarted`, rss(again.child)));
          } finally {
            await stop(again.child);
          }
        }
      }
    } finally {
      if (!given) rmSync(dir, { recursive: true, force: true });
    }
  }
  results.loadAverage1m = loadavg()[0]!;
  return results;
}

function bin(): string {
  return join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');
}

function prefixed(prefix: string, values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k[0]!.toUpperCase()}${k.slice(1)}`, v]));
}

/** Starts `fhirseed serve DIR --store STORE` and waits for its "sandbox at" line: seconds from spawn to serving. */
async function serve(dir: string, store: string): Promise<{ child: ChildProcess; url: string; resources: number; seconds: number }> {
  const packages = process.env.FHIRSEED_PACKAGES ?? join(packageRoot(), '..', 'shared', 'fhir-packages');
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [bin(), 'serve', dir, '--port', '0', '--store', store, '--packages', packages], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += String(d);
      // A restart on the SQLite store says 'N resources in the reused store' (src/cli/commands/serve.ts).
      const m = /sandbox at (\S+) \((\d+) resources (?:loaded|in the reused store)/.exec(out);
      if (m) resolve(m);
    });
    child.on('exit', (code) => reject(new Error(`bench sandbox: serve --store ${store} ended (${code}): ${err}`)));
  });
  return { child, url: match[1]!, resources: Number(match[2]), seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const ended = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGINT');
  await ended;
}

/** Peak and current resident memory of the server process, in MiB (Linux /proc). */
function rss(child: ChildProcess): Record<string, number> {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { peakRssMiB: kib('VmHWM') / 1024, rssMiB: kib('VmRSS') / 1024 };
}

/** The Inferno-kit (US Core 6.1.0, CARIN BB 2.0.0) searches and reads, for one member. */
const REQUESTS: Record<string, (patient: string) => string> = {
  readPatient: (p) => `Patient/${p}`,
  patientById: (p) => `Patient?_id=${p}`,
  eobByPatient: (p) => `ExplanationOfBenefit?patient=${p}`,
  eobIncludeAll: (p) => `ExplanationOfBenefit?patient=${p}&_include=ExplanationOfBenefit:*`,
  eobServiceDate: (p) => `ExplanationOfBenefit?patient=${p}&service-date=ge2020-01-01`,
  coverageByPatient: (p) => `Coverage?patient=${p}`,
  labsByPatient: (p) => `Observation?patient=${p}&category=laboratory`,
  conditionByPatient: (p) => `Condition?patient=${p}`,
  encounterByPatient: (p) => `Encounter?patient=${p}`,
  medicationRequest: (p) => `MedicationRequest?patient=${p}&intent=order`,
  procedureByPatient: (p) => `Procedure?patient=${p}`,
  immunizationByPatient: (p) => `Immunization?patient=${p}`,
};

/**
 * `clients` loops, each sending the whole mix for successive members until 30 s or every member sampled is done;
 * per request kind p50/p95/p99 (ms) over all its requests, and overall requests/s and errors.
 */
async function latencies(url: string, accounts: TestAccount[], clients: number, pid: number): Promise<Record<string, number>> {
  const many = Number(process.env.FHIRSEED_BENCH_SANDBOX_SAMPLE) || 80;
  const sample = accounts.slice(0, clients === 1 ? 20 : many);
  const times = new Map<string, number[]>(Object.keys(REQUESTS).map((k) => [k, []]));
  let errors = 0;
  let requests = 0;
  let next = 0;
  const deadline = Date.now() + (clients > 1 && many > 80 ? 300_000 : 30_000);
  const send = process.env.FHIRSEED_BENCH_SANDBOX_CLIENT === 'http' ? httpClient() : fetchClient();
  await warmClient(send, process.env.FHIRSEED_BENCH_SANDBOX_CLIENT ?? 'fetch');
  await send(`${url}/${REQUESTS.eobIncludeAll!(sample[0]!.patientId)}`); // warm up
  const started = process.hrtime.bigint();
  const cpuBefore = cpuMs(pid);
  const clientBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < sample.length && Date.now() < deadline) {
        const patient = sample[next++]!.patientId;
        for (const [name, request] of Object.entries(REQUESTS)) {
          const t = process.hrtime.bigint();
          if ((await send(`${url}/${request(patient)}`)) !== 200) errors++;
          requests++;
          times.get(name)!.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The server's CPU time per request does not depend on what else the machine runs (its req/s does).
  const serverCpuMsPerRequest = (cpuMs(pid) - cpuBefore) / requests;
  const client = process.cpuUsage(clientBefore);
  send.close?.();
  const clientCpuMsPerRequest = (client.user + client.system) / 1000 / requests;
  const out: Record<string, number> = { requestsPerSecond: requests / seconds, errors, requests, serverCpuMsPerRequest, clientCpuMsPerRequest };
  const all: number[] = [];
  for (const [name, list] of times) {
    list.sort((a, b) => a - b);
    all.push(...list);
    out[`${name}P50Ms`] = percentile(list, 0.5);
    out[`${name}P95Ms`] = percentile(list, 0.95);
    out[`${name}P99Ms`] = percentile(list, 0.99);
  }
  all.sort((a, b) => a - b);
  out.allP95Ms = percentile(all, 0.95);
  out.worstP95Ms = Math.max(...[...times.values()].map((l) => percentile(l, 0.95)));
  return out;
}

const warmed = new Set<string>();

/**
 * Warms the bench's own client (its HTTP code compiled, its heap grown) on a stand-in server of its own, once per
 * kind of client (`fetch`, `http`) and process, before its first measured phase: a cold client's pauses (100 ms at its first requests, measured with an
 * event-loop monitor) were counted as the sandbox's latency, and the first server measured took them all. The
 * stand-in answers a 150 KB and a 2 KB JSON body, about a kit answer's sizes; the sandbox itself is not warmed.
 */
async function warmClient(send: Send, kind: string): Promise<void> {
  if (warmed.has(kind)) return;
  warmed.add(kind);
  const big = Buffer.from(JSON.stringify({ resourceType: 'Bundle', entry: Array.from({ length: 300 }, (_, n) => ({ fullUrl: `urn:uuid:${n}`, resource: { resourceType: 'Basic', id: String(n), code: { text: 'x'.repeat(400) } } })) }));
  const stand = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/fhir+json');
    res.end(req.url === '/big' ? big : big.subarray(0, 2048));
  });
  await new Promise<void>((resolve) => stand.listen(0, '127.0.0.1', resolve));
  const { port } = stand.address() as { port: number };
  let sent = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (sent < 2_400) await send(`http://127.0.0.1:${port}/${sent++ % 3 ? 'small' : 'big'}`);
  }));
  stand.closeAllConnections();
  await new Promise((resolve) => stand.close(resolve));
}

/** Sends a GET (Accept: FHIR JSON) and reads the whole body: the status. */
type Send = ((url: string) => Promise<number>) & { close?: () => void };

function fetchClient(): Send {
  return async (url) => {
    const res = await fetch(url, { headers: { accept: 'application/fhir+json' } });
    await res.arrayBuffer();
    return res.status;
  };
}

/** node:http with one keep-alive connection per client loop (as fetch's pool keeps them). */
function httpClient(): Send {
  const agent = new http.Agent({ keepAlive: true });
  const send: Send = (url) =>
    new Promise<number>((resolve, reject) => {
      http
        .get(url, { agent, headers: { accept: 'application/fhir+json' } }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        })
        .on('error', reject);
    });
  send.close = () => agent.destroy();
  return send;
}

/** CPU time (user + system) a process has used, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await benchSandbox(), null, 2));
}
