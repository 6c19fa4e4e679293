import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { flushed, silence } from '../../src/cli/flush.js';

/** A Writable whose writes complete only when `release()` is called (a pipe whose reader has not read yet). */
function heldStream() {
  const held: Array<() => void> = [];
  const taken: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      held.push(() => {
        taken.push(String(chunk));
        callback();
      });
    },
  });
  const release = () => {
    while (held.length > 0) held.shift()!();
  };
  return { stream, taken, release };
}

it('should resolve only once what was written before has been taken', async () => {
  const { stream, taken, release } = heldStream();
  stream.write('a'.repeat(100_000));
  let done = false;
  const waiting = flushed([stream]).then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  expect(done).toBe(false);
  release();
  await new Promise((r) => setImmediate(r));
  release(); // the empty write queued behind the first
  await waiting;
  expect(done).toBe(true);
  expect(taken.join('')).toBe('a'.repeat(100_000));
});

it('should count destroyed streams, ended streams and streams whose write throws as done', async () => {
  const destroyed = new Writable({ write: (_c, _e, cb) => cb() }).on('error', () => {});
  destroyed.destroy();
  const ended = new Writable({ write: (_c, _e, cb) => cb() });
  ended.end();
  const throwing = new Writable({ write: (_c, _e, cb) => cb() });
  throwing.write = () => {
    throw new Error('stdout broke');
  };
  await flushed([destroyed, ended, throwing]);
  await flushed([]);
});

it('should drop what is written after silence, still running the callback', async () => {
  const { stream, taken, release } = heldStream();
  silence(stream);
  const called = await new Promise<boolean>((resolve) => stream.write('late line\n', () => resolve(true)));
  release();
  expect(called).toBe(true);
  expect(taken).toEqual([]);
});
