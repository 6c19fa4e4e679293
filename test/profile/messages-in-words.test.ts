// Profile mistakes told in words (new-user trial of session 12, items 8 and 9): a field of the wrong shape says what
// it expects, not its regex, and a misspelt condition key names the few keys close to it, not all 214 on one line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import { profileErrorOf } from '../helpers/profile-errors.js';

const options = profileLoadOptions(loadCodeMaps());
const defaultText = readFileSync(join('profiles', 'default.yaml'), 'utf8');
const messageOf = (from: string, to: string): string => {
  expect(defaultText).toContain(from);
  return profileErrorOf(defaultText.replace(from, to), options).message;
};

describe('profile messages in words', () => {
  it.each([
    ['name: default', 'name: Default Plan', `name: expected lower-case letters, digits and '-', starting with a letter or digit (e.g. my-plan), got "Default Plan"`],
    ['memberIdPrefix: FSD', 'memberIdPrefix: fsd', 'payer.memberIdPrefix: expected 2 to 4 capital letters (e.g. FSD), got "fsd"'],
    ['start: "2025-01-01"', 'start: "2025-1-1"', 'period.start: expected a date YYYY-MM-DD, got "2025-1-1"'],
    ['{ code: MA, share:', '{ code: Mass, share:', 'demographics.states[0].code: expected a two-letter state code in capitals (e.g. TX), got "Mass"'],
  ])('should say what %s expects in words, with what it got', (from, to, problem) => {
    const message = messageOf(from, to);
    expect(message).toMatch(/^bad\.yaml:\d+:\d+: /);
    expect(message.replace(/^bad\.yaml:\d+:\d+: /, '')).toBe(problem);
    expect(message).not.toMatch(/\^|\$|\[A-Z\]|\[a-z0-9\]/);
  });

  it("should name the close condition keys of 'diabetis', the nearest first, not every key", () => {
    const message = messageOf('- key: diabetes-type-2', '- key: diabetis');
    expect(message).toMatch(/conditions\[\d+\]\.key: unknown code-map key 'diabetis' \(did you mean diabetes-type-1\? or diabetes-type-2, [a-z-]+, [a-z-]+; the \d+ keys are in code-maps\/catalog\/conditions\.json\)$/);
    expect(message.length).toBeLessThan(300);
  });

  it('should name a single close key alone', () => {
    expect(messageOf('- key: hyperlipidemia', '- key: hyperlipidemiaa')).toMatch(/unknown code-map key 'hyperlipidemiaa' \(did you mean hyperlipidemia\? or mixed-hyperlipidemia; /);
  });
});
