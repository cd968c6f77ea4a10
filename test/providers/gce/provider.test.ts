import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateKeyPair } from '../../../lab/cidata/index.js';
import { AtomlabError } from '../../../lab/errors/index.js';
import type { LabResource, VmRef } from '../../../lab/provider/index.js';
import { resolveGceOptions } from '../../../providers/gce/options.js';
import { GceProvider } from '../../../providers/gce/provider.js';
import { cloudInitConsole } from '../../fixtures/clouds/cloud-init-console.js';
import { testCredentials, useCredentials, type TestCredentials } from '../../fixtures/clouds/gce-adc.js';
import { googleError, startGceRecorder, type GceRecorder } from '../../fixtures/clouds/gce-recorder.js';
import { bootConsole } from '../../fixtures/clouds/guest-console.js';
import { coreosConsole } from '../../fixtures/clouds/coreos-console.js';
import { ignitionSeed, ignitionValidateBytes, type IgnitionSeed } from '../../fixtures/ignition-seed.js';
import { vmPlan } from '../../fixtures/libvirt/vm-plan.js';

let recorder: GceRecorder;
let credentials: TestCredentials;

test.before(async () => {
  recorder = await startGceRecorder();
  credentials = await testCredentials(recorder);
  useCredentials(credentials);
});
test.beforeEach(() => {
  recorder.rules.length = 0;
});
test.after.always(async () => {
  t_violations();
  await recorder?.close();
});

function t_violations(): void {
  if (recorder.violations.length) throw new Error(`requests off the documented shapes: ${recorder.violations.join('\n')}`);
}

const ZONE = 'europe-west1-b';

async function provider(): Promise<GceProvider> {
  const options = resolveGceOptions({ zone: ZONE, endpoint: recorder.endpoint, sshFrom: '198.51.100.7/32' });
  return new GceProvider({ ...options, pollMs: 5, retryBaseMs: 20, chunkBytes: 256 * 1024, uploadsDir: await mkdtemp(join(tmpdir(), 'atomlab-uploads-')) });
}

const hostKey = generateKeyPair('root@vm1');
const labKey = generateKeyPair('atomlab-lab');
const userData = `#cloud-config\n${stringify({ hostname: 'vm1', ssh_keys: { ed25519_private: hostKey.privateKey, ed25519_public: hostKey.publicKey } })}`;

let base: Promise<{ path: string; format: 'raw'; digest: string; virtualBytes: number }> | undefined;
/** One cached image for the whole file (as the engine's cache has it): labs after the first reuse its GCE image. */
function rawBase(): Promise<{ path: string; format: 'raw'; digest: string; virtualBytes: number }> {
  base ??= makeRawBase();
  return base;
}

async function makeRawBase(): Promise<{ path: string; format: 'raw'; digest: string; virtualBytes: number }> {
  const path = join(await mkdtemp(join(tmpdir(), 'atomlab-base-')), 'cached-image');
  const data = Buffer.concat([randomBytes(700 * 1024), Buffer.alloc(3 * 1024 * 1024), randomBytes(100 * 1024)]);
  await writeFile(path, data);
  return { path, format: 'raw', digest: createHash('sha256').update(data).digest('hex'), virtualBytes: data.length };
}

function lab(name: string) {
  return { name, stateDir: `/tmp/${name}/.atomlab` };
}

async function labUp(name: string, gce?: GceProvider, ignition?: IgnitionSeed): Promise<{ gce: GceProvider; ref: VmRef; resources: LabResource[] }> {
  gce ??= await provider();
  const resources: LabResource[] = [];
  const plan = ignition?.plan ?? vmPlan({ lab: name, name: 'vm1', provider: { name: 'gce', options: {} }, seed: 'userdata', memoryMiB: 1024, ports: [{ guest: 9090, protocol: 'tcp', host: 'auto' }] });
  await gce.prepareLab({ ...lab(name), publicKey: labKey.publicKey, vms: [plan] }, async (r) => void resources.push(r));
  const seed = ignition?.medium ?? { kind: 'userdata' as const, transport: 'userdata' as const, text: userData };
  const ref = await gce.create({ plan, dir: '/nonexistent', consoleLog: '/nonexistent', base: await rawBase(), seed, labResources: resources });
  await gce.start(ref);
  return { gce, ref, resources };
}

