import test from 'ava';
import { execa } from 'execa';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OS_PASSWORD } from '../../fixtures/clouds/openstack-cloud.js';
import { startRecordedOpenstack, type RecordedOpenstack } from '../../fixtures/clouds/openstack-lab.js';
import { labDir } from '../../helpers/lab.js';
import { BIN, runCli } from '../../helpers/run-cli.js';

let os: RecordedOpenstack;
test.before(async () => {
  os = await startRecordedOpenstack();
});
test.after.always(async () => {
  await os?.close();
});

const env = () => ({ ...process.env, ...os.env }) as Record<string, string>;

async function openstackLab(name: string): Promise<{ dir: string; file: string }> {
  const lab = await labDir(
    [
      `name: ${name}`,
      'defaults:',
      '  provider: {name: openstack, cloud: recorded, sshFrom: 198.51.100.7/32, floatingNetwork: public}',
      '  image: {path: disk.qcow2, format: qcow2, verify: false, user: debian}',
      'vms:',
      '  - name: host1',
      '    ports: {"9090": auto}',
      '',
    ].join('\n'),
  );
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', join(lab.dir, 'disk.qcow2'), '64M']);
  return lab;
}

function leftOf(name: string) {
  const prefix = `atomlab-${name}-`;
  return {
    servers: [...os.cloud.servers.values()].filter((s) => s.name.startsWith(prefix)).length,
    groups: [...os.cloud.groups.values()].filter((g) => g.name.startsWith(prefix)).length,
    keypairs: [...os.cloud.keypairs.keys()].filter((k) => k.startsWith(prefix)).length,
    floatingIps: [...os.cloud.floatingIps.values()].filter((ip) => ip.description.startsWith(`atomlab ${name}.`)).length,
  };
}

test.serial('up without a terminal and without --yes refuses before any OpenStack call', async (t) => {
  const lab = await openstackLab('refused');
  const before = os.proxy.seen.length;
  const result = await runCli(['up', lab.file], { env: env(), timeoutMs: 120_000 });
  t.is(result.exitCode, 2, result.stderr);
  t.regex(result.stderr, /refused on openstack: 1 VM\(s\): host1/);
  t.regex(result.stderr, /refusing to create billable cloud resources without a terminal to ask[\s\S]*--yes/);
  t.is(os.proxy.seen.length, before, 'not one call');
});

test.serial('down after a SIGKILLed up removes the server it never recorded, the group and the key pair, found by name and tag', async (t) => {
  t.timeout(5 * 60_000);
  const lab = await openstackLab('killed');
  os.proxy.rules.push({ match: (seen) => seen.operation === 'POST /compute/v2.1/servers', action: { kind: 'hold' }, times: 1 });
  const up = execa(process.execPath, [BIN, 'up', '--yes', lab.file], { env: env(), reject: false, input: '' });
  // the held answer: Nova makes the server (reading its image from Glance first), atomlab never hears its id
  while (leftOf('killed').servers === 0 && up.exitCode === null) await sleep(100);
  const launched = leftOf('killed');
  up.kill('SIGKILL');
  const killed = await up;
  t.is(killed.signal, 'SIGKILL', killed.stderr);
  t.deepEqual(launched, { servers: 1, groups: 1, keypairs: 1, floatingIps: 0 }, 'Nova made the server; atomlab never heard its id');
  t.is([...os.cloud.images.values()].filter((image) => image.atomlab === 'image' && image.status === 'active').length, 1, 'the image went up to Glance');
  const status = await runCli(['status', '--json', lab.file], { env: env(), timeoutMs: 120_000 });
  const down = await runCli(['down', lab.file], { env: env(), timeoutMs: 180_000 });
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(leftOf('killed'), { servers: 0, groups: 0, keypairs: 0, floatingIps: 0 });
  const outputs = [killed, status, down].map((r) => `${r.stdout}${r.stderr}`).join('');
  t.false(outputs.includes(OS_PASSWORD), 'no password in any output');
  t.false(/gAAAAA[0-9a-f]{20}/.test(outputs), 'no token in any output');
  t.deepEqual(os.cloud.violations, []);
});

test.serial('up whose server goes to ERROR (twice: the engine recreates a failed VM once) fails with Nova\'s fault, and down leaves nothing', async (t) => {
  t.timeout(5 * 60_000);
  const lab = await openstackLab('faulty');
  os.cloud.buildFaults.push('No valid host was found. There are not enough hosts available.', 'No valid host was found. There are not enough hosts available.');
  const up = await runCli(['up', '--yes', lab.file], { env: env(), timeoutMs: 180_000 });
  t.is(up.exitCode, 1, up.stderr);
  t.regex(up.stderr, /host1: server [0-9a-f-]{36} went to ERROR: No valid host was found\. There are not enough hosts available\./);
  const down = await runCli(['down', lab.file], { env: env(), timeoutMs: 180_000 });
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(leftOf('faulty'), { servers: 0, groups: 0, keypairs: 0, floatingIps: 0 });
  t.false(`${up.stdout}${up.stderr}${down.stdout}${down.stderr}`.includes(OS_PASSWORD));
});

test.serial('up goes through image, key pair, group, server, floating IP and the console\'s host key to SSH; with no guest to answer, a clear timeout; down leaves nothing', async (t) => {
  t.timeout(5 * 60_000);
  const lab = await openstackLab('reach');
  await writeFile(lab.file, (await readFile(lab.file, 'utf8')).replace('  - name: host1\n', '  - name: host1\n    bootTimeout: 10s\n'));
  const up = await runCli(['up', '--yes', lab.file], { env: env(), timeoutMs: 180_000 });
  t.not(up.exitCode, 0);
  t.regex(up.stderr, /host1: ready \(ssh debian@127\.0\.2\.\d+ -p 22\)[\s\S]*host1: not ready at stage ssh: timed out[\s\S]*-----BEGIN SSH HOST KEY KEYS-----/, 'the console showed the pinned host key; SSH goes to the floating IP');
  t.is(os.proxy.count(/^POST \/compute\/v2\.1\/servers\/[^/]+\/action$/) > 0, true);
  const down = await runCli(['down', lab.file], { env: env(), timeoutMs: 180_000 });
  t.is(down.exitCode, 0, down.stderr);
  t.deepEqual(leftOf('reach'), { servers: 0, groups: 0, keypairs: 0, floatingIps: 0 });
  t.deepEqual(os.cloud.violations, []);
});
