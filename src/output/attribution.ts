import type { MemberBuilder } from './member-builder.js';
import type { RenderedGroup } from './render.js';
import type { OutputWriter, Shard } from './writer.js';

/**
 * Gathers the members' provider attribution as they are written (Patient id → Organization ids, a few
 * strings a member) and writes the attribution Groups after the last member (bundles/provider-attribution.json,
 * ndjson/Group.ndjson, counted in the manifest), so that seeding carries them to other servers. A Group
 * lists members of every shard, which no one shard knows: with `--shard i/N` (N > 1) none is written and
 * `serve` derives them from the loaded data, as it does for outputs made before Groups were written.
 */
export class Attribution {
  /**
   * Organization id → the attributed Patient ids, in the order written. Kept per Organization, each id once, so that
   * nothing is held per member but its Patient id (about 40 bytes): a `[patient, [organizations]]` pair per member,
   * with the Organization ids copied into each (a worker's answer is a structured clone), held 16.2 MiB of heap at
   * 100,000 members against 3–4 MiB this way, all of it live until the run's end (issue 13: peak RSS at 100,000).
   */
  private readonly byOrganization = new Map<string, string[]>();

  constructor(private readonly shard: Shard | undefined) {}

  /** Keeps the member's attribution; returns the group as it is. */
  add(group: RenderedGroup): RenderedGroup {
    for (const [patient, organizations] of group.attribution ?? []) {
      for (const organization of organizations) {
        const patients = this.byOrganization.get(organization);
        if (patients === undefined) this.byOrganization.set(organization, [patient]);
        else patients.push(patient);
      }
    }
    return group;
  }

  /** Writes the Groups (after the last member), unless the run is one shard of several or nobody is attributed. */
  write(builder: MemberBuilder, writer: OutputWriter): void {
    if (this.shard && this.shard.count > 1) return;
    const groups = builder.groups(this.pairs());
    if (groups) writer.writeDirectory(groups);
  }

  /** The attribution as `builder.groups` reads it (Patient id, Organization ids), one pair per Patient and Organization. */
  private *pairs(): Generator<[string, string[]]> {
    for (const [organization, patients] of this.byOrganization) for (const patient of patients) yield [patient, [organization]];
  }
}