const instanceName = (ref: VmRef) => (ref.data as { instance: string }).instance;

test.serial('up: image uploaded and inserted, firewall, instance with user-data and ssh-keys; host key pinned from the serial console; stop, start, reset, destroy; nothing left', async (t) => {
  const { gce, ref, resources } = await labUp('flow1');
  t.deepEqual(resources.map((r) => r.kind), ['firewall']);
  t.is(await gce.state(ref), 'running');
  const instance = recorder.instances.get(instanceName(ref))!;
  const metadata = Object.fromEntries((instance.body.metadata.items as { key: string; value: string }[]).map((item) => [item.key, item.value]));
  t.is(metadata['user-data'], userData);
  t.is(metadata['ssh-keys'], `atomic:${labKey.publicKey.trim()}`);
  t.is(instance.body.machineType, `zones/${ZONE}/machineTypes/e2-micro`, 'the smallest e2/n2/n2d type with 1 CPU and 1 GiB');
  const firewall = [...recorder.firewalls.values()][0] as { sourceRanges: string[]; allowed: unknown; targetTags: string[] };
  t.deepEqual(instance.body.tags.items, firewall.targetTags, 'the firewall targets the instance by network tag');
  t.deepEqual(firewall.sourceRanges, ['198.51.100.7/32']);
  t.deepEqual(firewall.allowed, [{ IPProtocol: 'tcp', ports: ['22', '9090'] }]);
  t.is(recorder.images.size, 1);
  t.is(recorder.objects.size, 0, 'the tarball object is deleted once the image is made');
  t.is(recorder.deleted.size, 1);
  recorder.serial.set(instanceName(ref), await cloudInitConsole([hostKey.publicKey]));
  t.deepEqual(await gce.endpoint(ref), { host: '203.0.113.70', port: 22 });
  await gce.stop(ref);
  t.is(await gce.state(ref), 'stopped');
  await gce.start(ref);
  t.is(await gce.state(ref), 'running');
  await gce.reset!(ref);
  t.is(recorder.count('instances.reset'), 1);
  await gce.destroy(ref);
  t.is(await gce.state(ref), 'missing');
  await gce.teardownLab(lab('flow1'), resources);
  t.deepEqual(await gce.labResources(lab('flow1')), []);
  const state = JSON.stringify(ref) + JSON.stringify(resources);
  t.false(state.includes('PRIVATE KEY') || state.includes(credentials.secret), 'the state keeps no secret');
  t.deepEqual(recorder.violations, []);
});

test.serial('a second lab reuses the image found by its digest label; the console lines come from getSerialPortOutput in order', async (t) => {
  const { gce, ref, resources } = await labUp('flow2');
  const inserts = recorder.count('images.insert');
  const uploads = recorder.count('storage.objects.insert (start)');
  t.is(inserts, 1, 'made by the first test, found again by label');
  t.is(uploads, 1);
  recorder.serial.set(instanceName(ref), 'SeaBIOS (version 1.8.2)\nBooting from Hard Disk 0...\n[    0.000000] Linux version 6.1');
  const controller = new AbortController();
  const lines: string[] = [];
  for await (const line of gce.console(ref, controller.signal)) {
    lines.push(line);
    if (lines.length === 2) recorder.serial.set(instanceName(ref), `${recorder.serial.get(instanceName(ref))}.0-28\ncloud-init finished\n`);
    if (lines.length === 4) controller.abort();
  }
  t.deepEqual(lines, ['SeaBIOS (version 1.8.2)', 'Booting from Hard Disk 0...', '[    0.000000] Linux version 6.1.0-28', 'cloud-init finished']);
  await gce.teardownLab(lab('flow2'), resources);
  t.deepEqual(await gce.labResources(lab('flow2')), []);
});

