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
  private readonly byPatient: [string, string[]][] = [];

  constructor(private readonly shard: Shard | undefined) {}

  /** Keeps the member's attribution; returns the group as it is. */
  add(group: RenderedGroup): RenderedGroup {
    if (group.attribution) this.byPatient.push(...group.attribution);
    return group;
  }

  /** Writes the Groups (after the last member), unless the run is one shard of several or nobody is attributed. */
  write(builder: MemberBuilder, writer: OutputWriter): void {
    if (this.shard && this.shard.count > 1) return;
    const groups = builder.groups(this.byPatient);
    if (groups) writer.writeDirectory(groups);
  }
}
