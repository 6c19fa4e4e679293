import { beforeEach } from 'vitest';
import { Worker } from 'node:worker_threads';

/**
 * vitest setupFiles: a watchdog thread in each test worker process. vitest's test and hook timeouts are timers on the
 * worker's own event loop, so a test whose main thread never returns to it (a synchronous loop, a spawnSync or
 * execFileSync of a child that never ends, Node's recursive mkdir under /proc) is never timed out: the run waits for
 * that file forever, and CI ends at its own limit with nothing said (stop 34: the run's output stopped after the last
 * file that ended). The main thread beats once a second; when it has not beaten for `STALL_MS`, the watchdog prints,
 * on the worker's stderr, the test that was running, the worker's child processes and the main thread's JavaScript
 * stack (the inspector, connected to the main thread), then kills those children (a synchronous wait for them
 * returns, and the test fails on what they did not do). Still blocked `END_MS` later, it kills the worker process, so
 * that vitest reports the file as failed and the run ends. The longest a test blocks its thread on purpose is ~15 s
 * (ready-made.test's spawnSync of scripts/ready-made.mjs). `FHIRSEED_TEST_STALL_MS` and `FHIRSEED_TEST_STALL_END_MS` set
 * both (test/helpers/hang-watchdog.test.ts runs it at a few seconds).
 */
const STALL_MS = Number(process.env.FHIRSEED_TEST_STALL_MS) || 180_000;
const END_MS = Number(process.env.FHIRSEED_TEST_STALL_END_MS) || 60_000;

const WATCHDOG = `
const { workerData } = require('node:worker_threads');
const inspector = require('node:inspector');
const { readdirSync, readFileSync, writeSync } = require('node:fs');
const { pid, stallMs, endMs } = workerData;
const beat = new Int32Array(workerData.beat);
const name = new Uint8Array(workerData.name);
// Never throws: a stderr that cannot be written (closed, full) must not stop the kills below.
const say = (text) => {
  try { writeSync(2, 'hang-watchdog (vitest worker ' + pid + '): ' + text + '\\n'); } catch {}
};
const currentTest = () => {
  const end = name.indexOf(0);
  return Buffer.from(name.slice(0, end < 0 ? name.length : end)).toString('utf8') || 'no test yet';
};
const children = () => {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync('/proc/' + entry + '/stat', 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      found.push({ pid: Number(entry), command: readFileSync('/proc/' + entry + '/cmdline', 'utf8').split('\\0').join(' ').trim().slice(0, 300) });
    } catch {}
  }
  return found;
};
const printStack = () => {
  const session = new inspector.Session();
  session.connectToMainThread();
  const urls = new Map();
  session.on('Debugger.scriptParsed', ({ params }) => urls.set(params.scriptId, params.url || params.sourceMapURL.slice(0, 80)));
  session.on('Debugger.paused', ({ params }) => {
    const frames = params.callFrames.slice(0, 30).map((f) => '    at ' + (f.functionName || '<anonymous>') + ' (' + (f.url || urls.get(f.location.scriptId) || '?') + ':' + (f.location.lineNumber + 1) + ':' + (f.location.columnNumber + 1) + ')');
    say('the main thread, paused where it runs:\\n' + frames.join('\\n'));
    session.post('Debugger.resume', () => session.post('Debugger.disable', () => session.disconnect()));
  });
  session.post('Debugger.enable', () => session.post('Debugger.pause'));
};
let last = Atomics.load(beat, 0);
let since = Date.now();
let told = false;
setInterval(() => {
  const now = Atomics.load(beat, 0);
  if (now !== last) {
    last = now;
    since = Date.now();
    told = false;
    return;
  }
  const stalled = Date.now() - since;
  if (!told && stalled >= stallMs) {
    told = true;
    const kids = children();
    say('the main thread has not run for ' + Math.round(stalled / 1000) + ' s, in ' + currentTest() + '; its child processes: ' + (kids.map((k) => k.pid + ' ' + k.command).join('; ') || 'none'));
    try { printStack(); } catch (error) { say('no stack: ' + error.message); }
    for (const k of kids) {
      try { process.kill(k.pid, 'SIGKILL'); } catch {}
    }
    if (kids.length) say('killed them, so that a synchronous wait for them returns');
  } else if (stalled >= stallMs + endMs) {
    say('still blocked after ' + Math.round(stalled / 1000) + ' s: ending this worker process, so that the run reports it instead of hanging');
    process.kill(pid, 'SIGKILL');
  }
}, 2000);
`;

interface WatchdogState {
  name: Uint8Array;
  /** False once the thread has ended (it should not): the next test starts another. */
  alive: boolean;
  beat: SharedArrayBuffer;
  nameBuffer: SharedArrayBuffer;
}

const KEY = Symbol.for('fhirseed.hang-watchdog');
const holder = globalThis as { [KEY]?: WatchdogState };

function start(): WatchdogState {
  const beat = new SharedArrayBuffer(4);
  const nameBuffer = new SharedArrayBuffer(512);
  const beats = new Int32Array(beat);
  setInterval(() => Atomics.add(beats, 0, 1), 1000).unref();
  const state: WatchdogState = { name: new Uint8Array(nameBuffer), alive: false, beat, nameBuffer };
  watch(state);
  return state;
}

function watch(state: WatchdogState): void {
  const worker = new Worker(WATCHDOG, { eval: true, workerData: { beat: state.beat, name: state.nameBuffer, pid: process.pid, stallMs: STALL_MS, endMs: END_MS } });
  worker.unref();
  state.alive = true;
  worker.on('error', () => undefined);
  worker.on('exit', () => (state.alive = false));
}

const state = (holder[KEY] ??= start());

beforeEach((context) => {
  if (!state.alive) watch(state);
  const task = context.task;
  const text = new TextEncoder().encode(`${task.file?.name ?? '?'} > ${task.name}`).slice(0, state.name.length - 1);
  state.name.fill(0);
  state.name.set(text);
});
