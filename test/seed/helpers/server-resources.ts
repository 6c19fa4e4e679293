import type { Resource } from '@medplum/fhirtypes';
import { expect } from 'vitest';
import { connect } from '../../../src/seed/connect.js';
import { testConnection } from './data.js';

/** PUTs each resource at its id on the server (FHIR base URL), expecting 200 or 201 each. */
export async function putResources(server: string, resources: Resource[]): Promise<void> {
  const { client } = connect(testConnection(server));
  try {
    for (const r of resources) expect([200, 201]).toContain((await client.send('PUT', `${r.resourceType}/${r.id}`, r)).status);
  } finally {
    await client.close();
  }
}

/** Whether the server reads the resource (200). */
export async function existsOn(server: string, r: Resource): Promise<boolean> {
  const { client } = connect(testConnection(server));
  try {
    return (await client.send('GET', `${r.resourceType}/${r.id}`)).status === 200;
  } finally {
    await client.close();
  }
}
