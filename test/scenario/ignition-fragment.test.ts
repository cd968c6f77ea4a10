import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../lab/scenario/index.js';
import { providers } from '../../providers/registry.js';
import { runCli } from '../helpers/run-cli.js';

const file = 'test/fixtures/scenarios/bad-ignition.yaml';

test('validate rejects what Ignition would reject (or ignore) in an ignition: fragment, at its line:col', async (t) => {
  const result = await runCli(['validate', file]);
  t.is(result.exitCode, 2);
  t.is(result.stdout, '');
  t.deepEqual(result.stderr.trimEnd().split('\n'), [
    `${file}:7:17: defaults.ignition.systemd.units[0].name: Ignition 3.3.0 rejects this: invalid systemd unit extension`,
    `${file}:16:19: vms[0].ignition.storage.files[0].path: Ignition 3.3.0 rejects this: path not absolute`,
    `${file}:24:13: vms[0].ignition.passwd.users[0].pasword_hash: Ignition 3.3.0 has no key "pasword_hash" here (it would be ignored)`,
    // Go's JSON decoder stops at a type error: that fragment's other problems show once it is fixed
    `${file}:30:19: vms[1].ignition.storage.files[0].mode: Ignition 3.3.0 rejects this: json: cannot unmarshal string into Go struct field File.storage.files.mode of type int`,
  ]);
});

test('a good Butane-shaped fragment is planned in Ignition\'s spelling, mode 0644 read as octal', async (t) => {
  const scenario = 'test/fixtures/scenarios/good-ignition.yaml';
  const { plan } = await loadScenario(scenario, { providers });
  t.deepEqual(plan.vms[0]!.ignition, {
    storage: { files: [{ path: '/etc/motd', mode: 0o644, contents: { inline: 'hello from {{serve.files}}\n' } }] },
    passwd: { users: [{ name: 'core', sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtherKey other@host'] }] },
  });
  t.is(plan.vms[0]!.image.config, 'ignition');
  t.is(plan.vms[0]!.seed, 'ignition', 'seed: auto is ignition for an image configured by Ignition');
});

test('an image configured by Ignition on a provider that cannot carry an Ignition config is refused at the image, naming those that can', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-ign-provider-'));
  const scenario = join(dir, 'atomlab.yaml');
  await writeFile(scenario, 'name: v\ndefaults:\n  provider: virtualbox\n  image: fedora-coreos-stable\nvms:\n  - name: a\n');
  const result = await runCli(['validate', scenario]);
  t.is(result.exitCode, 2);
  t.is(result.stderr.trimEnd(), `${scenario}:4:10: defaults.image: image fedora-coreos-stable is configured by Ignition, which provider virtualbox cannot carry (it takes nocloud, configdrive): use qemu, libvirt, vmware, openstack, ec2 or gce`);
  await rm(dir, { recursive: true, force: true });
});

test('seed: auto is ignition for an image configured by Ignition on VMware (desktop and ESXi) and on the clouds; an image already in a cloud takes seed: ignition; validate accepts them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-ign-carriers-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const scenario = join(dir, 'atomlab.yaml');
  await writeFile(scenario, [
    'name: carriers',
    'defaults:',
    '  image: fedora-coreos-stable',
    'vms:',
    '  - { name: player, provider: vmware }',
    '  - { name: esxi, provider: {name: vmware, target: esxi, url: "https://esxi.example/sdk"} }',
    '  - { name: aws, provider: {name: ec2, region: eu-central-1} }',
    '  - { name: os, provider: {name: openstack, cloud: mycloud} }',
    '  - { name: gcp, provider: {name: gce, project: my-lab-123456, zone: europe-west1-b} }',
    '  - { name: ami, provider: {name: ec2, region: eu-central-1}, image: {ami: ami-0abc1234def567890}, seed: ignition }',
    '',
  ].join('\n'));
  const { plans } = await loadScenario(scenario, { providers });
  t.deepEqual(plans[0]!.vms.map((vm) => [vm.name, vm.seed]), [['player', 'ignition'], ['esxi', 'ignition'], ['aws', 'ignition'], ['os', 'ignition'], ['gcp', 'ignition'], ['ami', 'ignition']]);
  const result = await runCli(['validate', scenario]);
  t.is(result.exitCode, 0, result.stderr);
});
