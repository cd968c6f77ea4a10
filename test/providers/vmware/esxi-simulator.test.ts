import test from 'ava';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomlabError } from '../../../lab/errors/index.js';
import type { LabResource } from '../../../lab/provider/index.js';
import { EsxiProvider } from '../../../providers/vmware/index.js';
import { vmwareOptions } from '../../../providers/vmware/options.js';
import { at, attr, children, text } from '../../../providers/vmware/soap-xml.js';
import { listObjects, properties } from '../../../providers/vmware/vsphere-objects.js';
import { extraConfig } from '../../../providers/vmware/vsphere-vm.js';
import { datastoreFileUrl } from '../../../providers/vmware/esxi-session.js';
import { startVcsim, vcsimBinary, type Vcsim } from '../../fixtures/vcsim.js';
import { createRequest, guestinfoKeys, vmdkBase, vmwarePlan } from '../../fixtures/vmware-request.js';

/**
 * The ESXi/vCenter path against VMware's own vSphere simulator (govmomi, built from Debian's
 * packages) on 127.0.0.1: the real SOAP protocol, OVF import with the NFC upload, clones,
 * extraConfig, devices, power, snapshots and datastore files. No guest runs in it.
 */

const PASSWORD = 'atomlab-sim-secret';
process.env.ATOMLAB_TEST_VSPHERE_PASSWORD = PASSWORD;
const built = await vcsimBinary();
const sims: Vcsim[] = [];
const dirs: string[] = [];