test.serial('down finds the lab\'s instances in every zone: a scenario whose zone changed after up leaves nothing behind', async (t) => {
  const { ref, resources } = await labUp('moved');
  const elsewhere = new GceProvider({ ...resolveGceOptions({ zone: 'us-central1-a', endpoint: recorder.endpoint, sshFrom: '198.51.100.7/32' }), pollMs: 5 });
  t.deepEqual((await elsewhere.labResources(lab('moved'))).map((r) => r.kind).sort(), ['firewall', 'instance']);
  await elsewhere.teardownLab(lab('moved'), resources);
  t.false(recorder.instances.has(instanceName(ref)));
  t.deepEqual(await elsewhere.labResources(lab('moved')), []);
});

test.serial('seed: ignition: metadata user-data is the Ignition config cidata writes, which ignition-validate accepts; the serial console\'s fingerprints are checked against the pin', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-gce-ignition-'));
  const seed = await ignitionSeed(dir, vmPlan({ lab: 'ign', name: 'vm1', provider: { name: 'gce', options: {} }, memoryMiB: 1024 }));
  const { gce, ref, resources } = await labUp('ign', undefined, seed);
  const instance = recorder.instances.get(instanceName(ref))!;
  const metadata = Object.fromEntries((instance.body.metadata.items as { key: string; value: string }[]).map((item) => [item.key, item.value]));
  const userDataBytes = Buffer.from(metadata['user-data'] ?? '', 'utf8');
  t.true(userDataBytes.equals(seed.expected), 'byte for byte what atomlab cidata --format ignition writes');
  const judged = await ignitionValidateBytes(userDataBytes, dir);
  t.true(judged.ok, judged.output);
  t.is((ref.data as { hostKey?: string }).hostKey, seed.hostKey);
  recorder.serial.set(instanceName(ref), await bootConsole(metadata['user-data']!));
  t.deepEqual(await gce.endpoint(ref), { host: '203.0.113.70', port: 22 }, 'the login prompt shows the pinned key\'s fingerprint');
  recorder.serial.set(instanceName(ref), await coreosConsole([generateKeyPair('root@impostor')]));
  await t.throwsAsync(gce.endpoint(ref), { instanceOf: AtomlabError, message: /vm1: the console shows host keys that are not the one atomlab gave it/ });
  await gce.teardownLab(lab('ign'), resources);
  t.deepEqual(recorder.violations, []);
});

test.serial('a serial console showing another host key is refused', async (t) => {
  const { gce, ref, resources } = await labUp('impostor');
  recorder.serial.set(instanceName(ref), await cloudInitConsole([generateKeyPair('root@impostor').publicKey]));
  await t.throwsAsync(gce.endpoint(ref), { instanceOf: AtomlabError, message: /vm1: the console shows host keys that are not the one atomlab gave it/ });
  await gce.teardownLab(lab('impostor'), resources);
});

test.serial('an instance that goes to TERMINATED while starting is a clear error with GCE\'s statusMessage; down leaves nothing', async (t) => {
  const gce = await provider();
  const resources: LabResource[] = [];
  const plan = vmPlan({ lab: 'dies', name: 'vm1', provider: { name: 'gce', options: {} }, seed: 'userdata' });
  await gce.prepareLab({ ...lab('dies'), publicKey: labKey.publicKey, vms: [plan] }, async (r) => void resources.push(r));
  const ref = await gce.create({ plan, dir: '/x', consoleLog: '/x', base: await rawBase(), seed: { kind: 'userdata', transport: 'userdata', text: userData }, labResources: resources });
  recorder.failBoot.set(instanceName(ref), 'Instance terminated during Shielded VM boot: the boot disk is not bootable');
  const error = await t.throwsAsync(gce.start(ref), { instanceOf: AtomlabError });
  t.is(error.message, `vm1: instance ${instanceName(ref)} went to TERMINATED: Instance terminated during Shielded VM boot: the boot disk is not bootable`);
  await gce.teardownLab(lab('dies'), resources);
  t.deepEqual(await gce.labResources(lab('dies')), []);
});

