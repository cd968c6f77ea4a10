import test from 'ava';
import { loadScenario } from '../../lab/scenario/index.js';
import { type VmPlan } from '../../lab/plan/index.js';
import { providers } from '../../providers/registry.js';
import { labDir } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

async function vmPlan(): Promise<VmPlan> {
  const { file } = await labDir('name: reach\nvms: [{ name: a, image: tiny }]\n');
  return (await loadScenario(file, { providers })).plan.vms[0]!;
}

test('QEMU and local libvirt user networking reach the host\'s loopback at 10.0.2.2', async (t) => {
  const plan = await vmPlan();
  t.is(await (await providers.load('qemu')).hostAddressForGuest!(plan), '10.0.2.2');
  t.is(await (await providers.load('libvirt', { uri: 'qemu:///system' })).hostAddressForGuest!(plan), '10.0.2.2');
  t.is(await (await providers.load('libvirt', { uri: 'qemu+tcp://127.0.0.1:16509/system' })).hostAddressForGuest!(plan), '10.0.2.2', 'a daemon on this machine over TCP');
});

test('a remote libvirt host, a libvirt network or no NIC cannot reach a loopback server: refused with the reason', async (t) => {
  const plan = await vmPlan();
  await t.throwsAsync((await providers.load('libvirt', { uri: 'qemu+ssh://lab.example.org/system' })).hostAddressForGuest!(plan), { message: /^a cannot reach files served on this machine: the libvirt host lab.example.org is another machine/ });
  await t.throwsAsync((await providers.load('libvirt', { network: 'default' })).hostAddressForGuest!(plan), { message: /on libvirt network "default", not user networking/ });
  await t.throwsAsync((await providers.load('qemu')).hostAddressForGuest!({ ...plan, hardware: { ...plan.hardware, nics: 0 } }), { message: /has no network card/ });
});

test('up refuses a served directory that does not exist, before any VM is made', async (t) => {
  const { file } = await labDir(`name: reach-missing
serve: [{ name: updates, path: repo }]
vms:
  - name: a
    image: tiny
    cloudConfig: { write_files: [{ path: /etc/u, content: "{{serve.updates}}" }] }
`);
  t.is((await runCli(['validate', file])).exitCode, 0, 'it may be published between validate and up');
  const up = await runCli(['up', file]);
  t.is(up.exitCode, 2);
  t.regex(up.stderr, /serve "updates": directory .*\/repo does not exist/);
  t.is((await runCli(['down', file])).exitCode, 0);
});
