import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { FHIRSEED_RUN_TAG_SYSTEM, HTEST } from '../../../src/fhir/context.js';
import { transactionBundle } from '../../../src/output/bundle.js';

/**
 * A small output directory in fhirseed's layout (directory bundle, member bundles, manifest,
 * test accounts), for tests that must not depend on the whole generator. Resources are minimal
 * but valid R4; each member has a Patient, a Coverage and `eobs` ExplanationOfBenefits.
 */
export function writeFixtureOutput(dir: string, options: { members: number; runId: string; eobs?: number; providers?: number }): { total: number; byType: Record<string, number> } {
  const meta = { security: [{ ...HTEST }], tag: [{ system: FHIRSEED_RUN_TAG_SYSTEM, code: options.runId }] };
  const byType: Record<string, number> = {};
  const count = (rs: Resource[]) => rs.forEach((r) => (byType[r.resourceType] = (byType[r.resourceType] ?? 0) + 1));
  mkdirSync(join(dir, 'bundles'), { recursive: true });
  const directory: Resource[] = [
    { resourceType: 'Organization', id: 'fx-payer', meta, active: true, name: 'Fixture Health Plan' },
    ...Array.from({ length: options.providers ?? 3 }, (_, i): Resource => ({ resourceType: 'Practitioner', id: `fx-prac-${i}`, meta, name: [{ family: `Doctor${i}` }] })),
  ];
  count(directory);
  writeFileSync(join(dir, 'bundles', 'directory.json'), JSON.stringify(transactionBundle(directory)));
  const accounts = [];
  for (let m = 0; m < options.members; m++) {
    const key = `fx-${options.runId}-${m}`;
    const patient: Resource = { resourceType: 'Patient', id: key, meta, identifier: [{ system: 'urn:fx:member', value: `M${m}` }], name: [{ family: `Member${m}`, given: ['Test'] }], gender: 'female', birthDate: '1980-01-01' };
    const coverage: Resource = {
      resourceType: 'Coverage', id: `${key}-cov1`, meta, status: 'active', beneficiary: { reference: `Patient/${key}` },
      payor: [{ reference: 'Organization/fx-payer' }], relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'self' }] },
    };
    const eobs = Array.from({ length: options.eobs ?? 2 }, (_, i): Resource => ({
      resourceType: 'ExplanationOfBenefit', id: `${key}-eob${i}`, meta, status: 'active', use: 'claim', outcome: 'complete', created: '2024-01-01',
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
      patient: { reference: `Patient/${key}` }, insurer: { reference: 'Organization/fx-payer' }, provider: { reference: `Practitioner/fx-prac-${i % (options.providers ?? 3)}` },
      insurance: [{ focal: true, coverage: { reference: `Coverage/${key}-cov1` } }],
    }));
    const resources = [patient, coverage, ...eobs];
    count(resources);
    writeFileSync(join(dir, 'bundles', `member-${String(m).padStart(6, '0')}.json`), JSON.stringify(transactionBundle(resources)));
    accounts.push({ index: m, patientId: key, memberId: `M${m}`, subscriberId: `M${m}`, claims: { professional: eobs.length, outpatient: 0, inpatient: 0, pharmacy: 0, oral: 0 } });
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ generator: 'fhirseed', runId: options.runId, counts: { byType, byProfile: {} } }));
  writeFileSync(join(dir, 'test-accounts.json'), JSON.stringify(accounts));
  return { total: Object.values(byType).reduce((a, b) => a + b, 0), byType };
}
