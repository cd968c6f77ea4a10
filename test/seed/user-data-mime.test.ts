import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { multipartUserData, userDataText } from '../../lab/seed/index.js';
import { readUserDataParts, type UserDataPartRead } from '../fixtures/cloud-init-seed-judges.js';
import { seedData } from '../fixtures/seed-data.js';

const run = promisify(execFile);

async function parts(text: string): Promise<UserDataPartRead[]> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-mime-'));
  try {
    await writeFile(join(dir, 'user-data'), text);
    return await readUserDataParts(join(dir, 'user-data'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const SCRIPT = '#!/bin/sh\necho "héllo from a part" > /run/part\n';
const VENDOR = '#cloud-config\npackages: [jq]\n';

test('multi-part user-data: cloud-init decodes the same parts, types and names that cloud-init devel make-mime gives', async (t) => {
  const user = seedData().userData;
  const ours = await parts(await multipartUserData([{ filename: 'vendor-data', content: VENDOR }, { filename: 'user-data', content: user }, { filename: 'run.sh', content: SCRIPT }]));
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-make-mime-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'vendor-data'), VENDOR);
  await writeFile(join(dir, 'user-data'), user);
  await writeFile(join(dir, 'run.sh'), SCRIPT);
  const args = ['-a', 'vendor-data:cloud-config', '-a', 'user-data:cloud-config', '-a', 'run.sh:x-shellscript'];
  const { stdout } = await run('cloud-init', ['devel', 'make-mime', ...args], { cwd: dir });
  const theirs = await parts(stdout);
  t.deepEqual(ours, theirs);
  t.deepEqual(ours.map((part) => [part.type, part.filename, part.content]), [
    ['text/cloud-config', 'vendor-data', VENDOR],
    ['text/cloud-config', 'user-data', user],
    ['text/x-shellscript', 'run.sh', SCRIPT],
  ]);
});

test('userdata transport: the user-data as it is without vendor-data, vendor first then user with it', async (t) => {
  const plain = seedData();
  t.is(await userDataText(plain), plain.userData);
  const withVendor = seedData({ vendorData: VENDOR });
  t.deepEqual((await parts(await userDataText(withVendor))).map((part) => [part.filename, part.content]), [
    ['vendor-data', VENDOR],
    ['user-data', withVendor.userData],
  ]);
});

test('user-data that is MIME already is nested whole, and cloud-init still finds every part', async (t) => {
  const inner = await multipartUserData([{ filename: 'a.sh', content: SCRIPT }, { filename: 'b.cfg', content: '#cloud-config\nruncmd: [true]\n' }]);
  const read = await parts(await userDataText(seedData({ userData: inner, vendorData: VENDOR })));
  t.deepEqual(read.map((part) => [part.type, part.filename, part.content]), [
    ['text/cloud-config', 'vendor-data', VENDOR],
    ['text/x-shellscript', 'a.sh', SCRIPT],
    ['text/cloud-config', 'b.cfg', '#cloud-config\nruncmd: [true]\n'],
  ]);
});
