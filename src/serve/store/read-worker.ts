import { parentPort, workerData } from 'node:worker_threads';
import { getStatus, normalizeOperationOutcome } from '@medplum/core';
import type { Resource, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';
import Database from 'libsql';
import { inPatientCompartment } from '../compartment.js';
import { patientFilter } from '../patient-access.js';
import { seedR4ResourceElements, type R4Element } from '../r4-resources.js';
import { indexR4Types, indexSearchParameters } from '../router.js';
import { planSearch, runSearch } from '../search-extras.js';
import { answerBytes, resourceText } from './raw-json.js';
import type { ReadAnswer, ReadTask } from './read-pool.js';
import { SqliteRepository } from './sqlite-repository.js';

/**
 * Worker thread of the read pool (read-pool.ts): answers searches and reads of the SQLite store with its own
 * read-only connection, so that the server thread keeps only HTTP, auth and writes. Each task is one SQLite read
 * transaction (a snapshot: every write committed before it began, nothing of one still open), and the repository's
 * parsed-resource cache is dropped whenever another connection committed since the last task (`PRAGMA
 * data_version`). `workerData`: the store file and the IG SearchParameters the server indexed, in its order.
 */
const { file, searchParameters, definitions } = workerData as {
  file: string;
  searchParameters: SearchParameter[][];
  definitions?: { elements: [string, R4Element[]][]; resources: StructureDefinition[] };
};
if (definitions) seedR4ResourceElements(definitions.elements);
const db = new Database(file, { readonly: true, fileMustExist: true });
const repo = new SqliteRepository(db);
// R4's definitions of only the types the store holds (more as they come): every resource a worker reads is one of
// them. All 146 would take ~50 MB of each worker's heap.
indexR4Types(repo.types(), definitions?.resources);
for (const params of searchParameters) indexSearchParameters(params);
const snapshot = db.prepare('SELECT 1 FROM meta LIMIT 1').raw();
const dataVersion = db.prepare('PRAGMA data_version').raw();
let seen: unknown;
const encoder = new TextEncoder();

parentPort!.on('message', (task: ReadTask | { kind: 'close' }) => {
  if (task.kind === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  const answer = answerTask(task);
  parentPort!.postMessage(answer, [answer.body.buffer as ArrayBuffer]);
});
parentPort!.postMessage({ ready: true });

function answerTask(task: ReadTask): ReadAnswer {
  db.exec('BEGIN');
  try {
    // The snapshot starts at the first read; data_version then says whether it holds others' commits not seen yet.
    snapshot.get();
    const version = (dataVersion.get() as unknown[])[0];
    if (version !== seen) {
      if (seen !== undefined) {
        repo.forgetCached();
        indexR4Types(repo.types());
      }
      seen = version;
    }
    indexR4Types(typesNamed(task));
    return task.kind === 'read' ? read(task) : search(task);
  } catch (error) {
    const outcome = normalizeOperationOutcome(error);
    return { id: task.id, status: getStatus(outcome), body: encoder.encode(JSON.stringify(outcome)) };
  } finally {
    db.exec('COMMIT');
  }
}

/**
 * The resource types a task names: its type, and in a search's parameters (`_include=ExplanationOfBenefit:coverage`,
 * `subject:Patient.name`, `_type`) any word that may be one; indexR4Types keeps those that are R4 resource types.
 */
function typesNamed(task: ReadTask): string[] {
  if (task.kind === 'read') return [task.type];
  const words = [task.type];
  for (const [key, value] of Object.entries(task.query)) {
    for (const text of [key, ...(Array.isArray(value) ? value : [value])]) words.push(...(String(text).match(/[A-Z][A-Za-z]+/g) ?? []));
  }
  return words;
}

function search(task: Extract<ReadTask, { kind: 'search' }>): ReadAnswer {
  const { scope } = task;
  const patient = scope?.patient && patientFilter({ patient: scope.patient.id, scope: '', types: scope.patient.types === '*' ? '*' : new Set(scope.patient.types) });
  const compartment = scope?.compartment;
  const visible = compartment
    ? (r: Resource) => inPatientCompartment(r, compartment) && (!patient || patient(r))
    : patient || undefined;
  const bundle = runSearch(repo, planSearch(task.type, task.query), task.base, task.query, visible, task.path);
  return { id: task.id, status: 200, body: answerBytes(bundle) };
}

function read(task: Extract<ReadTask, { kind: 'read' }>): ReadAnswer {
  const resource = repo.get(task.type, task.resourceId);
  if (!resource) return { id: task.id, status: 404, body: new Uint8Array(0) };
  return { id: task.id, status: 200, body: encoder.encode(resourceText(resource)), versionId: resource.meta?.versionId, lastUpdated: resource.meta?.lastUpdated };
}
