import test from 'ava';
import { AtomlabError } from '../../../lab/errors/index.js';
import type { LabResource, VmRef } from '../../../lab/provider/index.js';
import { resolveGceOptions } from '../../../providers/gce/options.js';
import { GceProvider } from '../../../providers/gce/provider.js';
import { testCredentials, useCredentials } from '../../fixtures/clouds/gce-adc.js';
import { startGceRecorder, type GceRecorder } from '../../fixtures/clouds/gce-recorder.js';
import { vmPlan } from '../../fixtures/libvirt/vm-plan.js';

/**
 * Named snapshots and revert on GCE, through the real @google-cloud/compute client against the
 * recorder (gce-disk-routes.ts), which checks every body against the client's own message
 * descriptors and keeps the disks, snapshots and attachments as Compute documents them.
 */
let recorder: GceRecorder;

test.before(async () => {
  recorder = await startGceRecorder();
  useCredentials(await testCredentials(recorder));
});
test.beforeEach(() => {
  recorder.rules.length = 0;
});
test.after.always(async () => {
  const violations = recorder?.violations ?? [];
  await recorder?.close();
  if (violations.length) throw new Error(`requests off the documented shapes: ${violations.join('\n')}`);
});

const ZONE = 'europe-west1-b';
const lab = (name: string) => ({ name, stateDir: `/tmp/${name}/.atomlab` });
const IMAGE = 'projects/debian-cloud/global/images/family/debian-12';

