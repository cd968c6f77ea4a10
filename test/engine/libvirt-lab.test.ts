import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
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

/** A /24 no route on this machine uses yet, for a private NAT network. */
async function freeSubnet(): Promise<string> {
  const { stdout } = await run('ip', ['-4', 'route']);
  for (let third = 200; third < 250; third++) {
    if (!stdout.includes(`192.168.${third}.`)) return `192.168.${third}`;
  }
  throw new Error('no free 192.168.2xx.0/24 subnet');
}

test.serial('libvirt on a NAT network: the guest gets a DHCP lease and SSH goes to that address', async (t) => {
  const subnet = await freeSubnet();
  const network = `atl-nat-${process.pid}`;
  const xml = `<network><name>${network}</name><forward mode='nat'/><bridge name='virbr-a${process.pid % 100000}' stp='on' delay='0'/>
<ip address='${subnet}.1' netmask='255.255.255.0'><dhcp><range start='${subnet}.10' end='${subnet}.100'/></dhcp></ip></network>`;
  const { dir, file } = await labDir(`name: e2e-libvirt-nat
defaults: { image: tiny, memory: 256MiB, provider: { name: libvirt, network: ${network} } }
vms:
  - name: host1
`);
  await run('sh', ['-c', `printf '%s' "$1" > "$2/net.xml" && virsh -c qemu:///system net-create "$2/net.xml"`, 'sh', xml, dir]);
  try {
    const up = await runCli(['up', file, '--json'], LONG);
    t.is(up.exitCode, 0, up.stderr);
    const vm = (JSON.parse(up.stdout) as { vms: { ssh: { host: string }; login: { verified: boolean } }[] }).vms[0]!;
    t.true(vm.login.verified);
    t.true(vm.ssh.host.startsWith(`${subnet}.`), `SSH goes to the lease address, got ${vm.ssh.host}`);
    const route = await runCli(['ssh', 'host1', '-s', file, '--', 'ip -4 route show default'], LONG);
    t.regex(route.stdout, new RegExp(`via ${subnet.replaceAll('.', '\\.')}\\.1`), 'the guest routes through the network\'s gateway');
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
    await run('virsh', ['-c', 'qemu:///system', 'net-destroy', network]).catch(() => undefined);
  }
  t.deepEqual(await domainsOf(daemon.localUri, 'e2e-libvirt-nat'), []);
});
