import test from 'ava';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUESTINFO_DATA, GUESTINFO_ENCODING } from '../../../lab/ignition/index.js';
import { DesktopProvider, EsxiProvider } from '../../../providers/vmware/index.js';
import { vmwareOptions } from '../../../providers/vmware/options.js';
import { parseVmx } from '../../../providers/vmware/vmx.js';
import { extraConfig } from '../../../providers/vmware/vsphere-vm.js';
import { vmxProblems } from '../../fixtures/fake-vmrun/contract.js';
import { installFakeVmrun, type FakeVmrun } from '../../fixtures/fake-vmrun.js';
import { decodeAsIgnition, ignitionVmwareDecoder } from '../../fixtures/ignition-vmware.js';
import { ignitionSeed, ignitionValidateBytes } from '../../fixtures/ignition-seed.js';
import { startVcsim, vcsimBinary, type Vcsim } from '../../fixtures/vcsim.js';
import { vmxGuestinfo } from '../../fixtures/vmware-guestinfo.js';
import { createRequest, vmdkBase, vmwarePlan } from '../../fixtures/vmware-request.js';

/**
 * `seed: ignition` on VMware: the Ignition config as `guestinfo.ignition.config.data` and its
 * `.encoding`, as Fedora CoreOS documents. Read back from what the provider really wrote (the
 * .vmx on Workstation/Player, driven through the fake vmrun; the VM's extraConfig on ESXi, asked
 * of VMware's vSphere simulator), decoded by Ignition's own vmware code (built from its source
 * with Debian's Go), and judged by the real ignition-validate; the bytes must be the ones
 * `atomlab cidata --format ignition` writes. No VM boots: the real Ignition reads guestinfo only
 * through VMware's backdoor, which nothing but a VMware hypervisor answers.
 */

const PASSWORD = 'atomlab-sim-secret';
process.env.ATOMLAB_TEST_VSPHERE_PASSWORD = PASSWORD;
const decoder = await ignitionVmwareDecoder();
const simulator = await vcsimBinary();
let fake: FakeVmrun;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];

test.before(async () => {
  fake = await installFakeVmrun();
  dir = await mkdtemp(join(tmpdir(), 'atomlab-vmware-ignition-'));
});
test.after.always(async () => {
  for (const cleanup of cleanups) await cleanup();
  await fake?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function decoderPath(): string {
  if (!('path' in decoder)) throw new Error(decoder.missing);
  return decoder.path;
}

test.serial('Workstation/Player: the .vmx holds the config gzip+base64; Ignition\'s vmware code decodes the cidata bytes, which ignition-validate accepts', async (t) => {
  const seed = await ignitionSeed(dir, vmwarePlan({ lab: 'ign', name: 'desk', hostname: 'desk.lab.test', seed: 'ignition' }));
  const provider = new DesktopProvider({ ...vmwareOptions.parse({ target: 'player', vmrun: fake.binary }), target: 'player' });
  const vmDir = join(dir, 'desk');
  const ref = await provider.create(createRequest({ plan: seed.plan, dir: vmDir, base: vmdkBase(dir, 'monolithicSparse'), seed: seed.medium }));
  const text = await readFile(ref.data.vmx as string, 'utf8');
  const keys = vmxGuestinfo(text);
  t.deepEqual(Object.keys(keys).sort(), [GUESTINFO_DATA, GUESTINFO_ENCODING]);
  t.is(keys[GUESTINFO_ENCODING], 'gzip+base64');
  t.deepEqual(vmxProblems(parseVmx(text)), [], 'a .vmx within the recorded keys');
  t.is(parseVmx(text).get('ide0:1.present'), 'FALSE', 'no seed CD-ROM: the keys are the seed');

  const decoded = await decodeAsIgnition(decoderPath(), keys);
  t.is(decoded.error, undefined);
  t.true(decoded.bytes.equals(seed.expected), 'byte for byte what atomlab cidata --format ignition writes');
  const judged = await ignitionValidateBytes(decoded.bytes, dir);
  t.true(judged.ok, judged.output);
  t.is(judged.output, '', 'no warnings either');
  t.deepEqual(await fake.problems(), []);
});

test('Ignition\'s vmware code reads both encodings atomlab can write, and refuses one it does not know', async (t) => {
  const { ignitionGuestinfo } = await import('../../../lab/ignition/index.js');
  const config = '{"ignition":{"version":"3.3.0"}}\n';
  for (const encoding of ['base64', 'gzip+base64'] as const) {
    const decoded = await decodeAsIgnition(decoderPath(), ignitionGuestinfo(config, encoding));
    t.is(decoded.bytes.toString('utf8'), config, encoding);
  }
  const refused = await decodeAsIgnition(decoderPath(), { [GUESTINFO_DATA]: 'e30=', [GUESTINFO_ENCODING]: 'zstd' });
  t.regex(refused.error ?? '', /unsupported encoding "zstd"/);
});

const simSkip = 'path' in simulator ? undefined : simulator.missing;
(simSkip ? test.skip : test.serial)('ESXi: the VM\'s extraConfig, read back through the vSphere simulator, holds the config Ignition decodes to the cidata bytes', async (t) => {
  if (!('path' in simulator)) return;
  const server: Vcsim = await startVcsim(simulator.path, { model: 'esx', username: 'atomlab', password: PASSWORD });
  cleanups.push(() => server.stop());
  const esxi = new EsxiProvider(vmwareOptions.parse({ target: 'esxi', url: server.url, caFile: server.certFile, credentials: { username: 'atomlab', passwordEnv: 'ATOMLAB_TEST_VSPHERE_PASSWORD' }, timeoutSeconds: 60 }));
  cleanups.push(() => esxi.close());
  const seed = await ignitionSeed(dir, vmwarePlan({ lab: 'ign', name: 'esx', hostname: 'esx.lab.test', seed: 'ignition' }));
  const ref = await esxi.create(createRequest({ plan: seed.plan, dir: join(dir, 'esx'), base: vmdkBase(dir, 'streamOptimized'), seed: seed.medium }));
  const place = await esxi.place();
  const config = await extraConfig(place.client, ref.data.vm as { type: string; value: string });
  t.is(config[GUESTINFO_ENCODING], 'gzip+base64');
  const decoded = await decodeAsIgnition(decoderPath(), config);
  t.is(decoded.error, undefined);
  t.true(decoded.bytes.equals(seed.expected), 'byte for byte what atomlab cidata --format ignition writes');
  const judged = await ignitionValidateBytes(decoded.bytes, dir, 'esx.ign');
  t.true(judged.ok, judged.output);
  await esxi.destroy(ref);
  t.is(await esxi.state(ref), 'missing');
});
