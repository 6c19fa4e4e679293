import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';

/** What the sign-in form needs of a test account (src/output/accounts.ts TestAccount). */
export interface TestMember {
  username: string;
  password: string;
  patientId: string;
  name?: string;
}

const ACCOUNT_FILE = /^test-accounts(\.shard-\d+-of-\d+)?\.json$/;

/**
 * The members of DIR/test-accounts.json and its shard variants; a UserError when there are none, its mode named as
 * `names` says: serve's `--auth smart-patient` (default) or startServer's `options.auth.mode smart-patient`, and the
 * directory as `names.dir` (startServer's `options.dir`; serve's DIR is its argument, not named).
 */
export function loadTestMembers(dir: string | undefined, names: { authMode: string; dir?: string } = { authMode: '--auth' }): TestMember[] {
  const mode = `${names.authMode} smart-patient`;
  if (!dir) throw new UserError(`${mode} needs ${names.dir ? `${names.dir}, ` : ''}a population directory with test-accounts.json (fhirseed generate writes it)`);
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => ACCOUNT_FILE.test(f)).sort() : [];
  if (!files.length) throw new UserError(`${mode}: no test-accounts.json in ${dir} (fhirseed generate writes it)`);
  const members: TestMember[] = [];
  for (const file of files) {
    let accounts: unknown;
    try {
      accounts = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      throw new UserError(`${mode}: ${join(dir, file)} is not readable JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(accounts)) throw new UserError(`${mode}: ${join(dir, file)} is not a list of test accounts`);
    for (const a of accounts as Partial<TestMember>[]) {
      if (typeof a?.username === 'string' && typeof a.password === 'string' && typeof a.patientId === 'string') {
        members.push({ username: a.username, password: a.password, patientId: a.patientId, name: a.name });
      }
    }
  }
  if (!members.length) throw new UserError(`${mode}: the test accounts in ${dir} have no username/password/patientId`);
  return members;
}
