import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { generateKeyPair, renderSeed } from '../../lab/cidata/index.js';
import { which } from '../../lab/host/index.js';
import { buildRecipe } from '../../lab/recipes/index.js';
import { writeSeed, type SeedData, type SeedTransport } from '../../lab/seed/index.js';
import { publicBlob } from '../recipes/helpers/guest-keys.js';
import { QemuGuest } from '../recipes/helpers/qemu-guest.js';
import { sshRun, waitForSsh, type Login } from '../recipes/helpers/ssh.js';

const hasQemu = Boolean(await which('qemu-system-x86_64'));
const bootTest = hasQemu ? test : test.skip;
if (!hasQemu) console.log('skipping seed boots: qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)');

const BOOT_MS = 900_000; // real cloud-init under TCG, three guests on two cores

/** The seed atomlab gives a VM (renderSeed: login user with password, lab key, pinned host key). */
function seedFor(hostname: string, lab: ReturnType<typeof generateKeyPair>, host: ReturnType<typeof generateKeyPair>): SeedData {
  const instanceId = `iid-${hostname}-${Date.now()}`;
  const rendered = renderSeed({ instanceId, hostname, user: 'fedora', password: 'seed-pw', authorizedKeys: [lab.publicKey], hostKey: host });
  return { instanceId, hostname, name: hostname, userData: rendered.userData, metaData: parse(rendered.metaData) as Record<string, unknown>, publicKeys: [lab.publicKey] };
}

/** The datasource that read the seed, by the guest's own record. */
const DATASOURCE: Record<string, RegExp> = {
  configdrive: /^DataSourceConfigDrive .*\[source=\/dev\/sr0\]/,
  'configdrive-vfat': /^DataSourceConfigDrive .*\[source=\/dev\/vdb\]/,
  'nocloud-vfat': /^DataSourceNoCloud \[seed=\/dev\/vdb\]/,
};
const PLATFORM: Partial<Record<SeedTransport, string>> = { configdrive: 'openstack', 'configdrive-vfat': 'openstack', 'nocloud-vfat': 'nocloud' };

async function bootWith(t: ExecutionContext, transport: SeedTransport): Promise<void> {
  const { path: base } = await buildRecipe('cloudinit', { log: (line) => t.log(line) });
  const dir = await mkdtemp(join(tmpdir(), `atomlab-seed-boot-${transport}-`));
  // a failed boot keeps its directory (console.log) for the report
  t.teardown(() => (t.passed ? rm(dir, { recursive: true, force: true }) : t.log(`${transport}: console log in ${dir}/console.log`)));
  const hostname = `seed-${transport}`;
  const lab = generateKeyPair('atomlab@seedboot');
  const host = generateKeyPair(`root@${hostname}`);
  const medium = await writeSeed({ data: seedFor(hostname, lab, host), transport, dir });
  if (medium.kind !== 'drive') return t.fail(`${transport} is not a drive`);
  const guest = await QemuGuest.start({ base, seed: medium.path, seedAs: medium.attachAs, dir, memoryMiB: 768 });
  t.teardown(() => guest.stop());
  const login: Login = { port: guest.sshPort, username: 'fedora', privateKey: lab.privateKey };
  await waitForSsh(login, BOOT_MS);
  t.regex((await sshRun(login, 'cloud-init status --wait')).stdout, /status: done/, transport);
  const named = await sshRun(login, 'hostname');
  t.is(named.stdout, `${hostname}\n`);
  t.is(named.hostKey, publicBlob(host.publicKey), `${transport}: the host key offered is the one in the seed`);
  const result = JSON.parse((await sshRun(login, 'sudo cat /run/cloud-init/result.json')).stdout) as { v1: { datasource: string; errors: string[] } };
  t.regex(result.v1.datasource, DATASOURCE[transport]!);
  t.deepEqual(result.v1.errors, [], `${transport}: cloud-init errors`);
  t.is((await sshRun(login, 'cloud-init query platform')).stdout.trim(), PLATFORM[transport] ?? '');
  t.is((await sshRun({ port: guest.sshPort, username: 'fedora', password: 'seed-pw' }, 'id -un')).stdout, 'fedora\n', `${transport}: password login`);
  t.log(`${transport}: ${result.v1.datasource}; key and password login, host key pinned`);
}

bootTest('the cloudinit guest boots from a config-2 ISO, a config-2 vfat disk and a NoCloud vfat disk, and says which datasource read each', async (t) => {
  t.timeout(30 * 60_000);
  const transports = ['configdrive', 'configdrive-vfat', 'nocloud-vfat'] as const;
  const outcomes = await Promise.allSettled(transports.map((transport) => bootWith(t, transport)));
  t.deepEqual(outcomes.map((outcome, i) => `${transports[i]}: ${outcome.status === 'rejected' ? String(outcome.reason) : 'booted'}`), transports.map((transport) => `${transport}: booted`));
});
