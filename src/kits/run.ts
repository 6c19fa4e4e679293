import type { Resource } from '@medplum/fhirtypes';
import { KitClient } from './client.js';
import { capabilityTest, customTest, dataAbsentReason } from './custom-tests.js';
import { loadKit, type KitGroup, type KitName, type KitTest } from './kit.js';
import { followDelayedReferences, mustSupportTest, readTest, referenceTest } from './resource-tests.js';
import { includeTest, provenanceTest, searchTest } from './search-tests.js';
import { KitState, result, type TestContext, type TestResult } from './state.js';

export type { Outcome, TestResult } from './state.js';

export interface KitRunOptions {
  /** FHIR base URL, without a trailing slash. */
  server: string;
  /** Patient ids the kits search for (their `patient_ids` input). */
  patients: string[];
  /** Directory with carin-bb-v200.json and us-core-v610.json. */
  kitsDir: string;
  kits?: KitName[];
  /** A bearer token sent with every request. */
  token?: string;
}

export interface KitReport {
  kit: KitName;
  title: string;
  results: TestResult[];
  requests: number;
}

const INSTANTIATES: Record<KitName, string> = {
  'carin-bb': 'http://hl7.org/fhir/us/carin-bb/CapabilityStatement/c4bb',
  'us-core': 'http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server',
};

const VALIDATOR = "needs the HL7 Java validator (Inferno's validator service); `fhirseed validate` makes the same profile checks on the output";
const PERSON = 'needs a person: SMART App Launch sign-in, or an attestation';

/** Why a hand-written group with no test data is not replayed. */
const NOT_GENERATED: Record<string, string> = {
  capability_statement_group: 'replayed as the capability statement check',
  us_core_v610_capability_statement: 'replayed as the capability statement check',
  us_core_smart_app_launch: PERSON,
  c4bb_server_v200_visual_inspection_and_attestation: PERSON,
  us_core_v610_smart_granular_scopes: 'needs SMART App Launch with granular scopes (a person signs in)',
  us_core_v610_screening_assessment: 'hand-written group; its data is covered by the screening assessment Observation group',
  us_core_311_data_absent_reason: 'replayed as the data absent reason checks',
};

/**
 * Replays the Inferno CARIN BB 2.0.0 and US Core 6.1.0 server kits' search, read, must-support and
 * reference-resolution tests (and the hand-written data checks that need no person) against a FHIR
 * server, from the kits' test data: per test pass, fail or skip with the reason, and what is not run.
 * Failures and skips carry a cause: `server` (the server answered wrongly) or `data` (what was found
 * lacks something the kit looks for).
 */
export async function runKits(options: KitRunOptions): Promise<KitReport[]> {
  const reports: KitReport[] = [];
  for (const name of options.kits ?? (['carin-bb', 'us-core'] as KitName[])) {
    const kit = loadKit(options.kitsDir, name);
    const client = new KitClient(options.server.replace(/\/+$/, ''), options.token);
    const state = new KitState(name, kit, client, options.patients, name === 'carin-bb' ? 1 : 20);
    const results: TestResult[] = [];
    const capability = await capabilityTest(state, INSTANTIATES[name]);
    results.push({ kit: name, group: 'capability', test: `${name}_capability_statement`, title: 'CapabilityStatement instantiates the kit and lists its profiles', kind: 'capability', optional: false, ...capability, ...(capability.outcome === 'fail' ? { cause: 'server' as const } : {}) });
    // The kits run delayed groups (reached by reference) after the others.
    const groups = [...kit.groups.filter((g) => !g.metadata?.is_delayed), ...kit.groups.filter((g) => g.metadata?.is_delayed)];
    for (const group of groups) results.push(...(await runGroup(state, group)));
    if (name === 'us-core') results.push(...dataAbsentResults(state));
    reports.push({ kit: name, title: kit.kit, results, requests: client.requests });
  }
  return reports;
}

async function runGroup(state: KitState, group: KitGroup): Promise<TestResult[]> {
  if (group.kind === 'not_generated' || !group.tests) {
    const reason = NOT_GENERATED[group.id] ?? 'hand-written group without test data';
    return [{ kit: state.name, group: group.id, test: group.id, title: group.id, kind: 'group', optional: Boolean(group.optional), outcome: 'not run', reason }];
  }
  const results: TestResult[] = [];
  for (const test of group.tests) {
    const metadata = test.metadata ?? group.metadata;
    if (!metadata) {
      results.push(await runUnstructured(state, group, test));
      continue;
    }
    const ctx: TestContext = { state, group, test, metadata };
    results.push(await runTest(ctx));
    if (test.kind === 'search' && test.properties?.first_search) await followDelayedReferences(state, metadata, state.resources(test.scratch_key));
  }
  const metadata = group.metadata;
  if (metadata) {
    const keys = new Set(group.tests.map((t) => t.scratch_key));
    await followDelayedReferences(state, metadata, [...keys].flatMap((k) => state.resources(k)));
  }
  return results;
}

async function runTest(ctx: TestContext): Promise<TestResult> {
  switch (ctx.test.kind) {
    case 'search':
      return searchTest(ctx);
    case 'include_search':
      return includeTest(ctx);
    case 'provenance_revinclude':
      return provenanceTest(ctx);
    case 'read':
      return readTest(ctx);
    case 'must_support':
      return mustSupportTest(ctx);
    case 'reference_resolution':
      return referenceTest(ctx);
    case 'validation':
      return result(ctx, 'not run', VALIDATOR);
    default:
      return (await customTest(ctx)) ?? result(ctx, 'not run', 'hand-written test not replayed');
  }
}

/** Tests of groups without metadata: SMART launch (a person), clinical notes guidance (replayed). */
async function runUnstructured(state: KitState, group: KitGroup, test: KitTest): Promise<TestResult> {
  const ctx: TestContext = { state, group, test, metadata: { name: group.id, resource: '', profile_url: '', searches: [], search_definitions: {}, must_supports: { extensions: [], slices: [], elements: [] } } };
  if (group.id.includes('smart')) return result(ctx, 'not run', PERSON);
  return (await customTest(ctx)) ?? result(ctx, 'not run', 'hand-written test not replayed');
}

function dataAbsentResults(state: KitState): TestResult[] {
  const all: Resource[] = [...new Set(state.kit.groups.flatMap((g) => (g.tests ?? []).map((t) => t.scratch_key)))].flatMap((k) => state.resources(k));
  const found = dataAbsentReason(state, all);
  const base = { kit: state.name, group: 'us_core_311_data_absent_reason', kind: 'data_absent_reason', optional: false } as const;
  const row = (test: string, title: string, ok: boolean): TestResult =>
    ok ? { ...base, test, title, outcome: 'pass' } : { ...base, test, title, outcome: 'fail', reason: 'not found in any resource the searches returned', cause: 'data' };
  return [
    row('us_core_311_data_absent_reason_extension', 'Server demonstrates the data absent reason extension', found.extension),
    row('us_core_311_data_absent_reason_code', 'Server demonstrates the data absent reason code system', found.code),
  ];
}

