import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, newInstanceId, renderSeed, type SeedInput } from '../../lab/cidata/index.js';
import { cloudInitSchema, loadYamlLikeCloudInit } from '../fixtures/cloud-init-judges.js';

const hostKey = generateKeyPair('root@web1');
const userKey = generateKeyPair('atomlab@lab');

function input(extra: Partial<SeedInput> = {}): SeedInput {
  return {
    hostname: 'web1',
    instanceId: 'iid-test-1',
    user: 'fedora',
    password: 'atomic',
    authorizedKeys: [userKey.publicKey],
    hostKey,
    ...extra,
  };
}

async function schemaOf(userData: string): Promise<{ valid: boolean; output: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-seed-'));
  try {
    await writeFile(join(dir, 'user-data'), userData);
    return await cloudInitSchema(join(dir, 'user-data'));
  } finally {
    await rm(dir, { recursive: true });
  }
}

const variants: [string, Partial<SeedInput>][] = [
  ['password, keys and host key', {}],
  ['no password, no host key', { password: undefined, hostKey: undefined }],
  ['a scenario cloudConfig', { cloudConfig: { packages: ['git'], runcmd: [['echo', 'on']], timezone: 'UTC' } }],
];

for (const [what, extra] of variants) {
  test(`user-data passes cloud-init schema -c (${what})`, async (t) => {
    const { userData } = renderSeed(input(extra));
    t.true(userData.startsWith('#cloud-config\n'));
    const verdict = await schemaOf(userData);
    t.true(verdict.valid, verdict.output);
    t.regex(verdict.output, /Valid cloud-config/);
  });
}

test('cloud-init reads back the user, keys, password settings and host key', async (t) => {
  const { userData, metaData } = renderSeed(input());
  const config = (await loadYamlLikeCloudInit(userData)) as Record<string, unknown>;
  t.is(config.hostname, 'web1');
  t.deepEqual(config.chpasswd, { expire: false });
  t.is(config.ssh_pwauth, true);
  t.deepEqual(config.users, [
    {
      name: 'fedora',
      sudo: 'ALL=(ALL) NOPASSWD:ALL',
      lock_passwd: false,
      plain_text_passwd: 'atomic',
      ssh_authorized_keys: [userKey.publicKey],
    },
  ]);
  t.deepEqual(config.ssh_keys, { ed25519_private: hostKey.privateKey, ed25519_public: hostKey.publicKey });
  t.deepEqual(await loadYamlLikeCloudInit(metaData), { 'instance-id': 'iid-test-1', 'local-hostname': 'web1' });
});

test('without a password: no chpasswd, no ssh_pwauth, the password locked', async (t) => {
  const config = (await loadYamlLikeCloudInit(renderSeed(input({ password: undefined })).userData)) as Record<string, unknown>;
  t.false('chpasswd' in config);
  t.false('ssh_pwauth' in config);
  t.like((config.users as unknown[])[0], { lock_passwd: true });
});

test('scenario cloudConfig: scalars win, lists append, mappings merge; strings stay strings in YAML 1.1', async (t) => {
  const cloudConfig = {
    hostname: 'override',
    users: ['default'],
    chpasswd: { users: [{ name: 'root', password: 'x', type: 'text' }] },
    write_files: [{ path: '/etc/x', permissions: '0644', content: 'yes' }],
    bootcmd: ['on', 'off', 'no', '1e3', '0x1F', '~'],
  };
  const config = (await loadYamlLikeCloudInit(renderSeed(input({ cloudConfig })).userData)) as Record<string, unknown>;
  t.is(config.hostname, 'override');
  t.is((config.users as unknown[]).length, 2);
  t.is((config.users as unknown[])[1], 'default');
  t.deepEqual(config.chpasswd, { expire: false, users: [{ name: 'root', password: 'x', type: 'text' }] });
  t.deepEqual(config.write_files, cloudConfig.write_files);
  t.deepEqual(config.bootcmd, cloudConfig.bootcmd);
});

test('extra meta-data is layered on the generated keys', async (t) => {
  const { metaData } = renderSeed(input({ metaData: { 'public-keys': ['k'], 'local-hostname': 'meta-wins' } }));
  t.deepEqual(await loadYamlLikeCloudInit(metaData), {
    'instance-id': 'iid-test-1',
    'local-hostname': 'meta-wins',
    'public-keys': ['k'],
  });
});

test('newInstanceId is different every call', (t) => {
  const ids = new Set(Array.from({ length: 1000 }, () => newInstanceId()));
  t.is(ids.size, 1000);
});
