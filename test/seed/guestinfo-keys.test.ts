import test from 'ava';
import { gunzipSync } from 'node:zlib';
import { guestinfoKeys, vmxLines } from '../../lab/seed/index.js';
import { readGuestinfo } from '../fixtures/cloud-init-seed-judges.js';
import { NETWORK_V2, seedData } from '../fixtures/seed-data.js';

const VENDOR_DATA = '#cloud-config\npackages: [jq]\n';

test("cloud-init's VMware datasource (envvar transport) decodes the keys back to the same documents", async (t) => {
  const data = seedData({ vendorData: VENDOR_DATA, networkConfig: { network: NETWORK_V2 } });
  const keys = guestinfoKeys(data);
  t.is(keys['guestinfo.metadata.encoding'], 'gzip+base64');
  t.is(keys['guestinfo.userdata.encoding'], 'gzip+base64');
  t.is(keys['guestinfo.vendordata.encoding'], 'gzip+base64');
  const read = await readGuestinfo(keys);
  t.is(read.access, 'envvar (VMX_GUESTINFO_METADATA)');
  t.is(read.userdata, data.userData);
  t.is(read.vendordata, VENDOR_DATA);
  t.is(read.instance_id, data.instanceId);
  t.is(read.hostname, 'seedvm');
  t.deepEqual(read.network_config, NETWORK_V2);
  t.like(read.metadata, { 'instance-id': data.instanceId, 'local-hostname': 'seedvm', 'availability-zone': 'lab' });
});

test('without vendor-data or network: no vendordata key, no network in the metadata', async (t) => {
  const data = seedData();
  const keys = guestinfoKeys(data);
  t.deepEqual(Object.keys(keys).sort(), ['guestinfo.metadata', 'guestinfo.metadata.encoding', 'guestinfo.userdata', 'guestinfo.userdata.encoding']);
  t.deepEqual(JSON.parse(gunzipSync(Buffer.from(keys['guestinfo.metadata']!, 'base64')).toString()), {
    'local-hostname': 'seedvm',
    'availability-zone': 'lab',
    'instance-id': data.instanceId,
  });
  const read = await readGuestinfo(keys);
  t.is(read.vendordata, null);
  t.is(read.userdata, data.userData);
});

test('.vmx lines: one quoted key = value per line', (t) => {
  t.is(vmxLines({ 'guestinfo.metadata': 'H4sI+/=', 'guestinfo.metadata.encoding': 'gzip+base64' }), 'guestinfo.metadata = "H4sI+/="\nguestinfo.metadata.encoding = "gzip+base64"\n');
});
