/** The error `f` throws; fails the test when it returns. */
export function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not throw');
}

/** The error `p` rejects with; fails the test when it resolves. */
export async function rejected(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('did not reject');
}
