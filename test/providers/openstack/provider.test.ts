import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateKeyPair } from '../../../lab/cidata/index.js';
import { AtomlabError } from '../../../lab/errors/index.js';
import type { LabResource, VmRef } from '../../../lab/provider/index.js';
import { writeSeed, type SeedMedium } from '../../../lab/seed/index.js';
import { resolveOpenstackOptions, type OpenstackScenarioOptions } from '../../../providers/openstack/options.js';
import { OpenstackProvider } from '../../../providers/openstack/provider.js';
import { cloudInitConsole } from '../../fixtures/clouds/cloud-init-console.js';
import { OS_APP_SECRET, OS_PASSWORD } from '../../fixtures/clouds/openstack-cloud.js';
import { startRecordedOpenstack, type RecordedOpenstack } from '../../fixtures/clouds/openstack-lab.js';
import { coreosConsole } from '../../fixtures/clouds/coreos-console.js';
import { ignitionSeed, ignitionValidateBytes } from '../../fixtures/ignition-seed.js';
import { vmPlan } from '../../fixtures/libvirt/vm-plan.js';

let os: RecordedOpenstack;
test.before(async () => {
  os = await startRecordedOpenstack();
});
test.beforeEach(() => {
  os.proxy.rules.length = 0;
});
test.after.always(async () => {
  await os?.close();
});

async function provider(options: Partial<OpenstackScenarioOptions> = {}): Promise<OpenstackProvider> {
  return new OpenstackProvider({ ...resolveOpenstackOptions({ cloud: 'recorded', sshFrom: '198.51.100.7/32', ...options }), env: os.env, pollMs: 10, uploadsDir: await mkdtemp(join(tmpdir(), 'atomlab-uploads-')) });
}

const hostKey = generateKeyPair('root@vm1');
const userData = `#cloud-config\n${stringify({ hostname: 'vm1', ssh_keys: { ed25519_private: hostKey.privateKey, ed25519_public: hostKey.publicKey } })}`;
const userDataSeed: SeedMedium = { kind: 'userdata', transport: 'userdata', text: userData };

async function qcow2Base(): Promise<{ path: string; format: 'qcow2'; digest: string; virtualBytes: number }> {
  const data = randomBytes(256 * 1024);
  const path = join(await mkdtemp(join(tmpdir(), 'atomlab-base-')), 'disk.qcow2');
  await writeFile(path, data);
  return { path, format: 'qcow2', digest: createHash('sha256').update(data).digest('hex'), virtualBytes: 2 * 1024 ** 3 };
}

const lab = (name: string) => ({ name, stateDir: `/tmp/${name}/.atomlab` });

async function labUp(name: string, options: Partial<OpenstackScenarioOptions> = {}, seed: SeedMedium = userDataSeed): Promise<{ cloud: OpenstackProvider; ref: VmRef; resources: LabResource[] }> {
  const cloud = await provider(options);
  const resources: LabResource[] = [];
  const plan = vmPlan({ lab: name, name: 'vm1', provider: { name: 'openstack', options: {} }, seed: seed.transport, cpus: 1, memoryMiB: 1024, ports: [{ guest: 9090, protocol: 'tcp', host: 'auto' }] });
  await cloud.prepareLab({ ...lab(name), publicKey: generateKeyPair('lab').publicKey, vms: [plan] }, async (r) => void resources.push(r));
  const ref = await cloud.create({ plan, dir: '/nonexistent', consoleLog: '/nonexistent', base: await qcow2Base(), seed, labResources: resources });
  await cloud.start(ref);
  return { cloud, ref, resources };
}

const servers = () => [...os.cloud.servers.values()];

