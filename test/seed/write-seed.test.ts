import test from 'ava';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { toNetworkData, writeSeed, type SeedMedium } from '../../lab/seed/index.js';
import { readConfigDrive } from '../fixtures/cloud-init-seed-judges.js';
import { cloudInitSchema } from '../fixtures/cloud-init-judges.js';
import { blkidProbe, isoinfoSummary, readTree, xorrisoExtract, xorrisoPaths } from '../fixtures/iso-judges.js';
import { NETWORK_V2, seedData } from '../fixtures/seed-data.js';
import { fsckFat, vfatExtract, vfatFiles } from '../fixtures/vfat-judges.js';

async function scratch(t: { teardown: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-seed-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function drivePath(medium: SeedMedium): string {
  if (medium.kind !== 'drive') throw new Error(`expected a drive, got ${medium.kind}`);
  return medium.path;
}

/** The drive's files as extracted by xorriso (ISO) or mcopy (vfat), path → text. */
async function extracted(medium: SeedMedium, dir: string): Promise<Map<string, string>> {
  const path = drivePath(medium);
  const out = join(dir, 'extracted');
  if (medium.kind === 'drive' && medium.filesystem === 'vfat') await vfatExtract(path, out);
  else await xorrisoExtract(path, out);
  const tree = await readTree(out);
  return new Map([...tree].filter(([, v]) => v !== 'dir').map(([p, v]) => [p.slice(1), (v as Buffer).toString('utf8')]));
}

test('nocloud: an ISO 9660 cidata CD-ROM whose files are the seed, 0600, judged by xorriso and cloud-init schema', async (t) => {
  const dir = await scratch(t);
  const data = seedData({ vendorData: '#cloud-config\npackages: [jq]\n', networkConfig: NETWORK_V2 });
  const medium = await writeSeed({ data, transport: 'nocloud', dir });
  t.deepEqual(medium, { kind: 'drive', transport: 'nocloud', path: join(dir, 'seed.iso'), filesystem: 'iso9660', label: 'cidata', attachAs: 'cdrom' });
  t.is((await stat(drivePath(medium))).mode & 0o777, 0o600);
  t.regex(await isoinfoSummary(drivePath(medium)), /^Volume id: cidata$/m);
  t.deepEqual(await xorrisoPaths(drivePath(medium)), ['/meta-data', '/network-config', '/user-data', '/vendor-data']);
  const files = await extracted(medium, dir);
  t.is(files.get('user-data'), data.userData);
  t.is(files.get('vendor-data'), data.vendorData);
  t.deepEqual(parse(files.get('meta-data')!), { 'instance-id': data.instanceId, 'local-hostname': 'seedvm', 'availability-zone': 'lab' });
  t.deepEqual(parse(files.get('network-config')!), NETWORK_V2);
  const schema = await cloudInitSchema(join(dir, 'extracted', 'user-data'));
  t.true(schema.valid, schema.output);
});

test('nocloud-vfat: a FAT disk labelled cidata that fsck.fat passes, blkid sees, and mcopy reads back', async (t) => {
  const dir = await scratch(t);
  const data = seedData({ networkConfig: { network: NETWORK_V2 } });
  const medium = await writeSeed({ data, transport: 'nocloud-vfat', dir });
  t.like(medium, { kind: 'drive', filesystem: 'vfat', label: 'cidata', attachAs: 'disk' });
  t.is((await stat(drivePath(medium))).mode & 0o777, 0o600);
  t.regex(await fsckFat(drivePath(medium)), /4 files|3 files/);
  t.like(await blkidProbe(drivePath(medium)), { TYPE: 'vfat', LABEL: 'cidata' });
  t.deepEqual(await vfatFiles(drivePath(medium)), ['meta-data', 'network-config', 'user-data']);
  const files = await extracted(medium, dir);
  t.is(files.get('user-data'), data.userData);
  t.deepEqual(parse(files.get('network-config')!), NETWORK_V2, 'the network: wrapper is taken off, as NoCloud wants');
});

for (const transport of ['configdrive', 'configdrive-vfat'] as const) {
  test(`${transport}: config-2 read back by cloud-init's own ConfigDrive reader`, async (t) => {
    const dir = await scratch(t);
    const data = seedData({ vendorData: '#cloud-config\npackages: [jq]\n', networkConfig: NETWORK_V2 });
    const medium = await writeSeed({ data, transport, dir });
    const path = drivePath(medium);
    t.is((await stat(path)).mode & 0o777, 0o600);
    if (transport === 'configdrive') {
      t.regex(await isoinfoSummary(path), /^Volume id: config-2$/m);
      t.like(medium, { filesystem: 'iso9660', label: 'config-2', attachAs: 'cdrom' });
    } else {
      t.regex(await fsckFat(path), /files/);
      t.like(await blkidProbe(path), { TYPE: 'vfat', LABEL: 'config-2' });
      t.like(medium, { filesystem: 'vfat', label: 'config-2', attachAs: 'disk' });
    }
    await extracted(medium, dir);
    const read = await readConfigDrive(join(dir, 'extracted'), { '52:54:00:ab:cd:ef': 'lan' });
    t.is(read.version, 2);
    t.is(read.userdata, data.userData);
    t.like(read.metadata, { uuid: data.instanceId, 'instance-id': data.instanceId, hostname: 'seedvm', 'local-hostname': 'seedvm', name: 'seedvm', 'availability-zone': 'lab' });
    t.deepEqual(Object.values(read.metadata.public_keys as object), data.publicKeys);
    t.deepEqual(read.vendordata, { 'cloud-init': data.vendorData });
    t.deepEqual(read.networkdata, toNetworkData(NETWORK_V2));
    t.like(read.network_config, { version: 1 });
  });
}

test('config-2 without a uuid is refused, and nothing is written', async (t) => {
  const dir = await scratch(t);
  for (const transport of ['configdrive', 'configdrive-vfat'] as const) {
    const error = await t.throwsAsync(writeSeed({ data: seedData({ instanceId: '' }), transport, dir }));
    t.like(error, { name: 'AtomlabError', code: 'BAD_INPUT' });
    t.regex(error!.message, /config-2 drive needs a uuid/);
  }
  t.deepEqual(await readdir(dir), []);
});

test('guestinfo and userdata write nothing: keys and text for the provider', async (t) => {
  const dir = join(await scratch(t), 'vm');
  const data = seedData();
  const keys = await writeSeed({ data, transport: 'guestinfo', dir });
  t.is(keys.kind, 'keys');
  t.deepEqual(Object.keys(keys.kind === 'keys' ? keys.keys : {}), ['guestinfo.metadata', 'guestinfo.metadata.encoding', 'guestinfo.userdata', 'guestinfo.userdata.encoding']);
  t.deepEqual(await writeSeed({ data, transport: 'userdata', dir }), { kind: 'userdata', transport: 'userdata', text: data.userData });
  await t.throwsAsync(stat(dir));
  await t.throwsAsync(writeSeed({ data, transport: 'ignition', dir }), { message: /no Ignition config was rendered/ });
});

test('a user-data of several MiB still fits the vfat drive', async (t) => {
  const dir = await scratch(t);
  const big = `#cloud-config\nwrite_files:\n  - path: /big\n    content: "${'x'.repeat(3 << 20)}"\n`;
  const medium = await writeSeed({ data: seedData({ userData: big }), transport: 'nocloud-vfat', dir });
  await fsckFat(drivePath(medium));
  t.is((await extracted(medium, dir)).get('user-data'), big);
  t.truthy(await readFile(drivePath(medium)));
});
