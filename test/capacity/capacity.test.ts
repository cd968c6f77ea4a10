import test from 'ava';
import { CPU_OVERCOMMIT, capacityOf, checkFit, placeVms } from '../../lab/capacity/index.js';

const host = (available: number, cpus = 2) => ({ host: 'h', cpus, memoryMiB: 24_000, availableMiB: available });

test('measured capacity: available memory less a reserve, CPU threads times the overcommit', (t) => {
  const capacity = capacityOf('qemu:', host(20_000));
  t.is(capacity.memoryMiB, 20_000 - 1200);
  t.is(capacity.cpus, 2 * CPU_OVERCOMMIT);
  t.is(capacity.threads, 2);
  const declared = capacityOf('x', host(20_000), { memoryMiB: 4096, cpus: 3 });
  t.is(declared.memoryMiB, 4096);
  t.is(declared.cpus, 3);
});

test('checkFit names every site that does not fit, and VMs wider than their host', (t) => {
  const a = capacityOf('a', { host: 'hv-a', cpus: 2, memoryMiB: 8000, availableMiB: 4000 }, { memoryMiB: 1024 });
  const b = capacityOf('b', { host: 'hv-b', cpus: 2, memoryMiB: 8000, availableMiB: 8000 });
  const demands = [
    { vm: 's1', site: 'a', cpus: 1, memoryMiB: 512 },
    { vm: 's2', site: 'a', cpus: 1, memoryMiB: 1024 },
    { vm: 'wide', site: 'b', cpus: 4, memoryMiB: 256 },
  ];
  const shortfalls = checkFit(demands, [a, b]);
  t.deepEqual(shortfalls.map((s) => s.site), ['a', 'b']);
  t.regex(shortfalls[0]!.message, /2 VM\(s\) need 1536 MiB of memory, hv-a has 1024 MiB/);
  t.regex(shortfalls[1]!.message, /wide wants 4 vCPUs, hv-b has 2 CPU threads/);
  t.deepEqual(checkFit(demands.slice(0, 1), [a, b]), []);
});

const vms = (n: number) => Array.from({ length: n }, (_, i) => ({ vm: `s${i + 1}`, cpus: 1, memoryMiB: 1024 }));

test('spread deals VMs out evenly; fill packs the roomiest host first', (t) => {
  const big = capacityOf('big', host(0), { memoryMiB: 3072, cpus: 8 });
  const small = capacityOf('small', host(0), { memoryMiB: 2048, cpus: 8 });
  const spread = placeVms(vms(4), [small, big], 'spread');
  t.deepEqual([...spread.sites.values()], ['big', 'small', 'big', 'small']);
  const fill = placeVms(vms(4), [small, big], 'fill');
  t.deepEqual([...fill.sites.values()], ['big', 'big', 'big', 'small']);
  t.deepEqual(fill.overflow, []);
});

test('a VM no host has room for is reported as overflow', (t) => {
  const one = capacityOf('one', host(0), { memoryMiB: 2048, cpus: 8 });
  const result = placeVms(vms(3), [one], 'fill');
  t.deepEqual(result.overflow, ['s3']);
  t.is(result.sites.get('s3'), 'one');
});

test('VMs already on a host count for spread', (t) => {
  const a = capacityOf('a', host(0), { memoryMiB: 8192, cpus: 8 });
  const b = capacityOf('b', host(0), { memoryMiB: 8192, cpus: 8 });
  const result = placeVms(vms(2), [a, b], 'spread', new Map([['a', 2]]));
  t.deepEqual([...result.sites.values()], ['b', 'b']);
});
