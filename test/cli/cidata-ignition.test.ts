import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { passwordMatches } from '../../lab/ignition/index.js';
import { GUESTINFO_ENCODING } from '../../lab/ignition/index.js';
import { decodeAsIgnition, ignitionVmwareDecoder } from '../fixtures/ignition-vmware.js';
import { vmxGuestinfo } from '../fixtures/vmware-guestinfo.js';
import { runCli } from '../helpers/run-cli.js';

function ignitionValidate(file: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((done) => execFile('ignition-validate', [file], (error, stdout, stderr) => done({ ok: !error, output: `${stdout}${stderr}` })));
}

async function workDir(t: { teardown(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-cidata-ign-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('cidata --format ignition --from writes the config up would give: user, password hash, lab key, host key; 0600', async (t) => {
  const dir = await workDir(t);
  await writeFile(join(dir, 'lab.yaml'), 'name: ign\nvms:\n  - name: host1\n    image: ignition\n    hostname: host1.lab.test\n    login: { password: atomic }\n');
  const out = join(dir, 'host1.ign');
  const result = await runCli(['cidata', '--format', 'ignition', '--from', join(dir, 'lab.yaml'), '--vm', 'host1', '-o', out]);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stderr, /log in as core with ssh -i .*keys\/id_ed25519; host key SHA256:/);
  t.is((await stat(out)).mode & 0o777, 0o600);
  const judged = await ignitionValidate(out);
  t.true(judged.ok, judged.output);
  const config = JSON.parse(await readFile(out, 'utf8')) as { passwd: { users: { name: string; passwordHash: string; sshAuthorizedKeys: string[] }[] } };
  const [user] = config.passwd.users;
  t.is(user!.name, 'core');
  t.true(passwordMatches('atomic', user!.passwordHash));
  t.is(user!.sshAuthorizedKeys[0], (await readFile(join(dir, '.atomlab', 'keys', 'id_ed25519.pub'), 'utf8')).trim());
});

test('cidata --format ignition --user-data takes a Butane-shaped file and refuses what ignition-validate refuses', async (t) => {
  const dir = await workDir(t);
  await writeFile(join(dir, 'good.bu'), 'variant: fcos\nversion: 1.4.0\nstorage:\n  files:\n    - path: /etc/motd\n      mode: 0644\n      contents:\n        inline: hi\n');
  const good = await runCli(['cidata', '--format', 'ignition', '--user-data', join(dir, 'good.bu'), '-o', join(dir, 'good.ign')]);
  t.is(good.exitCode, 0, good.stderr);
  const config = JSON.parse(await readFile(join(dir, 'good.ign'), 'utf8')) as { ignition: { version: string }; storage: { files: { mode: number; contents: { source: string } }[] } };
  t.is(config.ignition.version, '3.3.0');
  t.is(config.storage.files[0]!.mode, 0o644);
  t.is(config.storage.files[0]!.contents.source, 'data:,hi');
  await writeFile(join(dir, 'bad.bu'), 'storage:\n  files:\n    - path: etc/motd\n');
  const bad = await runCli(['cidata', '--format', 'ignition', '--user-data', join(dir, 'bad.bu'), '-o', join(dir, 'bad.ign')]);
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /ignition-validate rejects .*storage\.files\.0\.path: path not absolute/);
  await t.throwsAsync(stat(join(dir, 'bad.ign')), { code: 'ENOENT' });
});

test('cidata --from writes the Ignition config of a VM on VMware or a cloud too (seed: auto is ignition there), and ignition-validate accepts each', async (t) => {
  const dir = await workDir(t);
  await writeFile(join(dir, 'lab.yaml'), [
    'name: carried',
    'defaults:',
    '  image: ignition',
    '  login: { password: atomic }',
    'vms:',
    '  - { name: player, provider: vmware }',
    '  - { name: aws, provider: {name: ec2, region: eu-central-1} }',
    '  - { name: os, provider: {name: openstack, cloud: mycloud} }',
    '  - { name: gcp, provider: {name: gce, project: my-lab-123456, zone: europe-west1-b} }',
    '',
  ].join('\n'));
  for (const vm of ['player', 'aws', 'os', 'gcp']) {
    const out = join(dir, `${vm}.ign`);
    const result = await runCli(['cidata', '--from', join(dir, 'lab.yaml'), '--vm', vm, '-o', out]);
    t.is(result.exitCode, 0, `${vm}: ${result.stderr}`);
    const judged = await ignitionValidate(out);
    t.true(judged.ok, `${vm}: ${judged.output}`);
    const config = JSON.parse(await readFile(out, 'utf8')) as { ignition: { version: string }; storage: { files: { path: string }[] } };
    t.is(config.ignition.version, '3.3.0', vm);
    t.true(config.storage.files.some((file) => file.path === '/etc/ssh/ssh_host_ed25519_key.pub'), `${vm}: the pinned host key is in the config`);
  }
});

test('cidata --format guestinfo (or userdata) --from, for a VM configured by Ignition, writes its Ignition config as VMware carries it (or a cloud)', async (t) => {
  const decoder = await ignitionVmwareDecoder();
  if (!('path' in decoder)) return t.fail(decoder.missing);
  const dir = await workDir(t);
  await writeFile(join(dir, 'lab.yaml'), 'name: byhand\ndefaults:\n  image: ignition\nvms:\n  - { name: player, provider: vmware }\n');
  const vmx = join(dir, 'player.vmx-lines');
  const guestinfo = await runCli(['cidata', '--format', 'guestinfo', '--from', join(dir, 'lab.yaml'), '--vm', 'player', '-o', vmx]);
  t.is(guestinfo.exitCode, 0, guestinfo.stderr);
  const keys = vmxGuestinfo(await readFile(vmx, 'utf8'));
  t.is(keys[GUESTINFO_ENCODING], 'gzip+base64');
  const decoded = await decodeAsIgnition(decoder.path, keys);
  t.is(decoded.error, undefined);
  await writeFile(join(dir, 'decoded.ign'), decoded.bytes);
  const judged = await ignitionValidate(join(dir, 'decoded.ign'));
  t.true(judged.ok, judged.output);
  const userData = join(dir, 'player.user-data');
  const asUserData = await runCli(['cidata', '--format', 'userdata', '--from', join(dir, 'lab.yaml'), '--vm', 'player', '-o', userData]);
  t.is(asUserData.exitCode, 0, asUserData.stderr);
  t.is((JSON.parse(await readFile(userData, 'utf8')) as { ignition: { version: string } }).ignition.version, '3.3.0', 'the config itself, as a cloud carries it');
});
