import test from 'ava';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFile } from 'node:child_process';
import { readConfigDrive, readGuestinfo, readUserDataParts } from '../fixtures/cloud-init-seed-judges.js';
import { blkidProbe, isoinfoSummary, xorrisoExtract } from '../fixtures/iso-judges.js';
import { fsckFat, vfatExtract, vfatFiles } from '../fixtures/vfat-judges.js';

const BIN = resolve('bin/atomlab.js');

function atomlab(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

const USER_DATA = '#cloud-config\nhostname: cli\n';
const VENDOR_DATA = '#cloud-config\npackages: [jq]\n';

async function seedDir(t: { teardown: (fn: () => Promise<void>) => void }, metaData = 'instance-id: iid-cli\nlocal-hostname: cli\n'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-cli-formats-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'user-data'), USER_DATA);
  await writeFile(join(dir, 'meta-data'), metaData);
  await writeFile(join(dir, 'network-config'), 'version: 2\nethernets:\n  eth0:\n    dhcp4: true\n');
  await writeFile(join(dir, 'vendor-data'), VENDOR_DATA);
  return dir;
}

const FILES = ['--user-data', 'user-data', '--meta-data', 'meta-data', '--network-config', 'network-config', '--vendor-data', 'vendor-data'];

test('--format configdrive: an ISO labelled config-2 that cloud-init reads, network_data.json included', async (t) => {
  const dir = await seedDir(t);
  const result = await atomlab(['cidata', '--format', 'configdrive', ...FILES, '-o', 'drive.iso'], dir);
  t.is(result.code, 0, result.stderr);
  t.regex(await isoinfoSummary(join(dir, 'drive.iso')), /^Volume id: config-2$/m);
  t.is((await stat(join(dir, 'drive.iso'))).mode & 0o777, 0o600);
  await xorrisoExtract(join(dir, 'drive.iso'), join(dir, 'out'));
  const read = await readConfigDrive(join(dir, 'out'));
  t.like(read.metadata, { uuid: 'iid-cli', 'instance-id': 'iid-cli', hostname: 'cli', name: 'cli' });
  t.is(read.userdata, USER_DATA);
  t.deepEqual(read.vendordata, { 'cloud-init': VENDOR_DATA });
  t.deepEqual(read.network_config, { version: 1, config: [{ type: 'physical', name: 'eth0', mac_address: null, subnets: [{ type: 'dhcp4' }] }] });
});

test('--format configdrive --fs vfat: a FAT disk labelled config-2', async (t) => {
  const dir = await seedDir(t);
  const result = await atomlab(['cidata', '--format', 'configdrive', '--fs', 'vfat', ...FILES, '-o', 'drive.img'], dir);
  t.is(result.code, 0, result.stderr);
  await fsckFat(join(dir, 'drive.img'));
  t.like(await blkidProbe(join(dir, 'drive.img')), { TYPE: 'vfat', LABEL: 'config-2' });
  await vfatExtract(join(dir, 'drive.img'), join(dir, 'out'));
  t.like((await readConfigDrive(join(dir, 'out'))).metadata, { uuid: 'iid-cli' });
});

test('--fs vfat (nocloud): the files byte for byte on a FAT disk labelled cidata', async (t) => {
  const dir = await seedDir(t);
  const result = await atomlab(['cidata', '--fs', 'vfat', ...FILES, '-o', 'seed.img'], dir);
  t.is(result.code, 0, result.stderr);
  t.like(await blkidProbe(join(dir, 'seed.img')), { TYPE: 'vfat', LABEL: 'cidata' });
  t.deepEqual(await vfatFiles(join(dir, 'seed.img')), ['meta-data', 'network-config', 'user-data', 'vendor-data']);
  await vfatExtract(join(dir, 'seed.img'), join(dir, 'out'));
  for (const name of ['user-data', 'meta-data', 'network-config', 'vendor-data']) {
    t.deepEqual(await readFile(join(dir, 'out', name)), await readFile(join(dir, name)), name);
  }
});

