import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kitsCommand, kitsRun } from '../../src/cli/commands/kits.js';
import { valuesAt } from '../../src/kits/elements.js';
import { formatKitReports } from '../../src/kits/format.js';
import { runKits, type KitReport, type TestResult } from '../../src/kits/run.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { runCommand } from '../seed/helpers/cli.js';
import { externalBaseUrl } from '../serve/helpers.js';

const byId = (reports: KitReport[]) => new Map(reports.flatMap((r) => r.results).map((t) => [t.test, t]));

/**
 * The Inferno CARIN BB and US Core kits' search, read, must-support and reference tests replayed against
 * the embedded sandbox on a fresh 25-member default population (`fhirseed kits`). Tests that fail or skip for
 * want of data (issue 11's second list) are printed, not asserted: the server's own behaviour is.
 */
describe.skipIf(Boolean(externalBaseUrl))('kits: the Inferno kits replayed against the embedded sandbox', () => {
  let reports: KitReport[];
  let results: Map<string, TestResult>;

  beforeAll(async () => {
    reports = await kitsRun({ profile: 'default', members: '25', packages: SHARED_PACKAGES, all: false });
    results = byId(reports);
    console.log(formatKitReports(reports));
  }, 300_000);

  it('should find no server-behaviour failure in either kit', () => {
    const serverFailures = reports.flatMap((r) => r.results).filter((t) => t.cause === 'server');
    expect(serverFailures.map((t) => `${t.test}: ${t.reason}`)).toEqual([]);
    expect(reports.map((r) => r.kit)).toEqual(['carin-bb', 'us-core']);
  });

  it('should pass the tests issue 11 found failing for the server', () => {
    for (const id of [
      'carin-bb_capability_statement',
      'us-core_capability_statement',
      'c4bb_v200_eob__lastUpdated_search_test',
      'c4bb_v200_eob_service_start_date_search_test',
      'c4bb_v200_eob_include_ExplanationOfBenefit_All_search_test',
      'c4bb_v200_eob_patient_search_test',
      'us_core_v610_patient__id_search_test',
    ]) {
      expect(results.get(id)?.outcome, `${id}: ${results.get(id)?.reason}`).toBe('pass');
    }
  });

  it('should pass every test, required and optional, and skip none for want of data, in both kits', () => {
    const all = reports.flatMap((r) => r.results);
    expect(all.filter((t) => t.outcome === 'fail').map((t) => `${t.test}: ${t.reason}`)).toEqual([]);
    expect(all.filter((t) => t.outcome === 'skip').map((t) => `${t.test}: ${t.reason}`)).toEqual([]);
    for (const id of ['us_core_clinical_note_types', 'us_core_clinical_note_attachments', 'us_core_311_data_absent_reason_extension', 'us_core_v610_patient_must_support_test', 'us_core_v610_condition_encounter_diagnosis_patient_asserted_date_search_test']) {
      expect(results.get(id)?.outcome, `${id}: ${results.get(id)?.reason}`).toBe('pass');
    }
  });

  it('should pass every CARIN BB test, the optional must-support ones too (payerid without a system, as the kit matches it)', () => {
    const carin = reports.find((r) => r.kit === 'carin-bb')!;
    expect(carin.results.filter((t) => t.outcome === 'fail').map((t) => `${t.test}: ${t.reason}`)).toEqual([]);
  });

  it('should list the validator and SMART tests as not run, with the reason', () => {
    const notRun = reports.flatMap((r) => r.results).filter((t) => t.outcome === 'not run');
    expect(notRun.some((t) => t.kind === 'validation' && /Java validator/.test(t.reason ?? ''))).toBe(true);
    expect(notRun.some((t) => /person/.test(t.reason ?? ''))).toBe(true);
    expect(notRun.every((t) => t.reason)).toBe(true);
  });
});

describe('kits: a server that answers wrongly', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    // Answers /metadata without instantiates or profiles, and 400 to everything else.
    server = createServer((req, res) => {
      const metadata = req.url?.endsWith('/metadata');
      const body = metadata ? { resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], rest: [{ mode: 'server' }] } : { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', details: { text: 'no' } }] };
      res.writeHead(metadata ? 200 : 400, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('should report its CapabilityStatement and searches as server failures', async () => {
    const reports = await runKits({ server: base, patients: ['p1'], kitsDir: process.env.FHIRSEED_KITS ?? (await import('../../src/kits/kit.js')).defaultKitsDir(), kits: ['carin-bb'] });
    const results = byId(reports);
    expect(results.get('carin-bb_capability_statement')).toMatchObject({ outcome: 'fail', cause: 'server' });
    expect(results.get('c4bb_v200_eob_patient_search_test')).toMatchObject({ outcome: 'fail', cause: 'server' });
    expect(results.get('c4bb_v200_eob_patient_search_test')?.reason).toMatch(/HTTP 400/);
  });
});

describe('kits: user mistakes', () => {
  it('should refuse --server without patients, and an unreachable server, in one line with exit 2', async () => {
    const noPatients = await runCommand(kitsCommand, ['kits', '--server', 'http://127.0.0.1:9/fhir']);
    expect(noPatients.exitCode).toBe(2);
    expect(noPatients.stderr.trim().split('\n')).toHaveLength(1);
    expect(noPatients.stderr).toMatch(/--patient/);
    const unreachable = await runCommand(kitsCommand, ['kits', '--server', 'http://127.0.0.1:9/fhir', '--patient', 'p1']);
    expect(unreachable.exitCode).toBe(2);
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/fhir\/metadata/);
  });

  it('should refuse to replay against an embedded sandbox without the IG packages (exit 2, nothing left behind)', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'fhirseed-kits-nopackages-'));
    try {
      const run = await runCommand(kitsCommand, ['kits', '--members', '1', '--packages', empty, '--kit', 'carin-bb']);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toMatch(/^fhirseed: kits: the embedded sandbox needs the IG packages/m);
      expect(run.stdout).toBe('');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('kits: values the kits take from a resource', () => {
  it("should follow a search definition's where(url='…') to the extension it names (a URL with dots)", () => {
    const condition = { resourceType: 'Condition', extension: [{ url: 'http://example.org/other', valueDateTime: '2020-01-01' }, { url: 'http://hl7.org/fhir/StructureDefinition/condition-assertedDate', valueDateTime: '2024-03-05' }] };
    expect(valuesAt(condition, "extension.where(url='http://hl7.org/fhir/StructureDefinition/condition-assertedDate').valueDateTime")).toEqual(['2024-03-05']);
    expect(valuesAt(condition, "extension.where(url='http://none.example/x').valueDateTime")).toEqual([]);
  });
});
