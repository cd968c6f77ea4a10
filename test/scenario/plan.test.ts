import test from 'ava';
import { loadScenario } from '../../lab/scenario/index.js';
import { InvalidFileError } from '../../lab/errors/index.js';
import { fixture } from '../helpers/run-cli.js';
import { providers } from '../../providers/registry.js';

test('a full scenario resolves into a plan where every field is set', async (t) => {
  const { plan } = await loadScenario(fixture('scenarios', 'valid-full.yaml'), { providers });
  t.is(plan.name, 'full');
  t.true(plan.stateDir.endsWith('test/fixtures/scenarios/.atomlab'));
  const [one, two] = plan.vms;
  // defaults < VM: VM values win, defaults fill the rest
  t.is(one!.hostname, 'one.example.test');
  t.is(one!.cpus, 2);
  t.is(one!.memoryMiB, 512);
  t.is(one!.diskBytes, 2 * 1024 ** 3);
  t.deepEqual(one!.provider, { name: 'qemu', options: {} });
  t.deepEqual(one!.hardware, { sound: 'auto', firmware: 'bios', machine: 'q35', nics: 2, serial: true, graphics: 'none' });
  t.deepEqual(one!.login.password, { kind: 'literal', value: 'atomic' });
  t.is(one!.login.user, 'fedora');
  t.is(one!.login.sshKeys.length, 1);
  t.deepEqual(one!.ports, [
    { guest: 80, protocol: 'tcp', host: 'auto' },
    { guest: 443, protocol: 'tcp', host: 8443 },
    { guest: 53, protocol: 'udp', host: 'auto' },
  ]);
  t.deepEqual(one!.cloudConfig, { runcmd: [['touch', '/var/tmp/hello']] });
  t.deepEqual(one!.metaData, { placement: 'rack-1' });
  t.is(one!.image.id, 'tiny');
  t.is(one!.image.recipe, 'tiny');
  // a VM's own image replaces the default whole; the password default is inherited
  t.is(two!.hostname, 'two');
  t.deepEqual(two!.provider, { name: 'libvirt', options: { uri: 'qemu:///system' } });
  t.is(two!.image.url, 'https://example.org/images/disk.raw.xz');
  t.deepEqual(two!.image.digest, { algorithm: 'sha256', hex: '9a175fca23ff46823ca9a87ab63d425801b02c2d4f17306c74e00b7280f8117f' });
  t.is(two!.image.user, 'centos');
  t.is(two!.login.user, 'fedora', 'the scenario login user wins over the image user');
  t.deepEqual(two!.login.password, { kind: 'generate' });
  t.is(two!.memoryMiB, 1);
  t.is(two!.diskBytes, undefined);
  t.deepEqual(two!.hardware, { sound: 'none', firmware: 'bios', machine: 'pc', nics: 1, serial: true, graphics: 'none' });
});

test('command-line overrides are the last layer', async (t) => {
  const { plan } = await loadScenario(fixture('scenarios', 'valid-full.yaml'), { providers, overrides: { memory: '2GiB', provider: 'libvirt' } });
  t.true(plan.vms.every((vm) => vm.memoryMiB === 2048 && vm.provider.name === 'libvirt'));
});

test('the catalog gives the login user and memory when the scenario does not', async (t) => {
  const { plan } = await loadScenario('scenarios/quickstart.yaml', { providers });
  t.is(plan.vms[0]!.login.user, 'fedora');
  t.is(plan.vms[0]!.memoryMiB, 256);
  t.is(plan.vms[0]!.login.password, undefined);
});

test('loading reports every shape problem at once', async (t) => {
  const error = await t.throwsAsync(loadScenario(fixture('scenarios', 'negative-size.yaml'), { providers }), { instanceOf: InvalidFileError });
  t.is(error.problems.length, 2);
  t.deepEqual(error.problems.map((p) => [p.line, p.col]), [[5, 13], [6, 11]]);
});
