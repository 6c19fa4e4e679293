/**
 * Whether process `pid` is alive on this machine (signal 0: nothing sent). EPERM means alive but another user's;
 * ESRCH gone. Used to tell a pid-named leftover (a staging folder, a store lock) of a crashed run from one in use.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
