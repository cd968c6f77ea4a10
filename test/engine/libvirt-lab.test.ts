import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureLibvirtd, type Libvirtd } from '../fixtures/libvirtd.js';
import { labDir } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

// The qemu provider's end-to-end flow, unchanged but for `provider: libvirt`, on a real libvirtd
// (started by the harness: no systemd here), locally and over the remote-style TCP URI.
const run = promisify(execFile);
const LONG = { timeoutMs: 15 * 60_000 };
let daemon: Libvirtd;

test.before(async () => {
  daemon = await ensureLibvirtd();
});

test.after.always(async () => {
  await daemon?.stop();
});

async function domainsOf(uri: string, lab: string): Promise<string[]> {
  const { stdout } = await run('virsh', ['-c', uri, 'list', '--all', '--name']);
  return stdout.split('\n').filter((name) => name.includes(lab));
}

async function volumesOf(uri: string, lab: string): Promise<string[]> {
  const { stdout: pools } = await run('virsh', ['-c', uri, 'pool-list', '--all', '--name']);
  const volumes = await Promise.all(pools.split('\n').map((pool) => pool.trim()).filter(Boolean).map(async (pool) => (await run('virsh', ['-c', uri, 'vol-list', pool])).stdout));
  return volumes.join('\n').split('\n').filter((line) => line.includes(lab));
}

async function labRoundTrip(t: ExecutionContext, lab: string, provider: string): Promise<void> {
  const { dir, file } = await labDir(`name: ${lab}
defaults: { image: tiny, memory: 256MiB, provider: ${provider} }
vms:
  - name: host1
    login: { password: atomic }
`);
  const ssh = (command: string) => runCli(['ssh', 'host1', '-s', file, '--', command], LONG);
  try {
    const up = await runCli(['up', file, '--json'], LONG);
    t.is(up.exitCode, 0, up.stderr);
    const vm = (JSON.parse(up.stdout) as { vms: { provider: string; login: { verified: boolean; methods: string[] } }[] }).vms[0]!;
    t.is(vm.provider, 'libvirt');
    t.true(vm.login.verified);
    t.deepEqual(vm.login.methods, ['key', 'password']);
    t.is((await ssh('echo before > marker && sync')).exitCode, 0);
    const snap = await runCli(['snapshot', 'host1', 'clean', '-s', file], LONG);
    t.is(snap.exitCode, 0, snap.stderr);
    t.is((await ssh('echo after > marker && sync')).exitCode, 0);
    const revert = await runCli(['revert', 'host1', 'clean', '-s', file], LONG);
    t.is(revert.exitCode, 0, revert.stderr);
    const marker = await ssh('cat marker');
    t.is(marker.stdout.trim(), 'before', 'the change made after the snapshot is gone');
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
  }
  t.deepEqual(await domainsOf(daemon.localUri, lab), []);
  t.deepEqual(await volumesOf(daemon.localUri, lab), []);
  t.deepEqual(await readdir(dir), ['atomlab.yaml']);
}

test.serial('libvirt: up → verified → snapshot → change → revert → change gone → down leaves nothing', async (t) => {
  await labRoundTrip(t, 'e2e-libvirt', 'libvirt');
});

test.serial('libvirt over the remote-style URI (qemu+tcp to the same daemon)', async (t) => {
  if (!daemon.tcpUri) return t.fail('the harness starts libvirtd with a TCP listener on 127.0.0.1');
  await labRoundTrip(t, 'e2e-libvirt-tcp', `{ name: libvirt, uri: "${daemon.tcpUri}" }`);
});

async function labNetworks(): Promise<string[]> {
  const { stdout } = await run('virsh', ['-c', daemon.localUri, 'net-list', '--all', '--name']);
  return stdout.split('\n').map((line) => line.trim()).filter((name) => name.startsWith('atomlab-e2e-libvirt-nat'));
}

test.serial('libvirt on a lab NAT network (a lab resource): made by up, the guest gets a DHCP lease and SSH goes to it, removed by down', async (t) => {
  const { file } = await labDir(`name: e2e-libvirt-nat
defaults: { image: tiny, memory: 256MiB, provider: { name: libvirt, network: { create: nat } } }
vms:
  - name: host1
`);
  try {
    const up = await runCli(['up', file, '--json'], LONG);
    t.is(up.exitCode, 0, up.stderr);
    t.deepEqual(await labNetworks(), ['atomlab-e2e-libvirt-nat'], 'up made the lab network');
    const state = JSON.parse(await readFile(join(dirname(file), '.atomlab', 'state.json'), 'utf8')) as { resources: { kind: string; id: string; data: { subnet: string } }[] };
    t.like(state.resources[0], { kind: 'network', id: 'atomlab-e2e-libvirt-nat' }, 'recorded in the lab state');
    const subnet = state.resources[0]!.data.subnet.replace(/\.0\/24$/, '');
    const vm = (JSON.parse(up.stdout) as { vms: { ssh: { host: string }; login: { verified: boolean } }[] }).vms[0]!;
    t.true(vm.login.verified);
    t.true(vm.ssh.host.startsWith(`${subnet}.`), `SSH goes to the lease address, got ${vm.ssh.host}`);
    const route = await runCli(['ssh', 'host1', '-s', file, '--', 'ip -4 route show default'], LONG);
    t.regex(route.stdout, new RegExp(`via ${subnet.replaceAll('.', '\\.')}\\.1`), 'the guest routes through the network\'s gateway');
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
  }
  t.deepEqual(await domainsOf(daemon.localUri, 'e2e-libvirt-nat'), []);
  t.deepEqual(await labNetworks(), [], 'down removed the lab network');
});
