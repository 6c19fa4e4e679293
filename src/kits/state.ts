import type { Resource } from '@medplum/fhirtypes';
import type { KitClient } from './client.js';
import type { GroupMetadata, KitFile, KitGroup, KitName, KitTest } from './kit.js';

export type Outcome = 'pass' | 'fail' | 'skip' | 'not run';

/** One kit test's result. `cause` says whether a failure or skip is the server's doing or wants data. */
export interface TestResult {
  kit: KitName;
  group: string;
  test: string;
  title: string;
  kind: string;
  optional: boolean;
  outcome: Outcome;
  reason?: string;
  cause?: 'server' | 'data';
}

/** What one kit's run has found so far: resources per test scratch key, and the delayed (referenced) resources by type. */
export class KitState {
  private readonly scratch = new Map<string, Map<string, Resource>>();
  /** Organization, Practitioner, PractitionerRole, Provenance…: reached through references or `_revinclude`. */
  readonly delayed = new Map<string, Map<string, Resource>>();

  constructor(
    readonly name: KitName,
    readonly kit: KitFile,
    readonly client: KitClient,
    readonly patients: string[],
    /** Pages a search reads: the CARIN kit reads the first, the US Core kit up to 20. */
    readonly pages: number,
  ) {}

  resources(key: string | undefined): Resource[] {
    return [...(this.scratch.get(key ?? '')?.values() ?? [])];
  }

  add(key: string | undefined, resources: Resource[]): void {
    const map = this.scratch.get(key ?? '') ?? new Map<string, Resource>();
    for (const r of resources) map.set(`${r.resourceType}/${r.id}`, r);
    this.scratch.set(key ?? '', map);
  }

  addDelayed(resources: Resource[]): void {
    for (const r of resources) {
      const map = this.delayed.get(r.resourceType) ?? new Map<string, Resource>();
      map.set(`${r.resourceType}/${r.id}`, r);
      this.delayed.set(r.resourceType, map);
    }
  }

  delayedOf(type: string): Resource[] {
    return [...(this.delayed.get(type)?.values() ?? [])];
  }

  /** The resource type a profile constrains (the kit's table, else the last URL segment of a base profile). */
  profileType(profile: string): string {
    return this.kit.profile_types[profile] ?? profile.split('/').pop() ?? profile;
  }
}

/** A test's context: its kit state, group and metadata (the test's own for a sub-profile). */
export interface TestContext {
  state: KitState;
  group: KitGroup;
  test: KitTest;
  metadata: GroupMetadata;
}

export function result(ctx: TestContext, outcome: Outcome, reason?: string, cause?: 'server' | 'data'): TestResult {
  return {
    kit: ctx.state.name,
    group: ctx.group.id,
    test: ctx.test.id,
    title: ctx.test.title ?? ctx.test.id,
    kind: ctx.test.kind,
    optional: Boolean(ctx.test.optional || ctx.group.optional),
    outcome,
    ...(reason ? { reason } : {}),
    ...(cause ? { cause } : {}),
  };
}
