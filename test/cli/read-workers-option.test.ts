import { describe, expect, it } from 'vitest';
import { readWorkersOption } from '../../src/cli/commands/serve.js';
import { UserError } from '../../src/util/errors.js';

describe('serve --read-workers', () => {
  it('should refuse workers for the memory store chosen by $FHIRSEED_STORE, as for --store memory', () => {
    const env = { FHIRSEED_STORE: 'memory' };
    expect(() => readWorkersOption({ 'read-workers': '2' }, env)).toThrow(UserError);
    expect(() => readWorkersOption({ 'read-workers': '2' }, env)).toThrow(
      '--read-workers 2: only with --store sqlite or --store FILE (the memory store, chosen by $FHIRSEED_STORE, is searched on the server thread)',
    );
    expect(readWorkersOption({ 'read-workers': '0' }, env)).toBe(0);
  });

  it('should let --store given win over $FHIRSEED_STORE', () => {
    expect(readWorkersOption({ 'read-workers': '2', store: 'sqlite' }, { FHIRSEED_STORE: 'memory' })).toBe(2);
    expect(() => readWorkersOption({ 'read-workers': '2', store: 'memory' }, { FHIRSEED_STORE: 'sqlite' })).toThrow(
      '--read-workers 2: only with --store sqlite or --store FILE (the memory store is searched on the server thread)',
    );
    expect(readWorkersOption({ 'read-workers': '2' }, {})).toBe(2);
  });
});
