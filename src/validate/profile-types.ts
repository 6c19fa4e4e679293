import type { fixedOrPattern, Json } from './slicing.js';
import type { NodeFinder } from './profile.js';

/** The compiled profile's internal shapes (src/validate/profile.ts). */
export interface ResourceState {
  nodes: NodeFinder;
  groups: (id: string) => Json[][];
  nodesAt: (i: number) => Json[];
  groupsAt: (i: number) => Json[][];
}

export interface ElementInfo {
  seg: Segment | undefined;
  /** Index of the parent element, -1 for the root or a parent the snapshot does not list. */
  parent: number;
  /** Index just past the run of elements after this one whose ids start with `id.` (its descendants, not its slices). */
  descendantsEnd: number;
  min: number;
  max: number;
  /** Whether the element or one of its descendants has something to check (else check skips them all). */
  needed: boolean;
  /** The fixed/pattern value compiled to a test, on first use. */
  match?: (value: Json) => boolean;
  /** See CompiledProfile.testsOf; on first use. */
  tests?: ElementTests;
}

export interface ElementTests {
  fixed: ReturnType<typeof fixedOrPattern>;
  binding: boolean;
  closed: boolean;
  choice: boolean;
  targets: boolean;
}

export const NO_TESTS: ElementTests = { fixed: undefined, binding: false, closed: false, choice: false, targets: false };

export interface Segment {
  /** The slice's membership test, compiled on first use. */
  test?: (node: Json) => boolean;
  parent: string;
  /** The last segment with its slice name, e.g. `supportingInfo:dayssupply`. */
  last: string;
  name: string;
  sliceName?: string;
  slicingId: string;
  choice: boolean;
}
