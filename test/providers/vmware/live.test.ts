import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildRecipe } from '../../../lab/recipes/index.js';
import type { Provider, Snapshots } from '../../../lab/provider/index.js';
import { DesktopProvider, EsxiProvider } from '../../../providers/vmware/index.js';
import { vmwareOptions } from '../../../providers/vmware/options.js';
import { createRequest, vmwarePlan } from '../../fixtures/vmware-request.js';

/**
 * The opt-in live suite: the real vmrun (ATOMLAB_LIVE_VMRUN=/path/to/vmrun) or a real ESXi/vCenter
 * (ATOMLAB_LIVE_ESXI_URL, ATOMLAB_LIVE_ESXI_DATASTORE, ATOMLAB_VSPHERE_USERNAME/PASSWORD). The tiny
 * guest is made a VM, started, snapshotted, stopped and destroyed. Skipped where neither exists.
 */
const run = promisify(execFile);
const vmrunPath = process.env.ATOMLAB_LIVE_VMRUN;
const esxiUrl = process.env.ATOMLAB_LIVE_ESXI_URL;

async function lifeCycle(provider: Provider & Snapshots, subformat: 'monolithicSparse' | 'streamOptimized'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-vmware-live-'));
  try {
    const image = (await buildRecipe('tiny')).path;
    const disk = join(dir, 'tiny.vmdk');
    await run('qemu-img', ['convert', '-O', 'vmdk', '-o', `subformat=${subformat},adapter_type=lsilogic`, image, disk]);
    const iso = join(dir, 'seed.iso');
    await writeFile(join(dir, 'user-data'), '#cloud-config\n{}\n');
    await writeFile(join(dir, 'meta-data'), 'instance-id: live\n');
    await run('cloud-localds', [iso, join(dir, 'user-data'), join(dir, 'meta-data')]);
    const base = { path: disk, format: 'vmdk' as const, subformat, digest: `sha256-live-${subformat}`, virtualBytes: 0 };
    const ref = await provider.create(createRequest({ plan: vmwarePlan({ lab: `live${process.pid}`, name: 'tiny' }), dir, base, seed: { kind: 'drive', transport: 'nocloud', path: iso, filesystem: 'iso9660', label: 'cidata', attachAs: 'cdrom' } }));
    try {
      await provider.start(ref);
      await provider.snapshot(ref, 'live');
      await provider.stop(ref, { timeoutMs: 30_000 });
      return await provider.state(ref);
    } finally {
      await provider.destroy(ref);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (vmrunPath) {
  test('live: the real vmrun runs the Workstation life cycle', async (t) => {
    const target = process.env.ATOMLAB_LIVE_VMRUN_TARGET === 'player' ? 'player' : 'workstation';
    const provider = new DesktopProvider({ ...vmwareOptions.parse({ target, vmrun: vmrunPath }), target });
    t.is(await lifeCycle(provider, 'monolithicSparse'), 'stopped');
  });
} else {
  test.skip('live vmrun suite: skipped, ATOMLAB_LIVE_VMRUN is not set (VMware Workstation/Player cannot run on this machine)', () => undefined);
}

if (esxiUrl) {
  test('live: a real ESXi/vCenter runs the life cycle', async (t) => {
    const provider = new EsxiProvider(vmwareOptions.parse({ target: 'esxi', url: esxiUrl, datastore: process.env.ATOMLAB_LIVE_ESXI_DATASTORE, insecure: process.env.ATOMLAB_LIVE_ESXI_INSECURE === '1' }));
    t.is(await lifeCycle(provider, 'streamOptimized'), 'stopped');
    await provider.teardownLab({ name: `live${process.pid}`, stateDir: tmpdir() });
    await provider.close();
  });
} else {
  test.skip('live ESXi suite: skipped, ATOMLAB_LIVE_ESXI_URL is not set (no ESXi or vCenter is reachable from this machine)', () => undefined);
}