test.after.always(async () => {
  for (const sim of sims) await sim.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function sim(model: 'esx' | 'vpx', sessionIdle?: string): Promise<Vcsim> {
  if (!('path' in built)) throw new Error(built.missing);
  const started = await startVcsim(built.path, { model, username: 'atomlab', password: PASSWORD, sessionIdle });
  sims.push(started);
  return started;
}

function provider(server: Vcsim, extra: Record<string, unknown> = {}): EsxiProvider {
  return new EsxiProvider(vmwareOptions.parse({ target: 'esxi', url: server.url, caFile: server.certFile, credentials: { username: 'atomlab', passwordEnv: 'ATOMLAB_TEST_VSPHERE_PASSWORD' }, timeoutSeconds: 60, ...extra }));
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-esxi-'));
  dirs.push(dir);
  return dir;
}

async function vmNames(esxi: EsxiProvider): Promise<string[]> {
  const place = await esxi.place();
  return (await listObjects(place.client, 'VirtualMachine', ['name'])).map((vm) => text(vm.props.get('name'))).sort();
}

async function devices(esxi: EsxiProvider, vm: { type: string; value: string }) {
  const place = await esxi.place();
  const list = children((await properties(place.client, vm, ['config.hardware.device'])).get('config.hardware.device'), 'VirtualDevice');
  return list.map((device) => ({ type: attr(device, 'xsi:type'), file: text(at(device, 'backing', 'fileName')) }));
}

/** Files left in the simulated datastores (their directories on this machine). */
async function datastoreFiles(server: Vcsim): Promise<string[]> {
  const stores = (await readdir(server.dir)).filter((name) => name.startsWith('govcsim-'));
  if (stores.length === 0) throw new Error(`no simulated datastore under ${server.dir}`);
  const files = await Promise.all(stores.map(async (store) => (await readdir(join(server.dir, store), { recursive: true })).map((file) => `${store}/${file}`)));
  return files.flat();
}

const skip = 'path' in built ? undefined : built.missing;
const maybe = skip ? test.skip : test.serial;
if (skip) test('vSphere simulator', (t) => t.pass(`skipped: ${skip}`));

maybe('vCenter: import once as a template, clone per VM, guestinfo and devices, power, snapshots, down leaves nothing', async (t) => {
  const server = await sim('vpx');
  const esxi = provider(server, { datastore: 'LocalDS_0' });
  const dir = await tempDir();
  const base = vmdkBase(dir, 'streamOptimized');
  const resources: LabResource[] = [];
  await esxi.prepareLab({ name: 'lab', stateDir: dir, publicKey: '', vms: [] }, async (resource) => void resources.push(resource));
  const keys = guestinfoKeys('#cloud-config\npassword: atomic\n', 'instance-id: i-1\nlocal-hostname: vm1\n');
  const ref1 = await esxi.create(createRequest({ plan: vmwarePlan({ name: 'vm1', seed: 'guestinfo' }), dir, base, seed: { kind: 'keys', transport: 'guestinfo', keys } }));
  const iso = join(dir, 'seed.iso');
  await writeFile(iso, Buffer.alloc(64 * 1024, 7));
  const ref2 = await esxi.create(createRequest({ plan: vmwarePlan({ name: 'vm2' }), dir, base, seed: { kind: 'drive', transport: 'configdrive', path: iso, filesystem: 'iso9660', label: 'config-2', attachAs: 'cdrom' } }));
  const names = await vmNames(esxi);
  t.deepEqual(names.filter((name) => !name.includes('-template-')), ['lab-vm1', 'lab-vm2']);
  t.is(names.filter((name) => name.includes('-template-')).length, 1, 'one template for one base image');

  const place = await esxi.place();
  const config = await extraConfig(place.client, ref1.data.vm as { type: string; value: string });
  for (const [key, value] of Object.entries(keys)) t.is(config[key], value, `${key} read back`);
  t.true((await devices(esxi, ref1.data.vm as { type: string; value: string })).some((device) => device.type === 'VirtualSerialPort' && device.file === '[LocalDS_0] lab-vm1/console.log'));
  t.true((await devices(esxi, ref2.data.vm as { type: string; value: string })).some((device) => device.type === 'VirtualCdrom' && device.file === '[LocalDS_0] lab-vm2/seed.iso'));
  const uploaded = await place.client.download(datastoreFileUrl(place, 'lab-vm2/seed.iso'));
  t.deepEqual(uploaded, Buffer.alloc(64 * 1024, 7), 'the seed ISO is on the datastore');

  t.true((await datastoreFiles(server)).some((file) => file.endsWith('lab-vm2/seed.iso')), 'the datastore check sees files');
  t.is(await esxi.state(ref1), 'stopped');
  await esxi.start(ref1);
  t.is(await esxi.state(ref1), 'running');
  await esxi.snapshot(ref1, 'clean');
  await esxi.snapshot(ref1, 'second');
  t.deepEqual(await esxi.listSnapshots(ref1), ['clean', 'second']);
  await esxi.revert(ref1, 'clean');
  await esxi.deleteSnapshot(ref1, 'second');
  t.deepEqual(await esxi.listSnapshots(ref1), ['clean']);
  await esxi.stop(ref1, { timeoutMs: 2000 });
  t.is(await esxi.state(ref1), 'stopped');

  await esxi.destroy(ref1);
  t.is(await esxi.state(ref1), 'missing');
  await esxi.destroy(ref1);
  await esxi.teardownLab({ name: 'lab', stateDir: dir });
  t.deepEqual(await vmNames(esxi), [], 'no VM or template left');
  t.deepEqual(await datastoreFiles(server), [], 'no datastore file left');
  t.deepEqual(resources.map((r) => r.kind), ['vsphere-lab']);
  await esxi.close();
});

maybe('ESXi host: each VM is its own OVF import; the console file on the datastore is the console and names the address', async (t) => {
  const server = await sim('esx');
  const esxi = provider(server);
  const dir = await tempDir();
  const ref = await esxi.create(createRequest({ plan: vmwarePlan({ name: 'solo' }), dir, base: vmdkBase(dir, 'streamOptimized'), seed: { kind: 'keys', transport: 'guestinfo', keys: { 'guestinfo.metadata': 'e30=' } } }));
  t.deepEqual(await vmNames(esxi), ['lab-solo']);
  await esxi.start(ref);
  await t.throwsAsync(esxi.endpoint(ref), { instanceOf: AtomlabError, message: /no address yet/ });
  const place = await esxi.place();
  const transcript = join(dir, 'console.log');
  await writeFile(transcript, 'boot\nci-info: | ens192 | True | 10.20.30.40 | 255.255.255.0 | global | 00:50:56:aa:bb:cc |\n');
  await place.client.upload(datastoreFileUrl(place, 'lab-solo/console.log'), transcript, { method: 'PUT', contentType: 'text/plain' });
  t.deepEqual(await esxi.endpoint(ref), { host: '10.20.30.40', port: 22 });
  const abort = new AbortController();
  const lines: string[] = [];
  for await (const line of esxi.console(ref, abort.signal)) {
    lines.push(line);
    if (lines.length === 2) abort.abort();
  }
  t.is(lines[0], 'boot');
  await esxi.destroy(ref);
  await esxi.teardownLab({ name: 'lab', stateDir: dir });
  t.deepEqual(await vmNames(esxi), []);
  t.deepEqual(await datastoreFiles(server), []);
  await esxi.close();
});

maybe('wrong credentials, a missing datastore and an expired session each give a clear AtomlabError', async (t) => {
  const server = await sim('esx', '1s');
  const dir = await tempDir();
  const request = createRequest({ plan: vmwarePlan(), dir, base: vmdkBase(dir, 'streamOptimized'), seed: { kind: 'keys', transport: 'guestinfo', keys: {} } });
  process.env.ATOMLAB_TEST_VSPHERE_WRONG = 'not-the-password';
  const wrong = provider(server, { credentials: { username: 'atomlab', passwordEnv: 'ATOMLAB_TEST_VSPHERE_WRONG' } });
  const login = await t.throwsAsync(wrong.create(request), { instanceOf: AtomlabError });
  t.regex(login?.message ?? '', /login to .* as atomlab failed: InvalidLogin/);
  t.is(login?.code, 'BAD_INPUT');
  t.notRegex(JSON.stringify(login?.toJSON()), /not-the-password/, 'the password is in no message');
  const missing = await t.throwsAsync(provider(server, { datastore: 'nope' }).create(request), { instanceOf: AtomlabError });
  t.regex(missing?.message ?? '', /datastore "nope" does not exist/);
  t.regex(missing?.hint ?? '', /LocalDS_0/);
  const expiring = provider(server);
  await expiring.place();
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const expired = await t.throwsAsync(expiring.teardownLab({ name: 'lab', stateDir: dir }), { instanceOf: AtomlabError });
  t.regex(expired?.message ?? '', /NotAuthenticated/);
  t.regex(expired?.hint ?? '', /session ended/);
});

