import type { CapabilityStatement } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { assertModeSupported, readCapabilities } from '../../src/seed/capabilities.js';
import { deletionOrder } from '../../src/seed/purge.js';
import { collect } from '../helpers/fhir-walk.js';
import { bundleResources, generateTo, shippedProfile, tempDir } from '../helpers/output.js';

const statement = (extra: Partial<CapabilityStatement> = {}, interactions = ['transaction', 'batch']): CapabilityStatement => ({
  resourceType: 'CapabilityStatement', status: 'active', date: '2025-01-01', kind: 'instance', fhirVersion: '4.0.1', format: ['json'],
  rest: [{
    mode: 'server',
    interaction: interactions.map((code) => ({ code: code as 'transaction' })),
    resource: [{ type: 'Patient', supportedProfile: ['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient|2.0.0'] }],
  }],
  ...extra,
});

describe('reading a CapabilityStatement', () => {
  it('should find the declared profiles and the transaction and batch interactions', () => {
    const c = readCapabilities(statement({ instantiates: ['http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server'] }));
    expect(c.transaction).toBe(true);
    expect(c.profiles).toEqual(['http://hl7.org/fhir/us/carin-bb/StructureDefinition/C4BB-Patient|2.0.0', 'http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server']);
    expect(c.maxBundleSize).toBeUndefined();
  });

  it('should take a bundle size limit from a max-bundle-size extension', () => {
    const c = readCapabilities(statement({ extension: [{ url: 'https://example.org/fhir/StructureDefinition/max-bundle-size', valueInteger: 25 }] }));
    expect(c.maxBundleSize).toBe(25);
  });

  it('should refuse transaction mode when the server lists interactions without transaction', () => {
    expect(() => assertModeSupported(readCapabilities(statement({}, ['batch'])), 'transaction')).toThrow(/--mode batch/);
    expect(() => assertModeSupported(readCapabilities(statement({}, ['batch'])), 'batch')).not.toThrow();
    // A statement that lists no system interactions at all says nothing either way.
    expect(() => assertModeSupported(readCapabilities(statement({}, [])), 'transaction')).not.toThrow();
  });
});

describe('purge order', () => {
  it('should delete referrers before what they refer to, other tagged types in between', () => {
    const order = deletionOrder(['Organization', 'Patient', 'Observation', 'Coverage', 'ExplanationOfBenefit', 'RelatedPerson', 'Practitioner', 'Basic']);
    expect(order).toEqual(['ExplanationOfBenefit', 'Observation', 'Basic', 'Coverage', 'RelatedPerson', 'Patient', 'Practitioner', 'Organization']);
  });

  it('should find no reference cycle in a generated population, and order types so that referrers go first', () => {
    const t = tempDir();
    try {
      generateTo(t.dir, { ...shippedProfile('default'), members: 25 });
      const resources = bundleResources(t.dir).flatMap((b) => b.resources);
      const edges = new Map<string, string[]>();
      const typeEdges = new Set<string>();
      for (const r of resources) {
        const from = `${r.resourceType}/${r.id}`;
        const targets = collect<string>(r, 'reference').filter((ref) => /^[A-Z][A-Za-z]+\/[^/]+$/.test(ref) && ref !== from);
        edges.set(from, targets);
        for (const ref of targets) if (!ref.startsWith(`${r.resourceType}/`)) typeEdges.add(`${r.resourceType} → ${ref.split('/')[0]}`);
      }
      // A cycle of references can never be deleted from a server that keeps referential integrity.
      const state = new Map<string, 'open' | 'done'>();
      const cycles: string[] = [];
      const visit = (node: string, path: string[]): void => {
        if (state.get(node) === 'done') return;
        if (state.get(node) === 'open') {
          cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
          return;
        }
        state.set(node, 'open');
        for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
        state.set(node, 'done');
      };
      for (const node of edges.keys()) visit(node, []);
      expect(cycles.slice(0, 3)).toEqual([]);
      // By type, referrers go first, except where the two types refer to each other through different
      // resources (Condition → Encounter for a visit diagnosis, Encounter → Condition for its reason):
      // purge then deletes what it can and takes the rest in a later pass.
      const order = deletionOrder(resources.map((r) => r.resourceType));
      const misordered = [...typeEdges].filter((e) => {
        const [from, to] = e.split(' → ') as [string, string];
        return order.indexOf(from) > order.indexOf(to) && !typeEdges.has(`${to} → ${from}`);
      });
      expect(misordered).toEqual([]);
    } finally {
      t.cleanup();
    }
  });
});
