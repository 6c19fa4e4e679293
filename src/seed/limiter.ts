import { sleep } from './backoff.js';

/** At most `limit` holders at a time; waiters are served in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit ${limit}`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * A requests-per-second cap shared by every worker: each request is given the next free slot,
 * 1/rps apart, so the rate holds however many workers ask at once.
 */
export class RateLimiter {
  private nextSlot = 0;

  constructor(
    private readonly requestsPerSecond: number | undefined,
    private readonly now: () => number = Date.now,
    private readonly wait: (ms: number) => Promise<void> = sleep,
  ) {
    if (requestsPerSecond !== undefined && !(requestsPerSecond > 0)) throw new RangeError(`requests per second ${requestsPerSecond}`);
  }

  async take(): Promise<void> {
    if (this.requestsPerSecond === undefined) return;
    const interval = 1000 / this.requestsPerSecond;
    const now = this.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + interval;
    if (slot > now) await this.wait(slot - now);
  }
}