/** A lab of one running VM booted from an image already in GCE (nothing to upload). */
async function labUp(name: string): Promise<{ gce: GceProvider; ref: VmRef }> {
  const gce = new GceProvider({ ...resolveGceOptions({ zone: ZONE, endpoint: recorder.endpoint, sshFrom: '198.51.100.7/32' }), pollMs: 5, retryBaseMs: 20 });
  const resources: LabResource[] = [];
  const plan = vmPlan({ lab: name, name: 'vm1', provider: { name: 'gce', options: {} }, seed: 'userdata', image: { ...vmPlan().image, cloud: { kind: 'gce', id: IMAGE } } });
  await gce.prepareLab({ ...lab(name), publicKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEi3lab lab', vms: [plan] }, async (r) => void resources.push(r));
  const ref = await gce.create({ plan, dir: '/x', consoleLog: '/x', seed: { kind: 'userdata', transport: 'userdata', text: '#cloud-config\n{}\n' }, labResources: resources });
  await gce.start(ref);
  return { gce, ref };
}

const instanceOf = (ref: VmRef) => recorder.instances.get((ref.data as { instance: string }).instance)!;
const bootSource = (ref: VmRef) => String(instanceOf(ref).disks.find((disk) => disk.boot)?.source).split('/').pop()!;
/** The calls that change something, in order, from `from` on (reads and operation waits left out). */
const changesSince = (from: number) => recorder.seen.slice(from).filter((seen) => seen.method !== 'GET' && !/Operations\.wait$/.test(seen.operation)).map((seen) => seen.operation);
const labelled = <T extends { labels?: Record<string, string> }>(items: Iterable<T>, tag: string) => [...items].filter((item) => item.labels?.['atomlab-lab'] === tag);

test.serial('snapshot, list, revert, delete: the boot disk swapped for one made from the snapshot; down removes disks and snapshots by label', async (t) => {
  const { gce, ref } = await labUp('gsnap');
  const tag = (ref.data as { labTag: string }).labTag;
  const firstDisk = bootSource(ref);
  t.like(recorder.disks.get(firstDisk)!.body.labels, { 'atomlab-lab': tag }, 'instances.insert labels its boot disk with the lab');
  await gce.snapshot(ref, 'Clean.1');
  await gce.snapshot(ref, 'after');
  await t.throwsAsync(gce.snapshot(ref, 'after'), { instanceOf: AtomlabError, message: 'vm1 already has a snapshot named after' });
  t.deepEqual((await gce.listSnapshots(ref)).sort(), ['Clean.1', 'after']);
  const snapshot = [...recorder.snapshots.values()].find((s) => String(s.description).startsWith('atomlab snapshot Clean.1 '))!;
  t.like(snapshot, { sourceDisk: `https://www.googleapis.com/compute/v1/projects/atomlab-test-1/zones/${ZONE}/disks/${firstDisk}`, labels: { 'atomlab-lab': tag, 'atomlab-vm': 'vm1', 'atomlab-instance': (ref.data as { instance: string }).instance } });
  const listed = (await gce.labResources(lab('gsnap'))).filter((r) => r.kind === 'snapshot');
  t.deepEqual(listed.map((r) => r.owner), [(ref.data as { instance: string }).instance, (ref.data as { instance: string }).instance], 'status counts each snapshot as its instance\'s');

  const from = recorder.seen.length;
  await gce.revert(ref, 'Clean.1');
  t.deepEqual(changesSince(from), ['instances.stop', 'disks.insert', 'instances.detachDisk', 'instances.attachDisk', 'instances.start', 'disks.delete']);
  const newDisk = bootSource(ref);
  t.not(newDisk, firstDisk);
  t.like(recorder.disks.get(newDisk)!.body, { sourceSnapshot: `https://www.googleapis.com/compute/v1/projects/atomlab-test-1/global/snapshots/${String(snapshot.name)}`, labels: { 'atomlab-lab': tag, 'atomlab-vm': 'vm1' } });
  t.like(instanceOf(ref).disks[0], { boot: true, autoDelete: true, deviceName: 'persistent-disk-0' });
  t.false(recorder.disks.has(firstDisk), 'the old boot disk is deleted');
  t.is(await gce.state(ref), 'running');

  await gce.stop(ref);
  await gce.revert(ref, 'after');
  t.is(await gce.state(ref), 'stopped', 'a stopped VM stays stopped');
  await gce.deleteSnapshot(ref, 'after');
  await t.throwsAsync(gce.deleteSnapshot(ref, 'after'), { instanceOf: AtomlabError, message: 'vm1 has no snapshot named after' });
  await t.throwsAsync(gce.revert(ref, 'never'), { instanceOf: AtomlabError, message: 'vm1 has no snapshot named never' });
  t.deepEqual(await gce.listSnapshots(ref), ['Clean.1']);

  const removed = await gce.removeLabResources(lab('gsnap'));
  t.deepEqual(removed.map((r) => r.kind).sort(), ['firewall', 'instance', 'snapshot']);
  t.deepEqual([labelled([...recorder.disks.values()].map((d) => d.body), tag), labelled(recorder.snapshots.values(), tag)], [[], []]);
  t.deepEqual(await gce.labResources(lab('gsnap')), []);
});

test.serial('a revert that fails after the old boot disk was detached: status lists both loose disks; down removes them, the instance and the snapshot', async (t) => {
  const { gce, ref } = await labUp('gfail');
  const tag = (ref.data as { labTag: string }).labTag;
  await gce.snapshot(ref, 'clean');
  recorder.rules.push({ match: (seen) => seen.operation === 'instances.attachDisk', action: { kind: 'operation-error', httpStatus: 403, errors: [{ code: 'QUOTA_EXCEEDED', message: "Quota 'SSD_TOTAL_GB' exceeded.  Limit: 500.0 in region europe-west1." }] } });
  await t.throwsAsync(gce.revert(ref, 'clean'), { instanceOf: AtomlabError, message: /QUOTA_EXCEEDED/ });
  const listed = await gce.labResources(lab('gfail'));
  t.deepEqual(listed.filter((r) => r.kind === 'disk').length, 2, 'the detached old boot disk and the new one');
  const removed = await gce.removeLabResources(lab('gfail'));
  t.deepEqual(removed.map((r) => r.kind).sort(), ['disk', 'disk', 'firewall', 'instance', 'snapshot']);
  t.deepEqual([labelled([...recorder.disks.values()].map((d) => d.body), tag), labelled(recorder.snapshots.values(), tag)], [[], []]);
  t.deepEqual(await gce.labResources(lab('gfail')), []);
});

test.serial('the recorder holds revert to Compute\'s rules: no detaching a running instance\'s boot disk, no deleting a disk in use, no start without a boot disk', async (t) => {
  const { gce, ref } = await labUp('grules');
  const where = { project: 'atomlab-test-1', zone: ZONE, name: (ref.data as { instance: string }).instance };
  const disk = bootSource(ref);
  await t.throwsAsync(gce.client.detachDisk(where, 'persistent-disk-0'), { instanceOf: AtomlabError, message: /must be stopped to detach its boot disk/ });
  await t.throwsAsync(gce.client.deleteDisk(where.project, ZONE, disk), { instanceOf: AtomlabError, message: /is already being used by/ });
  await gce.stop(ref);
  await gce.client.detachDisk(where, 'persistent-disk-0');
  await t.throwsAsync(gce.client.instanceAction('start', where), { instanceOf: AtomlabError, message: /has no boot disk/ });
  t.deepEqual((await gce.labResources(lab('grules'))).map((r) => r.kind).sort(), ['disk', 'firewall', 'instance'], 'the detached disk is listed');
  await gce.removeLabResources(lab('grules'));
  t.false(recorder.disks.has(disk));
});
