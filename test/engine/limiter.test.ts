import test from 'ava';
import { createLimiter } from '../../lab/engine/index.js';

test('a limiter never runs more than its limit at once, and runs everything', async (t) => {
  const limit = createLimiter(2);
  let active = 0;
  let peak = 0;
  const done: number[] = [];
  const work = (i: number) =>
    limit(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, (i % 3) * 5));
      active--;
      done.push(i);
      if (i === 4) throw new Error('four');
      return i;
    });
  const results = await Promise.allSettled(Array.from({ length: 9 }, (_, i) => work(i)));
  t.is(peak, 2);
  t.is(done.length, 9);
  t.is(results.filter((r) => r.status === 'rejected').length, 1, 'a failure frees its slot');
  // a slot freed is handed to a waiter, never taken twice by a newcomer
  const late = await Promise.all([work(10), work(11), work(12)]);
  t.deepEqual(late, [10, 11, 12]);
  t.is(peak, 2);
});
