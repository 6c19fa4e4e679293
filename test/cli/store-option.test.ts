import { describe, expect, it } from 'vitest';
import { storeOptions } from '../../src/cli/commands/serve.js';
import { UserError } from '../../src/util/errors.js';

describe('serve --store', () => {
  const opts = (store?: string, rebuild = false) => storeOptions({ store, 'rebuild-store': rebuild });

  it('should take memory, sqlite and file paths', () => {
    expect(opts()).toEqual({ rebuildStore: false });
    expect(opts('memory')).toEqual({ store: 'memory', rebuildStore: false });
    expect(opts('sqlite', true)).toEqual({ store: 'sqlite', rebuildStore: true });
    expect(opts('./sqlit')).toEqual({ store: 'sqlite', storeFile: './sqlit', rebuildStore: false });
    expect(opts('sqlit.sqlite')).toEqual({ store: 'sqlite', storeFile: 'sqlit.sqlite', rebuildStore: false });
    expect(opts('/tmp/x/store')).toMatchObject({ storeFile: '/tmp/x/store' });
  });

  it('should refuse a bare word, a misspelt choice, in one line naming it', () => {
    expect(() => opts('sqllite')).toThrow(UserError);
    expect(() => opts('sqllite')).toThrow('--store sqllite: expected memory, sqlite or a file path (a file needs a folder or an extension: ./sqllite or sqllite.sqlite)');
    expect(() => opts('Memory')).toThrow('--store Memory: expected memory, sqlite or a file path');
    expect(() => opts('memory', true)).toThrow('--rebuild-store: only with --store sqlite or --store FILE');
  });
});
