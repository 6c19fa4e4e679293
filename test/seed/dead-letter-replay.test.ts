// V s19 items 6 and 7, against a real `serve --validate`: a Patient with gender "mail" is refused (422), its member's
// transaction falls back to entry-by-entry PUTs, and the refused Patient is dead-lettered, with the member's Coverage and
// ExplanationOfBenefit that refer to it.
// 6: once the data file is corrected, --retry-dead-letter must send the corrected resource, not the refused copy
//    the dead-letter file stored (which failed forever); the stored copy only when the output no longer holds it.
// 7: a second seed of the same (still bad) output must count the fallback's PUTs that changed nothing as unchanged,
//    as the transaction path does, not as updated.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seed, statePaths } from '../../src/seed/seed.js';
import { formatSeedSummary } from '../../src/seed/report.js';
import { UserError } from '../../src/util/errors.js';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { describeEmbedded } from '../helpers/fhir-server.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { testSeedOptions, uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { tempDir } from './helpers/temp.js';

describeEmbedded('seed into serve --validate: a refused resource, corrected in the data files', () => {
  const temp = tempDir('fhirseed-dead-letter-replay-');
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ port: 0, validate: true, packagesDir: SHARED_PACKAGES });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    temp.remove();
  });

  /** An output of 3 members whose member 1 Patient has gender `gender`; returns its dir, file and the Patient's id. */
  function output(name: string, gender: string): { dir: string; file: string; id: string; total: number } {
    const dir = join(temp.dir, name);
    const { total } = writeFixtureOutput(dir, { members: 3, runId: uniqueRunId(name), eobs: 1 });
    const file = join(dir, 'bundles', 'member-000001.json');
    const id = setGender(file, gender);
    return { dir, file, id, total };
  }

  function setGender(file: string, gender: string): string {
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as Bundle;
    const patient = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as Patient;
    (patient as { gender: string }).gender = gender;
    writeFileSync(file, JSON.stringify(bundle));
    return patient.id!;
  }

  async function storedGender(id: string): Promise<string | undefined> {
    const response = await fetch(`${server.url}/Patient/${id}`);
    return response.status === 200 ? ((await response.json()) as Patient).gender : undefined;
  }

  it('should send the corrected resource on --retry-dead-letter, and say it was re-read from the data files', async () => {
    const { dir, file, id } = output('corrected', 'mail');
    const first = await seed(testSeedOptions(server.url, dir));
    expect([first.deadLettered, first.ok]).toEqual([3, false]);
    expect(formatSeedSummary(first)).toContain('(correct the data files or the server, then --retry-dead-letter sends them again as the data files hold them)');
    expect(await storedGender(id)).toBeUndefined();

    setGender(file, 'male');
    const replay = await seed(testSeedOptions(server.url, dir, { retryDeadLetter: true }));
    expect([replay.deadLettered, replay.ok, replay.created]).toEqual([0, true, 3]);
    expect(replay.replayed).toEqual({ fromOutput: 3, asStored: 0 });
    expect(formatSeedSummary(replay)).toContain('  replayed 3 dead letters: 3 as the data files hold them now\n');
    expect(await storedGender(id)).toBe('male');
  }, 60_000);

  it('should send the stored copy when the data files no longer hold the resource, and say so', async () => {
    const { dir, file } = output('gone', 'mail');
    expect((await seed(testSeedOptions(server.url, dir))).deadLettered).toBe(3);
    rmSync(file);
    const replay = await seed(testSeedOptions(server.url, dir, { retryDeadLetter: true, verify: false }));
    // The stored copy is the refused one: refused again, and kept in the dead-letter file.
    expect(replay.replayed).toEqual({ fromOutput: 0, asStored: 3 });
    expect(replay.deadLettered).toBe(3);
    expect(formatSeedSummary(replay)).toContain('  replayed 3 dead letters: 0 as the data files hold them now, 3 as the dead-letter file stored them (no longer in the data files)\n');
  }, 60_000);

  it('should refuse, sending nothing, when an edit left a data file holding a dead letter not JSON, naming line and column', async () => {
    const { dir, file } = output('broken', 'mail');
    expect((await seed(testSeedOptions(server.url, dir))).deadLettered).toBe(3);
    const letters = readFileSync(statePaths({ dir }).deadLetter, 'utf8');
    writeFileSync(file, '{\n  "resourceType": "Bundle",\n  "entry": [,]\n}\n');
    await expect(seed(testSeedOptions(server.url, dir, { retryDeadLetter: true }))).rejects.toThrow(new UserError(`${file}:3:13: not JSON (Unexpected token ',')`));
    expect(readFileSync(statePaths({ dir }).deadLetter, 'utf8')).toBe(letters);
  }, 60_000);

  it('should count the entry-by-entry fallback PUTs that changed nothing as unchanged on a second seed', async () => {
    const { dir, total } = output('again', 'mail');
    const first = await seed(testSeedOptions(server.url, dir));
    expect([first.created + first.updated, first.deadLettered]).toEqual([total - 3, 3]);
    const again = await seed(testSeedOptions(server.url, dir));
    expect({ created: again.created, updated: again.updated, unchanged: again.unchanged, deadLettered: again.deadLettered }).toEqual({
      created: 0, updated: 0, unchanged: total - 3, deadLettered: 3,
    });
  }, 60_000);

  it('should count unchanged PUTs in upsert mode too', async () => {
    const { dir, file, total } = output('upsert', 'female');
    const first = await seed(testSeedOptions(server.url, dir, { mode: 'upsert' }));
    // The fixture's directory (fx-payer, fx-prac-*) is shared by this file's outputs: updated here when an earlier test stored it.
    expect([first.deadLettered, first.created + first.updated]).toEqual([0, total]);
    setGender(file, 'male');
    const again = await seed(testSeedOptions(server.url, dir, { mode: 'upsert' }));
    expect({ created: again.created, updated: again.updated, unchanged: again.unchanged }).toEqual({ created: 0, updated: 1, unchanged: total - 1 });
  }, 60_000);
});
