import test from 'ava';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../../lab/cidata/index.js';
import { hashPassword, renderIgnition, validateIgnition } from '../../../lab/ignition/index.js';
import type { VmPlan } from '../../../lab/plan/index.js';
import { writeSeed } from '../../../lab/seed/index.js';
import { qemuArguments } from '../../../providers/qemu/index.js';
import { fwCfgModule, readFwCfgInGuest } from '../../fixtures/fwcfg-guest.js';
import { findGuestKernel } from '../../fixtures/kernel-guest.js';

const plan: VmPlan = {
  lab: 'lab', name: 'vm1', hostname: 'vm1',
  image: { id: 'ignition', title: 'ignition', recipe: 'ignition', compression: 'none', verify: true, user: 'core', config: 'ignition', ignitionVersion: '3.3.0' },
  provider: { name: 'qemu', options: {} }, cpus: 1, memoryMiB: 256,
  hardware: { sound: 'none', firmware: 'bios', machine: 'pc', nics: 1, serial: true, graphics: 'none' },
  login: { user: 'core', sshKeys: [] }, cloudConfig: {}, ignition: {}, metaData: {}, seed: 'ignition', ports: [], bootTimeoutMs: 600_000,
};

test('a guest kernel reads, through qemu_fw_cfg, exactly the Ignition config atomlab wrote and passed by the qemu provider\'s -fw_cfg', async (t) => {
  const kernel = findGuestKernel();
  if (typeof kernel === 'string') return t.fail(kernel);
  const module = fwCfgModule(kernel);
  if (!module) return t.fail('qemu_fw_cfg.ko is missing beside the guest kernel (scripts/setup-host unpacks it)');
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-fwcfg-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const vmDir = join(dir, 'a,dir with, commas');
  await mkdir(vmDir);
  const ignition = renderIgnition({ version: '3.3.0', hostname: 'vm1', user: 'core', passwordHash: hashPassword('atomic'), authorizedKeys: [generateKeyPair('a@b').publicKey], hostKey: generateKeyPair('root@vm1') });
  const medium = await writeSeed({ data: { instanceId: 'iid-1', hostname: 'vm1', name: 'vm1', userData: '', metaData: {}, publicKeys: [], ignition }, transport: 'ignition', dir: vmDir });
  if (medium.kind !== 'ignition') return t.fail(`expected an Ignition medium, got ${medium.kind}`);
  t.is(medium.fwcfgName, 'opt/com.coreos/config');
  const all = qemuArguments({ plan, paths: { disk: '/unused', seed: { kind: 'fwcfg', name: medium.fwcfgName, path: medium.path }, qmpSocket: '/r/q', consoleSocket: '/r/c', consoleLog: '/r/l', pidFile: '/r/p' }, accel: 'tcg', sound: 'none', forwards: [] });
  const at = all.indexOf('-fw_cfg');
  t.true(at >= 0);
  const seen = await readFwCfgInGuest(dir, kernel, module, all.slice(at, at + 2));
  t.truthy(seen.text, seen.console.slice(-2000));
  const written = JSON.stringify(ignition);
  t.is(JSON.stringify(JSON.parse(seen.text!)), written);
  t.is(seen.sha256, createHash('sha256').update(await readFile(medium.path)).digest('hex'), 'byte for byte the file atomlab wrote');
  t.true((await validateIgnition(JSON.parse(seen.text!) as Record<string, unknown>)).valid, 'what the guest read still passes ignition-validate');
});
