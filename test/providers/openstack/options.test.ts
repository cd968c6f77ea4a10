import test from 'ava';
import { labDir } from '../../helpers/lab.js';
import { runCli } from '../../helpers/run-cli.js';

test('validate points at each bad openstack option by line and column', async (t) => {
  const lab = await labDir(
    [
      'name: bad-openstack',
      'defaults:',
      '  image: tiny',
      'vms:',
      '  - name: host1',
      '    provider:',
      '      name: openstack',
      '      cloud: "my cloud/1"',
      '      Flavor: m1.small',
      '      address: floating',
      '      sshFrom: everyone',
      '      network: ""',
      '',
    ].join('\n'),
  );
  const result = await runCli(['validate', lab.file]);
  t.is(result.exitCode, 2);
  const lines = result.stderr.trim().split('\n').map((line) => line.replace(`${lab.file}:`, ''));
  t.deepEqual(lines, [
    '8:14: vms[0].provider.cloud: must name an entry of clouds.yaml, such as mycloud, got "my cloud/1"',
    '9:7: vms[0].provider.Flavor: unknown key (did you mean "flavor"?)',
    '10:16: vms[0].provider.address: must be one of public, private; got "floating"',
    '11:16: vms[0].provider.sshFrom: must be a CIDR such as 203.0.113.7/32, got "everyone"',
    '12:16: vms[0].provider.network: must not be empty, got ""',
  ]);
});

test('a good openstack provider validates, with seed: configdrive', async (t) => {
  const lab = await labDir('name: ok\ndefaults:\n  image: tiny\nvms:\n  - name: host1\n    seed: configdrive\n    provider: {name: openstack, cloud: mycloud, region: RegionOne, flavor: m1.small, network: private, address: public, floatingNetwork: public, sshFrom: 10.0.0.0/8}\n');
  const result = await runCli(['validate', lab.file]);
  t.is(result.exitCode, 0, result.stderr);
});

test('seed: nocloud is refused for openstack, naming the transports it takes', async (t) => {
  const lab = await labDir('name: seedless\ndefaults:\n  image: tiny\nvms:\n  - name: host1\n    seed: nocloud\n    provider: {name: openstack, cloud: mycloud}\n');
  const result = await runCli(['validate', lab.file]);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /6:11: .*seed.*userdata, configdrive/);
});
