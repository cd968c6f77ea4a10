import test from 'ava';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../../lab/cidata/index.js';
import { cloudUserData } from '../../lab/cloud/index.js';
import { renderVmSeed } from '../../lab/engine/index.js';
import { validateIgnition } from '../../lab/ignition/index.js';
import type { VmPlan } from '../../lab/plan/index.js';
import { loadScenario } from '../../lab/scenario/index.js';
import { writeSeed, type SeedMedium } from '../../lab/seed/index.js';
import { providers } from '../../providers/registry.js';
import { seedGuestinfo } from '../../providers/vmware/seed-guestinfo.js';
import { decodeAsIgnition, ignitionVmwareDecoder } from '../fixtures/ignition-vmware.js';
import { ignitionValidateBytes } from '../fixtures/ignition-seed.js';

const labKey = generateKeyPair('atomlab@test');
const decoder = await ignitionVmwareDecoder();

/** What `seed: ignition` on an image configured by Ignition (spec 3.3.0) makes of a VM. */
function switchedToIgnition(vm: VmPlan): VmPlan {
  return { ...vm, seed: 'ignition', image: { ...vm.image, config: 'ignition', ignitionVersion: '3.3.0' } };
}

/**
 * The bytes each provider that carries `seed: ignition` hands the guest, read back as that
 * guest's Ignition reads them: the fw_cfg file (qemu, libvirt), guestinfo keys decoded by
 * Ignition's own vmware code (vmware), user-data (the clouds).
 */
const CARRIED: Record<string, (medium: SeedMedium) => Promise<Buffer>> = {
  qemu: fwcfgFile,
  libvirt: fwcfgFile,
  vmware: async (medium) => {
    if (!('path' in decoder)) throw new Error(decoder.missing);
    const decoded = await decodeAsIgnition(decoder.path, seedGuestinfo(medium) ?? {});
    if (decoded.error) throw new Error(decoded.error);
    return decoded.bytes;
  },
  ec2: userData,
  openstack: userData,
  gce: userData,
};

async function fwcfgFile(medium: SeedMedium): Promise<Buffer> {
  if (medium.kind !== 'ignition') throw new Error(`not an Ignition medium: ${medium.kind}`);
  return readFile(medium.path);
}

async function userData(medium: SeedMedium): Promise<Buffer> {
  return Buffer.from(cloudUserData(medium) ?? '', 'utf8');
}

const carriers = providers.providers.filter((provider) => provider.seedTransports.includes('ignition')).map((provider) => provider.name);

test('every provider that carries seed: ignition is judged here', (t) => {
  t.deepEqual(carriers.filter((name) => !CARRIED[name]), [], 'a provider carrying Ignition needs its carrier in CARRIED');
  t.deepEqual(carriers, ['qemu', 'libvirt', 'vmware', 'openstack', 'ec2', 'gce']);
});

test('every Ignition config atomlab writes over the shipped scenarios, as each provider carries it, passes ignition-validate', async (t) => {
  const files = (await readdir('scenarios')).filter((name) => name.endsWith('.yaml'));
  t.true(files.length >= 6);
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-ign-scenarios-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  let judged = 0;
  for (const name of files) {
    const { plans } = await loadScenario(`scenarios/${name}`, { providers });
    for (const plan of plans) {
      const urls = Object.fromEntries(plan.serve.map((entry) => [entry.name, 'http://10.0.2.2:8000']));
      for (const vm of plan.vms) {
        const { data } = renderVmSeed(switchedToIgnition(vm), labKey, urls);
        t.truthy(data.ignition, `${name} ${vm.name}: an Ignition config is rendered`);
        const verdict = await validateIgnition(data.ignition!);
        t.true(verdict.valid, `${name} ${vm.name}: ${JSON.stringify(verdict.findings)}`);
        t.deepEqual(verdict.findings, [], `${name} ${vm.name}: no warnings either`);
        const medium = await writeSeed({ data, transport: 'ignition', dir: join(dir, `${plan.name}-${vm.name}`) });
        const written = await fwcfgFile(medium);
        for (const provider of carriers) {
          const carried = await CARRIED[provider]!(medium);
          t.true(carried.equals(written), `${name} ${vm.name} on ${provider}: the carried bytes are the written config`);
        }
        const outside = await ignitionValidateBytes(written, dir);
        t.true(outside.ok && outside.output === '', `${name} ${vm.name}: ${outside.output}`);
        judged += 1;
      }
    }
  }
  t.true(judged >= 10, `${judged} configs judged`);
});
