import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { IsoTree } from '../../lab/iso9660/index.js';
import { assertJudged, judgeImage } from '../fixtures/iso-check.js';
import { isoinfoSummary } from '../fixtures/iso-judges.js';

const BIN = resolve('bin/atomlab.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function atomlab(args: string[], cwd: string): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [BIN, ...args], { cwd }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function seedDir(userData = '#cloud-config\nhostname: cli\n'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-cli-cidata-'));
  await writeFile(join(dir, 'user-data'), userData);
  await writeFile(join(dir, 'meta-data'), 'instance-id: iid-cli\nlocal-hostname: cli\n');
  await writeFile(join(dir, 'network-config'), 'version: 2\n');
  await writeFile(join(dir, 'vendor-data'), '#cloud-config\n');
  return dir;
}

const BASE = ['cidata', '--user-data', 'user-data', '--meta-data', 'meta-data'];

test('writes the seed cloud-localds would: the four files, volume id cidata, mode 0600', async (t) => {
  const dir = await seedDir();
  const result = await atomlab([...BASE, '--network-config', 'network-config', '--vendor-data', 'vendor-data', '-o', 'seed.iso'], dir);
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  t.regex(await isoinfoSummary(join(dir, 'seed.iso')), /^Volume id: cidata$/m);
  t.is((await stat(join(dir, 'seed.iso'))).mode & 0o777, 0o600);
  const tree: IsoTree = Object.fromEntries(
    ['user-data', 'meta-data', 'network-config', 'vendor-data'].map((name) => [name, { kind: 'file' as const, path: join(dir, name) }]),
  );
  assertJudged(t, await judgeImage(join(dir, 'seed.iso'), tree));
  await rm(dir, { recursive: true });
});

test('--volid config-2', async (t) => {
  const dir = await seedDir();
  const result = await atomlab([...BASE, '--volid', 'config-2', '-o', 'drive.iso'], dir);
  t.is(result.code, 0, result.stderr);
  t.regex(await isoinfoSummary(join(dir, 'drive.iso')), /^Volume id: config-2$/m);
  await rm(dir, { recursive: true });
});

async function assertRefused(t: ExecutionContext, dir: string, result: Result, pattern: RegExp): Promise<void> {
  t.is(result.code, 2);
  t.regex(result.stderr, pattern);
  t.notRegex(result.stderr, /\n\s+at /, 'no stack trace');
  t.false((await readdir(dir)).some((name) => name.endsWith('.iso') || name.endsWith('.tmp')), 'no ISO, no temp file');
}

test('a missing input file: exit 2, names the file, no ISO', async (t) => {
  const dir = await seedDir();
  const result = await atomlab(['cidata', '--user-data', 'nope.yaml', '--meta-data', 'meta-data', '-o', 'seed.iso'], dir);
  await assertRefused(t, dir, result, /cannot read user-data file nope\.yaml: no such file/);
  await rm(dir, { recursive: true });
});

test('#cloud-config that is not YAML: exit 2 with file:line:col, no ISO', async (t) => {
  const dir = await seedDir('#cloud-config\nusers:\n  - name: a\n    groups: [wheel\n');
  const result = await atomlab([...BASE, '-o', 'seed.iso'], dir);
  await assertRefused(t, dir, result, /^user-data:\d+:\d+: /m);
  await rm(dir, { recursive: true });
});

test('#cloud-config that is YAML but not a mapping: exit 2', async (t) => {
  const dir = await seedDir('#cloud-config\n- a\n- b\n');
  const result = await atomlab([...BASE, '-o', 'seed.iso'], dir);
  await assertRefused(t, dir, result, /^user-data:1:1: expected a YAML mapping/m);
  await rm(dir, { recursive: true });
});

test('a shell-script user-data is passed through unchecked', async (t) => {
  const dir = await seedDir('#!/bin/sh\necho [unbalanced\n');
  const result = await atomlab([...BASE, '-o', 'seed.iso'], dir);
  t.is(result.code, 0, result.stderr);
  const tree: IsoTree = {
    'user-data': { kind: 'file', content: '#!/bin/sh\necho [unbalanced\n' },
    'meta-data': { kind: 'file', path: join(dir, 'meta-data') },
  };
  assertJudged(t, await judgeImage(join(dir, 'seed.iso'), tree));
  await rm(dir, { recursive: true });
});

test('an output path in a missing directory: exit 2 with a hint', async (t) => {
  const dir = await seedDir();
  const result = await atomlab([...BASE, '-o', 'missing/seed.iso'], dir);
  await assertRefused(t, dir, result, /directory missing does not exist\n {2}hint: create it first/);
  await rm(dir, { recursive: true });
});

test('an existing ISO is left untouched when the new one cannot be written', async (t) => {
  const dir = await seedDir('#cloud-config\n: :\n  bad: [\n');
  await writeFile(join(dir, 'seed.iso'), 'old');
  const result = await atomlab([...BASE, '-o', 'seed.iso'], dir);
  t.is(result.code, 2);
  t.is(await readFile(join(dir, 'seed.iso'), 'utf8'), 'old');
  t.deepEqual((await readdir(dir)).filter((name) => name.endsWith('.tmp')), []);
  await rm(dir, { recursive: true });
});

test('--from writes the seed up would give a VM: its user, password, the lab key, a host key', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-cli-from-'));
  await writeFile(join(dir, 'lab.yaml'), 'name: from\nvms:\n  - name: box\n    hostname: box.example.test\n    image: tiny\n    login: { user: core, password: generate }\n');
  const result = await atomlab(['cidata', '--from', 'lab.yaml', '--vm', 'box', '-o', 'box.iso'], dir);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /log in as core with ssh -i .*\.atomlab\/keys\/id_ed25519; host key SHA256:\S+; generated password in box\.iso\.password/);
  const userData = await new Promise<string>((done, fail) => execFile('isoinfo', ['-R', '-x', '/user-data', '-i', join(dir, 'box.iso')], (e, out) => (e ? fail(e) : done(out))));
  const password = (await readFile(join(dir, 'box.iso.password'), 'utf8')).trim();
  const labKey = (await readFile(join(dir, '.atomlab', 'keys', 'id_ed25519.pub'), 'utf8')).trim();
  t.true(userData.includes(`plain_text_passwd: ${password}`));
  t.true(userData.includes(labKey));
  t.regex(userData, /^hostname: box\.example\.test$/m);
  t.regex(userData, /ed25519_private: \|/);
  t.is((await stat(join(dir, 'box.iso.password'))).mode & 0o777, 0o600);
  await writeFile(join(dir, 'user-data'), userData);
  const schema = await new Promise<number>((done) => execFile('cloud-init', ['schema', '-c', join(dir, 'user-data')], (e) => done(e ? 1 : 0)));
  t.is(schema, 0, 'cloud-init schema accepts it');
});

test('--from needs --vm and a VM the scenario has', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-cli-from-'));
  await writeFile(join(dir, 'lab.yaml'), 'name: from\nvms:\n  - name: box\n    image: tiny\n');
  const alone = await atomlab(['cidata', '--from', 'lab.yaml', '-o', 'x.iso'], dir);
  t.is(alone.code, 2);
  t.regex(alone.stderr, /--from and --vm go together/);
  const unknown = await atomlab(['cidata', '--from', 'lab.yaml', '--vm', 'nope', '-o', 'x.iso'], dir);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /no VM named nope in lab\.yaml\n {2}hint: VMs: box/);
  t.deepEqual((await readdir(dir)).filter((f) => f.endsWith('.iso')), []);
});