test.serial('up to down: key pair and group recorded before they are made, image to Glance, a server with base64 user-data and the lab\'s tag, its console\'s host key pinned; nothing left', async (t) => {
  const recordedAt: number[] = [];
  const logged: string[] = [];
  const cloud = new OpenstackProvider({ ...resolveOpenstackOptions({ cloud: 'recorded', sshFrom: '198.51.100.7/32', floatingNetwork: 'public' }), env: os.env, pollMs: 10, uploadsDir: await mkdtemp(join(tmpdir(), 'atomlab-uploads-')), log: (line) => void logged.push(line) });
  const resources: LabResource[] = [];
  const plan = vmPlan({ lab: 'flow', name: 'vm1', provider: { name: 'openstack', options: {} }, seed: 'userdata', cpus: 1, memoryMiB: 1024, ports: [{ guest: 9090, protocol: 'tcp', host: 'auto' }] });
  await cloud.prepareLab({ ...lab('flow'), publicKey: generateKeyPair('lab').publicKey, vms: [plan] }, async (r) => {
    resources.push(r);
    recordedAt.push(os.proxy.count(/^POST \/(compute\/v2\.1\/os-keypairs|network\/v2\.0\/security-groups)$/));
  });
  t.deepEqual(resources.map((r) => r.kind), ['key-pair', 'security-group']);
  t.deepEqual(recordedAt, [0, 1], 'each recorded before the call that makes it');
  const [group] = [...os.cloud.groups.values()].filter((g) => g.name === resources[1]!.id);
  t.deepEqual(group!.security_group_rules.filter((r) => r.direction === 'ingress').map((r) => `${String(r.protocol)}/${String(r.port_range_min)} ${String(r.remote_ip_prefix)}`).sort(), ['tcp/22 198.51.100.7/32', 'tcp/9090 198.51.100.7/32']);
  const ref = await cloud.create({ plan, dir: '/nonexistent', consoleLog: '/nonexistent', base: await qcow2Base(), seed: userDataSeed, labResources: resources });
  t.true(logged.some((line) => /^vm1: uploading image to Glance: 0\/0 MiB, ETA \d+s$/.test(line)), logged.join('\n'));
  const server = servers().find((s) => s.id === (ref.data as { serverId: string }).serverId)!;
  t.is(server.userData, userData, 'user_data arrived base64-encoded and decodes to the seed');
  t.false(server.configDrive);
  t.is(server.flavor, '6', 'ds1G: the smallest flavor with 1 CPU, 1024 MiB and a 2 GiB disk');
  t.deepEqual(server.metadata, { atomlab: 'lab', 'atomlab:lab': server.metadata['atomlab:lab']!, 'atomlab:vm': 'vm1' });
  t.regex(server.metadata['atomlab:lab']!, /^flow\.[0-9a-f]{8}$/);
  await cloud.start(ref);
  t.is(await cloud.state(ref), 'running');
  const endpoint = await cloud.endpoint(ref);
  t.deepEqual(endpoint, { host: '127.0.2.10', port: 22 }, 'the floating IP, after the console showed the pinned host key');
  const state = JSON.stringify(ref);
  for (const secret of [OS_PASSWORD, 'PRIVATE KEY', 'gAAAAA']) t.false(state.includes(secret), `no ${secret} in the state`);
  await cloud.stop(ref);
  t.is(await cloud.state(ref), 'stopped');
  await cloud.start(ref);
  await cloud.reset!(ref);
  t.is(await cloud.state(ref), 'running');
  await cloud.destroy(ref);
  await cloud.teardownLab(lab('flow'), resources);
  t.is(await cloud.state(ref), 'missing');
  t.deepEqual(await cloud.labResources(lab('flow')), []);
  t.is(os.cloud.floatingIps.size, 0);
  t.deepEqual(os.cloud.violations, [], 'every request passed the contract');
});

test.serial('seed: configdrive asks Nova for a config drive carrying the same user-data', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-seed-'));
  const medium = await writeSeed({ dir, transport: 'configdrive', data: { instanceId: 'i-1', hostname: 'vm1', name: 'vm1', userData, metaData: {}, publicKeys: [] } });
  const { cloud, ref, resources } = await labUp('drive', {}, medium);
  const server = servers().find((s) => s.id === (ref.data as { serverId: string }).serverId)!;
  t.true(server.configDrive);
  t.is(server.userData, userData);
  t.is((await cloud.endpoint(ref)).host, server.address, 'no floating IP asked: the fixed address');
  await cloud.teardownLab(lab('drive'), resources);
  t.deepEqual(await cloud.labResources(lab('drive')), []);
  t.deepEqual(os.cloud.violations, []);
});

