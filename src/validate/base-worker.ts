// A short-lived thread that makes the slimmed R4 base text for validate's workers (see baseTextInThread in
// workers.ts): the 40 MiB of bundles it reads, and their garbage, end with the thread.
import { parentPort } from 'node:worker_threads';
import { baseDefinitionsText } from './definitions.js';

parentPort!.postMessage(baseDefinitionsText());
