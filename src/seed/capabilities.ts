import type { CapabilityStatement } from '@medplum/fhirtypes';
import { CapabilityTool } from 'fhir-kit-client';
import { UserError } from '../util/errors.js';
import type { FhirHttpClient, FhirResponse } from './http.js';
import { describeFailure } from './outcome.js';
import type { SeedMode } from './send.js';

export interface ServerCapabilities {
  statement: CapabilityStatement;
  fhirVersion?: string;
  transaction: boolean | undefined;
  batch: boolean | undefined;
  /** Largest bundle the server says it takes, when it says so. */
  maxBundleSize?: number;
  /** Every profile the statement names (supportedProfile, profile, instantiates, implementationGuide). */
  profiles: string[];
}

/**
 * The server's CapabilityStatement (GET [base]/metadata): the first contact of seed, purge and ping.
 * Throws UserError (exit 2), one line naming the URL, when there is no FHIR server to talk to:
 * unreachable (NetworkFailure, from the client), credentials wanted or refused (AuthRefused, or a
 * 403 here), no FHIR server at that path (404, HTML, not a CapabilityStatement), or a server error.
 */
export async function fetchCapabilities(client: FhirHttpClient): Promise<ServerCapabilities> {
  const response = await client.send('GET', 'metadata');
  const statement = response.body as CapabilityStatement | undefined;
  if (response.status !== 200 || statement?.resourceType !== 'CapabilityStatement') {
    throw new UserError(`${client.baseUrl}/metadata: ${whyNotCapabilities(response)}`, 2);
  }
  return readCapabilities(statement);
}

/** Why an answer to GET metadata is not a CapabilityStatement, with what to check. */
function whyNotCapabilities(response: FhirResponse): string {
  const { status, body } = response;
  const header = response.headers['content-type'];
  const contentType = (Array.isArray(header) ? header[0] : header)?.split(';')[0]?.trim() || '(none)';
  const isJson = /[/+]json$/i.test(contentType);
  if (status === 403) return `${describeFailure(status, body)} — the server refuses /metadata without credentials: give --auth and its secret`;
  if (status >= 500) return `${describeFailure(status, isJson ? body : undefined, 'server error')} — the server failed; try again later or ask its operator`;
  if (status === 404 || status === 405) return `HTTP ${status}: no FHIR server at this base URL — check the path in --server (often …/fhir or …/r4)`;
  if (!isJson) return `not a FHIR server: HTTP ${status} with content-type ${contentType}, not FHIR JSON — check --server (the FHIR base URL, not a web page)`;
  if (status !== 200) return `${describeFailure(status, body)} — check --server`;
  const kind = (body as { resourceType?: unknown } | undefined)?.resourceType;
  return `not a FHIR server: the answer is ${typeof kind === 'string' ? `a ${kind}` : 'JSON'}, not a CapabilityStatement — check --server`;
}

export function readCapabilities(statement: CapabilityStatement): ServerCapabilities {
  const tool = new CapabilityTool(statement as unknown as { resourceType: string });
  const serverRest = statement.rest?.find((r) => r.mode === 'server');
  const declaresInteractions = Boolean(serverRest?.interaction?.length);
  const profiles = new Set<string>();
  for (const r of serverRest?.resource ?? []) {
    if (r.profile) profiles.add(r.profile);
    for (const p of r.supportedProfile ?? []) profiles.add(p);
  }
  for (const p of statement.instantiates ?? []) profiles.add(p);
  for (const p of statement.implementationGuide ?? []) profiles.add(p);
  return {
    statement,
    fhirVersion: statement.fhirVersion,
    transaction: declaresInteractions ? tool.serverCan('transaction') : undefined,
    batch: declaresInteractions ? tool.serverCan('batch') : undefined,
    maxBundleSize: maxBundleSizeOf(statement),
    profiles: [...profiles].sort(),
  };
}

/**
 * FHIR has no standard element for a bundle size limit; some servers put one in an extension
 * (e.g. …/max-bundle-size, maxBatchSize). Any integer extension so named, anywhere in the statement's
 * top level or rest block, is taken.
 */
function maxBundleSizeOf(statement: CapabilityStatement): number | undefined {
  const holders = [statement, ...(statement.rest ?? [])] as { extension?: { url?: string; valueInteger?: number; valueUnsignedInt?: number; valuePositiveInt?: number; valueDecimal?: number }[] }[];
  for (const holder of holders) {
    for (const ext of holder.extension ?? []) {
      if (!/max[-_ ]?(bundle|batch|transaction)[-_ ]?(size|entries)/i.test(ext.url ?? '')) continue;
      const value = ext.valuePositiveInt ?? ext.valueUnsignedInt ?? ext.valueInteger ?? ext.valueDecimal;
      if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
    }
  }
  return undefined;
}

/** A mode the server says it does not support is a user mistake worth one clear line. */
export function assertModeSupported(capabilities: ServerCapabilities, mode: SeedMode): void {
  if (mode === 'transaction' && capabilities.transaction === false) {
    throw new UserError(`the server's CapabilityStatement does not list the transaction interaction; use --mode batch or --mode upsert`);
  }
  if (mode === 'batch' && capabilities.batch === false) {
    throw new UserError(`the server's CapabilityStatement does not list the batch interaction; use --mode transaction or --mode upsert`);
  }
}