test.serial('seed: ignition: Nova gets the Ignition config cidata writes as user_data (base64), ignition-validate accepts it; the login prompt\'s fingerprints are checked against the pin', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-os-ignition-'));
  const seed = await ignitionSeed(dir, vmPlan({ lab: 'ign', name: 'vm1', provider: { name: 'openstack', options: {} } }));
  const { cloud, ref, resources } = await labUp('ign', {}, seed.medium);
  const server = servers().find((s) => s.id === (ref.data as { serverId: string }).serverId)!;
  const userDataBytes = Buffer.from(server.userData, 'utf8');
  t.true(userDataBytes.equals(seed.expected), 'byte for byte what atomlab cidata --format ignition writes');
  t.false(server.configDrive);
  const judged = await ignitionValidateBytes(userDataBytes, dir);
  t.true(judged.ok, judged.output);
  t.is((ref.data as { hostKey?: string }).hostKey, seed.hostKey);
  t.regex((await cloud.endpoint(ref)).host, /^\d+\.\d+\.\d+\.\d+$/, 'the recorded guest boots the config and shows its host key\'s fingerprint');
  const impostor = await coreosConsole([generateKeyPair('root@impostor')]);
  os.proxy.rules.push({ match: (seen) => seen.body.includes('os-getConsoleOutput'), action: { kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ output: impostor }) } });
  await t.throwsAsync(cloud.endpoint(ref), { instanceOf: AtomlabError, message: /vm1: the console shows host keys that are not the one atomlab gave it/ });
  await cloud.teardownLab(lab('ign'), resources);
  t.deepEqual(os.cloud.violations, []);
});

test.serial('a console showing another host key is refused', async (t) => {
  const { cloud, ref, resources } = await labUp('impostor');
  const other = await cloudInitConsole([generateKeyPair('root@impostor').publicKey]);
  os.proxy.rules.push({ match: (seen) => seen.body.includes('os-getConsoleOutput'), action: { kind: 'answer', status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ output: other }) } });
  await t.throwsAsync(cloud.endpoint(ref), { instanceOf: AtomlabError, message: /vm1: the console shows host keys that are not the one atomlab gave it/ });
  await cloud.teardownLab(lab('impostor'), resources);
});

test.serial('expired credentials: probe says unavailable and why; lab preparation fails clearly; no secret anywhere', async (t) => {
  const cloud = await provider();
  os.cloud.refuseAuth = true;
  try {
    const probe = await cloud.probe();
    t.false(probe.available);
    t.regex(probe.reason ?? '', /OpenStack refused the credentials \(authenticate with clouds.yaml entry recorded \(.*clouds.yaml\): HTTP 401/);
    const error = await t.throwsAsync(cloud.prepareLab({ ...lab('expired'), publicKey: generateKeyPair('lab').publicKey, vms: [] }, async () => undefined), { instanceOf: AtomlabError });
    t.regex(error.hint ?? '', /application credentials can expire/);
    t.false(JSON.stringify(error.toJSON()).includes(OS_PASSWORD));
  } finally {
    os.cloud.refuseAuth = false;
  }
});

test.serial('a token that expires mid-lab is renewed once and the lab goes on', async (t) => {
  const { cloud, ref, resources } = await labUp('renew');
  const before = os.proxy.count('POST /identity/v3/auth/tokens');
  os.cloud.expireTokens();
  t.is(await cloud.state(ref), 'running');
  t.is(os.proxy.count('POST /identity/v3/auth/tokens') - before, 1);
  await cloud.teardownLab(lab('renew'), resources);
});

test.serial('quota exceeded at server create (Nova 403) and at group create (Neutron OverQuota 409): clear errors; nothing leaks', async (t) => {
  os.proxy.rules.push({ match: (seen) => seen.operation === 'POST /compute/v2.1/servers', times: 1, action: { kind: 'answer', status: 403, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ forbidden: { code: 403, message: 'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances' } }) } });
  const error = await t.throwsAsync(labUp('quota'), { instanceOf: AtomlabError });
  t.regex(error.message, /^OpenStack quota reached \(create server atomlab-quota-[0-9a-f]{8}-vm1: HTTP 403: Quota exceeded for instances: Requested 1, but already used 10 of 10 instances\)$/);
  t.regex(error.hint ?? '', /openstack quota show/);
  const cloud = await provider();
  await cloud.teardownLab(lab('quota'), []);
  t.deepEqual(await cloud.labResources(lab('quota')), []);
  os.proxy.rules.push({ match: (seen) => seen.operation === 'POST /network/v2.0/security-groups', times: 1, action: { kind: 'answer', status: 409, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ NeutronError: { type: 'OverQuota', message: "Quota exceeded for resources: ['security_group'].", detail: '' } }) } });
  const neutron = await t.throwsAsync(cloud.prepareLab({ ...lab('quota2'), publicKey: generateKeyPair('lab').publicKey, vms: [] }, async () => undefined), { instanceOf: AtomlabError });
  t.regex(neutron.message, /^OpenStack quota reached \(create security group atomlab-quota2-[0-9a-f]{8}: HTTP 409 OverQuota: Quota exceeded for resources: \['security_group'\]\.\)$/);
  await cloud.teardownLab(lab('quota2'), []);
  t.deepEqual(await cloud.labResources(lab('quota2')), []);
});

