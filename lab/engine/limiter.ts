/** A shared bound on work in flight: every call waits for one of `limit` slots. */
export type Limiter = <T>(work: () => Promise<T>) => Promise<T>;

export function createLimiter(limit: number): Limiter {
  let active = 0;
  const waiting: (() => void)[] = [];
  const acquire = async () => {
    if (active < Math.max(1, limit)) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve)); // the releaser hands its slot over
  };
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async (work) => {
    await acquire();
    try {
      return await work();
    } finally {
      release();
    }
  };
}