test.serial('quota exceeded in the instances.insert operation: a clear error naming the quota; down removes what the lab made', async (t) => {
  recorder.rules.push({ match: (seen) => seen.operation === 'instances.insert', action: { kind: 'operation-error', errors: [{ code: 'QUOTA_EXCEEDED', message: "Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1." }] } });
  const error = await t.throwsAsync(labUp('quota'), { instanceOf: AtomlabError });
  t.is(error.message, "Google Cloud quota reached (instances.insert: QUOTA_EXCEEDED: Quota 'CPUS' exceeded.  Limit: 8.0 in region europe-west1.)");
  t.regex(error.hint ?? '', /Quotas/);
  const gce = await provider();
  await gce.teardownLab(lab('quota'), []);
  t.deepEqual(await gce.labResources(lab('quota')), []);
});

test.serial('a rate limit is retried, and one that persists is a clear error', async (t) => {
  const gce = await provider();
  const limited = googleError(429, 'Rate Limit Exceeded', 'RESOURCE_EXHAUSTED', 'rateLimitExceeded', { 'retry-after': '1' });
  recorder.rules.push({ match: (seen) => seen.operation === 'firewalls.get', action: { kind: 'answer', status: 429, body: limited.body, headers: limited.headers }, times: 1 });
  const before = recorder.count('firewalls.get');
  await gce.prepareLab({ ...lab('rate'), publicKey: labKey.publicKey, vms: [] }, async () => undefined);
  t.is(recorder.count('firewalls.get') - before, 2, 'answered 429 once, then retried');
  recorder.rules.push({ match: (seen) => seen.operation === 'instances.aggregatedList', action: { kind: 'answer', status: 429, body: limited.body, headers: limited.headers }, times: 10 });
  const error = await t.throwsAsync(gce.labResources(lab('rate')), { instanceOf: AtomlabError });
  t.is(error.message, 'Google kept rate-limiting the requests (instances.aggregatedList: rateLimitExceeded: Rate Limit Exceeded)');
  t.is(error.context.attempts, 4);
  recorder.rules.length = 0;
  await gce.teardownLab(lab('rate'), []);
  t.deepEqual(await gce.labResources(lab('rate')), []);
});

