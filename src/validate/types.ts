/** One problem found in a resource, OperationOutcome-style. */
export interface Issue {
  /** The resource's `resourceType`; '' when it has none or it is not a string (summary.ts `issueResource` names it). */
  resourceType: string;
  /** The resource's `id`; '' when it has none. */
  id: string;
  /** The profile canonical the issue is against; absent for base R4 checks. */
  profile?: string;
  /** Element path: instance path for base checks (`Patient.name[0].given`), element id for profile checks. */
  path: string;
  severity: 'error' | 'warning';
  message: string;
  /** The file the resource was read from (as given on the command line, joined with the path below it); absent when not read from a file. */
  file?: string;
  /** NDJSON: the resource's line (1-based). */
  line?: number;
  /** A Bundle file read by its entries: the resource's index in `Bundle.entry` (0-based). */
  entry?: number;
}

export interface ElementDefinition {
  id: string;
  path: string;
  min?: number;
  max?: string;
  sliceName?: string;
  mustSupport?: boolean;
  contentReference?: string;
  type?: { code: string; profile?: string[]; targetProfile?: string[] }[];
  slicing?: { discriminator?: { type: string; path: string }[]; rules?: string };
  binding?: { strength: string; valueSet?: string };
  constraint?: { key: string; severity: string; expression?: string; human?: string }[];
  [key: string]: unknown;
}

export interface StructureDefinition {
  resourceType: 'StructureDefinition';
  url: string;
  version?: string;
  name: string;
  type: string;
  kind: string;
  derivation?: string;
  abstract?: boolean;
  baseDefinition?: string;
  snapshot?: { element: ElementDefinition[] };
}