test('a config drive without instance-id is refused: exit 2, no drive, no temp file', async (t) => {
  const dir = await seedDir(t, 'local-hostname: cli\n');
  for (const fs of ['iso', 'vfat']) {
    const result = await atomlab(['cidata', '--format', 'configdrive', '--fs', fs, ...FILES, '-o', 'drive.img'], dir);
    t.is(result.code, 2);
    t.regex(result.stderr, /config-2 drive needs a uuid[\s\S]*hint: set instance-id in the meta-data/);
  }
  t.false((await readdir(dir)).some((name) => name.startsWith('drive') || name.endsWith('.tmp')));
});

test('--format guestinfo: .vmx lines that cloud-init decodes back to the same documents', async (t) => {
  const dir = await seedDir(t);
  const result = await atomlab(['cidata', '--format', 'guestinfo', ...FILES, '-o', 'seed.vmx'], dir);
  t.is(result.code, 0, result.stderr);
  t.is((await stat(join(dir, 'seed.vmx'))).mode & 0o777, 0o600);
  const lines = (await readFile(join(dir, 'seed.vmx'), 'utf8')).trimEnd().split('\n');
  const keys = Object.fromEntries(lines.map((line) => /^(\S+) = "(.*)"$/.exec(line)!.slice(1, 3) as [string, string]));
  t.deepEqual(Object.keys(keys), ['guestinfo.metadata', 'guestinfo.metadata.encoding', 'guestinfo.userdata', 'guestinfo.userdata.encoding', 'guestinfo.vendordata', 'guestinfo.vendordata.encoding']);
  const read = await readGuestinfo(keys);
  t.is(read.userdata, USER_DATA);
  t.is(read.vendordata, VENDOR_DATA);
  t.is(read.instance_id, 'iid-cli');
  t.deepEqual(read.network_config, { version: 2, ethernets: { eth0: { dhcp4: true } } });
});

test('--format userdata: vendor-data and user-data as one multi-part message', async (t) => {
  const dir = await seedDir(t);
  const result = await atomlab(['cidata', '--format', 'userdata', ...FILES, '-o', 'user-data.mime'], dir);
  t.is(result.code, 0, result.stderr);
  const parts = await readUserDataParts(join(dir, 'user-data.mime'));
  t.deepEqual(parts.map((part) => part.content), [VENDOR_DATA, USER_DATA]);
});

test('flags that do not fit the format: exit 2', async (t) => {
  const dir = await seedDir(t);
  const volid = await atomlab(['cidata', '--format', 'configdrive', ...FILES, '--volid', 'x', '-o', 'a.iso'], dir);
  t.is(volid.code, 2);
  t.regex(volid.stderr, /--volid applies to a NoCloud ISO only/);
  const fs = await atomlab(['cidata', '--format', 'guestinfo', '--fs', 'vfat', ...FILES, '-o', 'a.vmx'], dir);
  t.is(fs.code, 2);
  t.regex(fs.stderr, /--fs applies to drive images, not to guestinfo/);
  const bad = await atomlab(['cidata', '--format', 'ignition', ...FILES, '-o', 'a.ign'], dir);
  t.is(bad.code, 2);
  t.false((await readdir(dir)).some((name) => name.startsWith('a.')));
});

test('--from --format configdrive --fs vfat: the seed up would give, as a config drive', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-cli-from-cd-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'lab.yaml'), 'name: fromcd\nvms:\n  - name: box\n    hostname: box.example.test\n    image: tiny\n    login: { user: core, password: generate }\n');
  const result = await atomlab(['cidata', '--from', 'lab.yaml', '--vm', 'box', '--format', 'configdrive', '--fs', 'vfat', '-o', 'box.img'], dir);
  t.is(result.code, 0, result.stderr);
  await vfatExtract(join(dir, 'box.img'), join(dir, 'out'));
  const read = await readConfigDrive(join(dir, 'out'));
  const labKey = (await readFile(join(dir, '.atomlab', 'keys', 'id_ed25519.pub'), 'utf8')).trim();
  t.regex(String(read.metadata.uuid), /^iid-/);
  t.like(read.metadata, { hostname: 'box.example.test', name: 'box' });
  t.deepEqual(Object.values(read.metadata.public_keys as object), [labKey]);
  t.true(read.userdata.includes(`plain_text_passwd: ${(await readFile(join(dir, 'box.img.password'), 'utf8')).trim()}`));
});
