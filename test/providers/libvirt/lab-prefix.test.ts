import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProvider } from '../../../providers/libvirt/index.js';
import { Connection } from '../../../providers/libvirt/libvirt-client.js';
import type { VmRef } from '../../../lab/provider/index.js';
import { createRequest, emptyWorkspace, type TestWorkspace } from '../../fixtures/libvirt/create-request.js';
import { ensureLibvirtd, type Libvirtd } from '../../fixtures/libvirtd.js';
import { vmPlan } from '../../fixtures/libvirt/vm-plan.js';
import { removePool } from '../../fixtures/libvirt/remove-pool.js';

// Two labs on one libvirt host whose lab and VM names run together (lab `x-<pid>`'s VM `web-1`,
// lab `x`'s VM `<pid>-web-1`): each gets its own domain and volumes, and removing one lab's VM
// leaves the other's. Domains are defined, never started: no guest boots.
let daemon: Libvirtd | undefined;
let root: string;

test.before(async () => {
  root = await mkdtemp(join(tmpdir(), 'atomlab-libvirt-prefix-'));
  daemon = await ensureLibvirtd();
});

test.after.always(async () => {
  await daemon?.stop();
  await rm(root, { recursive: true, force: true });
});

const workspace = (name: string): Promise<TestWorkspace> => emptyWorkspace(root, name, '16M');

async function domainsOf(uri: string, marker: string): Promise<string[]> {
  const conn = await Connection.open(uri);
  try {
    return (await conn.domainNames()).filter((name) => name.includes(marker)).sort();
  } finally {
    await conn.close();
  }
}

test('labs whose names run together keep apart: a domain each, named by lab, and down of one leaves the other', async (t) => {
  if (!daemon) return t.fail('libvirtd did not start');
  const uri = daemon.localUri;
  const pool = `atomlab-prefix-${process.pid}`;
  t.teardown(() => removePool(uri, pool));
  const provider = createProvider({ uri, pool, poolPath: join(root, 'pool') });
  const marker = String(process.pid);
  const plans = [vmPlan({ lab: `x-${marker}`, name: 'web-1' }), vmPlan({ lab: 'x', name: `${marker}-web-1` })];
  const refs: VmRef[] = [];
  try {
    for (const [i, plan] of plans.entries()) refs.push(await provider.create(await createRequest(plan, await workspace(`lab${i}`))));
    t.deepEqual(await domainsOf(uri, marker), [`atomlab-x-${marker}.web-1`, `atomlab-x.${marker}-web-1`]);
    t.is(await provider.state(refs[0]!), 'stopped');
    t.is(await provider.state(refs[1]!), 'stopped');
    await provider.destroy(refs[0]!);
    t.is(await provider.state(refs[0]!), 'missing');
    t.is(await provider.state(refs[1]!), 'stopped', 'the other lab\'s VM is untouched');
    t.deepEqual(await domainsOf(uri, marker), [`atomlab-x.${marker}-web-1`]);
    const again = await t.throwsAsync(provider.create(await createRequest(plans[1]!, await workspace('lab1-again'))));
    t.regex(again.message, new RegExp(`a libvirt domain named atomlab-x\\.${marker}-web-1 already exists`));
    t.regex((again as Error & { hint?: string }).hint ?? '', /another lab named x on this libvirt host made it/);
  } finally {
    for (const ref of refs) await provider.destroy(ref);
  }
  t.deepEqual(await domainsOf(uri, marker), []);
});
