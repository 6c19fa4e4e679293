import type { CapabilityStatement } from '@medplum/fhirtypes';
import { CapabilityTool } from 'fhir-kit-client';
import { UserError } from '../util/errors.js';
import type { FhirHttpClient } from './http.js';
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

export async function fetchCapabilities(client: FhirHttpClient): Promise<ServerCapabilities> {
  const response = await client.send('GET', 'metadata');
  const statement = response.body as CapabilityStatement | undefined;
  if (response.status !== 200 || statement?.resourceType !== 'CapabilityStatement') {
    throw new UserError(`${client.baseUrl}/metadata: ${describeFailure(response.status, response.body, 'no CapabilityStatement')}`, 1);
  }
  return readCapabilities(statement);
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
