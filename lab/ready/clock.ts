import { setTimeout as sleep } from 'node:timers/promises';

/** Time, injectable so readiness logic can be tested without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }).then(() => undefined),
};