test.serial('expired or revoked credentials: probe says unavailable and why; lab preparation fails clearly; no secret in the error', async (t) => {
  const revoked = await testCredentials(recorder, { known: false });
  useCredentials(revoked);
  try {
    const gce = await provider();
    const probe = await gce.probe();
    t.false(probe.available);
    t.regex(probe.reason ?? '', /Google refused the credentials \(machineTypes\.list: 401/);
    const error = await t.throwsAsync(gce.prepareLab({ ...lab('expired'), publicKey: labKey.publicKey, vms: [] }, async () => undefined), { instanceOf: AtomlabError });
    t.regex(error.message, /^Google refused the credentials \(firewalls\.get: 401: Request had invalid authentication credentials/);
    t.regex(error.hint ?? '', /gcloud auth application-default login/);
    t.false(JSON.stringify(error.toJSON()).includes(revoked.secret));
    t.is(recorder.firewalls.size, 0, 'nothing was made');
  } finally {
    useCredentials(credentials);
  }
});

test.serial('without Application Default Credentials the probe says so, and what to run, before any network call', async (t) => {
  const before = { credentials: process.env.GOOGLE_APPLICATION_CREDENTIALS, config: process.env.CLOUDSDK_CONFIG };
  process.env.GOOGLE_APPLICATION_CREDENTIALS = '';
  process.env.CLOUDSDK_CONFIG = await mkdtemp(join(tmpdir(), 'atomlab-gcloud-'));
  try {
    const seen = recorder.seen.length;
    const probe = await (await provider()).probe();
    t.false(probe.available);
    t.regex(probe.reason ?? '', /^no Google Application Default Credentials on this machine\n {2}hint: run gcloud auth application-default login/);
    t.is(recorder.seen.length, seen);
  } finally {
    Object.assign(process.env, { GOOGLE_APPLICATION_CREDENTIALS: before.credentials, CLOUDSDK_CONFIG: before.config });
  }
});

test.serial('image: {gce: …} boots an existing image: nothing is uploaded', async (t) => {
  const gce = await provider();
  const resources: LabResource[] = [];
  const plan = vmPlan({ lab: 'existing', name: 'vm1', provider: { name: 'gce', options: {} }, seed: 'userdata', image: { ...vmPlan().image, cloud: { kind: 'gce', id: 'projects/debian-cloud/global/images/family/debian-12' } } });
  await gce.prepareLab({ ...lab('existing'), publicKey: labKey.publicKey, vms: [plan] }, async (r) => void resources.push(r));
  const uploads = recorder.count(/storage\./);
  const ref = await gce.create({ plan, dir: '/x', consoleLog: '/x', base: { path: '/nonexistent', format: 'raw', digest: 'none', virtualBytes: 0 }, seed: { kind: 'userdata', transport: 'userdata', text: userData }, labResources: resources });
  t.is(recorder.count(/storage\./), uploads);
  t.is(recorder.instances.get(instanceName(ref))!.body.disks[0].initializeParams.sourceImage, 'projects/debian-cloud/global/images/family/debian-12');
  await gce.teardownLab(lab('existing'), resources);
  t.deepEqual(await gce.labResources(lab('existing')), []);
});

test.serial('an image GCE cannot make is a clear error, and its tarball object does not stay in the bucket', async (t) => {
  const gce = await provider();
  recorder.rules.push({ match: (seen) => seen.operation === 'images.insert', action: { kind: 'operation-error', httpStatus: 400, errors: [{ code: 'INVALID_IMAGE_FILE', message: 'The image archive does not contain a file named disk.raw' }] } });
  const base = await makeRawBase();
  const plan = vmPlan({ lab: 'badimage', name: 'vm1', provider: { name: 'gce', options: {} }, seed: 'userdata' });
  const resources: LabResource[] = [];
  await gce.prepareLab({ ...lab('badimage'), publicKey: labKey.publicKey, vms: [plan] }, async (r) => void resources.push(r));
  const error = await t.throwsAsync(gce.create({ plan, dir: '/x', consoleLog: '/x', base, seed: { kind: 'userdata', transport: 'userdata', text: userData }, labResources: resources }), { instanceOf: AtomlabError });
  t.is(error.message, 'Google Cloud call failed (images.insert: INVALID_IMAGE_FILE: The image archive does not contain a file named disk.raw)');
  t.is(recorder.objects.size, 0);
  t.false([...recorder.images.keys()].some((name) => name.startsWith(`atomlab-${base.digest.slice(0, 40)}`)));
  await gce.teardownLab(lab('badimage'), resources);
});

test.serial('down --images removes every image atomlab made in the project, and a tarball a crash left in the bucket', async (t) => {
  const gce = await provider();
  t.true(recorder.images.size >= 1);
  recorder.objects.set('atomlab-atomlab-test-1/atomlab/left-by-a-crash.tar.gz', Buffer.from('x'));
  recorder.objects.set('atomlab-atomlab-test-1/someone-elses.tar.gz', Buffer.from('y'));
  const removed = await gce.removeImages();
  t.deepEqual(removed.filter((r) => r.kind === 'bucket-object'), [{ kind: 'bucket-object', id: 'gs://atomlab-atomlab-test-1/atomlab/left-by-a-crash.tar.gz' }]);
  t.true(removed.filter((r) => r.kind === 'image').length >= 1 && removed.every((r) => r.kind === 'bucket-object' || r.id.startsWith('atomlab-')));
  t.is(recorder.images.size, 0);
  t.deepEqual([...recorder.objects.keys()], ['atomlab-atomlab-test-1/someone-elses.tar.gz'], 'only atomlab\'s own objects');
});