test.serial('a server that goes to ERROR is a clear error with Nova\'s fault; down removes it', async (t) => {
  os.cloud.buildFaults.push('No valid host was found. There are not enough hosts available.');
  const error = await t.throwsAsync(labUp('error'), { instanceOf: AtomlabError });
  t.regex(error.message, /^vm1: server [0-9a-f-]{36} went to ERROR: No valid host was found\. There are not enough hosts available\.$/);
  t.regex(error.hint ?? '', /No valid host/);
  const cloud = await provider();
  t.deepEqual((await cloud.labResources(lab('error'))).map((r) => `${r.kind} ${r.state ?? ''}`.trim()).sort(), ['instance ERROR', 'key-pair', 'security-group']);
  await cloud.teardownLab(lab('error'), []);
  t.deepEqual(await cloud.labResources(lab('error')), []);
});

test.serial('rate limits: 429 with Retry-After is waited out; a 413 overLimit that persists is a clear error', async (t) => {
  const cloud = await provider();
  os.proxy.rules.push({ match: (seen) => seen.operation === 'GET /compute/v2.1/os-keypairs', times: 1, action: { kind: 'answer', status: 429, headers: { 'retry-after': '1' }, body: '' } });
  const before = os.proxy.count('GET /compute/v2.1/os-keypairs');
  t.deepEqual(await cloud.labResources(lab('rate')), []);
  t.is(os.proxy.count('GET /compute/v2.1/os-keypairs') - before, 2, 'answered 429 once, then retried');
  const overLimit = JSON.stringify({ overLimit: { code: 413, message: 'This request was rate-limited.', retryAfter: '1' } });
  os.proxy.rules.push({ match: (seen) => seen.operation === 'GET /compute/v2.1/os-keypairs', times: 100, action: { kind: 'answer', status: 413, headers: { 'content-type': 'application/json' }, body: overLimit } });
  const error = await t.throwsAsync(cloud.labResources(lab('rate')), { instanceOf: AtomlabError });
  t.is(error.message, 'OpenStack kept limiting the request rate after 4 attempts (list key pairs: HTTP 413: This request was rate-limited.)');
});

test.serial('application credentials from clouds.yaml work the same', async (t) => {
  const other = await startRecordedOpenstack('application-credential');
  try {
    const cloud = new OpenstackProvider({ ...resolveOpenstackOptions({ cloud: 'recorded', sshFrom: '198.51.100.7/32' }), env: other.env, pollMs: 10 });
    t.true((await cloud.probe()).available);
    const error = await t.throwsAsync((async () => {
      other.cloud.refuseAuth = true;
      await new OpenstackProvider({ ...resolveOpenstackOptions({ cloud: 'recorded' }), env: other.env }).labResources(lab('x'));
    })(), { instanceOf: AtomlabError });
    t.false(JSON.stringify(error.toJSON()).includes(OS_APP_SECRET));
  } finally {
    await other.close();
  }
});

test.serial('down --images removes every image atomlab uploaded', async (t) => {
  const { cloud, resources } = await labUp('images');
  await cloud.teardownLab(lab('images'), resources);
  t.true([...os.cloud.images.values()].some((image) => image.atomlab === 'image'));
  const removed = await cloud.removeImages();
  t.true(removed.length >= 1);
  t.false([...os.cloud.images.values()].some((image) => image.atomlab === 'image'));
});
