import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseVmx } from '../../../providers/vmware/vmx.js';
import { cloudInitSchema } from '../../fixtures/cloud-init-judges.js';
import { readGuestinfo } from '../../fixtures/cloud-init-seed-judges.js';
import { vmxProblems } from '../../fixtures/fake-vmrun/contract.js';
import { installFakeVmrun, type FakeVmrun } from '../../fixtures/fake-vmrun.js';
import { guestinfoThroughProvider } from '../../fixtures/vmware-guestinfo.js';
import { vmwarePlan } from '../../fixtures/vmware-request.js';

/**
 * `seed: guestinfo` on Workstation/Player, judged by the real cloud-init: the keys the vmware
 * provider wrote into a VM's .vmx (gzip+base64 metadata and user-data) are given to Debian's
 * cloud-init's DataSourceVMware on its envvar transport (the VMX_GUESTINFO_* variables it reads
 * where no VMware backdoor exists), and what it decodes must be what the engine rendered. Its
 * user-data then passes `cloud-init schema`. No VM boots (the booted guest's own cloud-init does
 * the same in cloudinit-guest.test.ts, opt-in).
 */
let fake: FakeVmrun;
let dir: string;
test.before(async () => {
  fake = await installFakeVmrun();
  dir = await mkdtemp(join(tmpdir(), 'atomlab-vmware-guestinfo-'));
});
test.after.always(async () => {
  await fake.cleanup();
  await rm(dir, { recursive: true, force: true });
});

test('the guestinfo keys the provider writes into the .vmx decode, with cloud-init\'s VMware datasource, to the seed the engine rendered', async (t) => {
  const plan = vmwarePlan({ lab: 'gi', name: 'gi-00', hostname: 'gi-00', login: { user: 'fedora', password: { kind: 'literal', value: 'atomic' }, sshKeys: [] } });
  const { keys, data, vmx } = await guestinfoThroughProvider({ dir, plan, vmrun: fake.binary });
  t.deepEqual(Object.keys(keys).sort(), ['guestinfo.metadata', 'guestinfo.metadata.encoding', 'guestinfo.userdata', 'guestinfo.userdata.encoding']);
  t.is(keys['guestinfo.metadata.encoding'], 'gzip+base64');
  t.is(keys['guestinfo.userdata.encoding'], 'gzip+base64');
  const entries = parseVmx(await readFile(vmx, 'utf8'));
  t.deepEqual(vmxProblems(entries), [], 'a .vmx within the recorded keys');
  t.is(entries.get('ide0:1.present'), 'FALSE', 'no seed CD-ROM: the keys are the seed');

  const read = await readGuestinfo(keys);
  t.regex(read.access, /^envvar \(VMX_GUESTINFO_METADATA\)$/);
  t.is(read.instance_id, data.instanceId);
  t.is(read.hostname, 'gi-00');
  t.is(read.userdata, data.userData, 'cloud-init decodes the user-data byte for byte');
  t.is(read.vendordata, null);
  const userData = join(dir, 'user-data.decoded');
  await writeFile(userData, read.userdata ?? '');
  const schema = await cloudInitSchema(userData);
  t.true(schema.valid, schema.output);
  t.regex(read.userdata ?? '', /^#cloud-config\n/);
  t.true(data.publicKeys.every((key) => (read.userdata ?? '').includes(key.trim())), 'the lab key reaches cloud-init');
  t.deepEqual(await fake.problems(), []);
});
