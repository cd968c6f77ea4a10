import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AtomlabError } from '../../../lab/errors/index.js';
import { authBody } from '../../../providers/openstack/keystone.js';
import { cloudsFiles, loadCloudConfig } from '../../../providers/openstack/clouds-config.js';
import { checkAuth } from '../../fixtures/clouds/openstack-contract.js';

const SECRET = 'hunter2-clouds-secret';

async function home(files: Record<string, unknown>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-os-config-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), stringify(content));
  }
  return dir;
}

const entry = (extra: Record<string, unknown> = {}) => ({ auth: { auth_url: 'https://keystone.example:5000', username: 'alice', password: SECRET, project_name: 'lab', user_domain_name: 'Default', project_domain_name: 'Default' }, region_name: 'RegionTwo', ...extra });

test('the search path is openstacksdk\'s: OS_CLIENT_CONFIG_FILE, ./, ~/.config/openstack/, /etc/openstack/', (t) => {
  const files = cloudsFiles({ HOME: '/home/u', OS_CLIENT_CONFIG_FILE: '/x/clouds.yaml' });
  t.deepEqual(files.filter((f) => f.endsWith('clouds.yaml')), ['/x/clouds.yaml', join(process.cwd(), 'clouds.yaml'), '/home/u/.config/openstack/clouds.yaml', '/etc/openstack/clouds.yaml']);
});

test('a named cloud from ~/.config/openstack/clouds.yaml, its password from secure.yaml beside it', async (t) => {
  const { auth, ...rest } = entry();
  const { password, ...open } = auth;
  const dir = await home({ '.config/openstack/clouds.yaml': { clouds: { mine: { ...rest, auth: open } } }, '.config/openstack/secure.yaml': { clouds: { mine: { auth: { password } } } } });
  const config = await loadCloudConfig({ cloud: 'mine', env: { HOME: dir } });
  t.is(config.region, 'RegionTwo');
  t.is(config.interface, 'public');
  t.regex(config.source, /^clouds.yaml entry mine \(.*\.config\/openstack\/clouds.yaml\)$/);
  t.like(config.auth, { kind: 'password', username: 'alice', password: SECRET, project: { name: 'lab', domainName: 'Default' } });
  const body = authBody(config.auth);
  t.notThrows(() => checkAuth(body), 'Keystone\'s shape');
  t.deepEqual(body, { auth: { identity: { methods: ['password'], password: { user: { name: 'alice', domain: { name: 'Default' }, password: SECRET } } }, scope: { project: { name: 'lab', domain: { name: 'Default' } } } } });
});

test('OS_CLOUD names the entry; the scenario\'s region wins over the file\'s', async (t) => {
  const dir = await home({ 'c/clouds.yaml': { clouds: { other: entry({ region_name: ['RegionA', 'RegionB'] }) } } });
  const env = { HOME: dir, OS_CLIENT_CONFIG_FILE: join(dir, 'c/clouds.yaml'), OS_CLOUD: 'other' };
  t.is((await loadCloudConfig({ env })).region, 'RegionA');
  t.is((await loadCloudConfig({ env, region: 'RegionB' })).region, 'RegionB');
});

test('without a cloud name, the OS_* variables of an openrc file; an application credential among them', async (t) => {
  const config = await loadCloudConfig({ env: { HOME: '/nonexistent', OS_AUTH_URL: 'https://k.example/v3', OS_AUTH_TYPE: 'v3applicationcredential', OS_APPLICATION_CREDENTIAL_ID: 'abc', OS_APPLICATION_CREDENTIAL_SECRET: SECRET, OS_REGION_NAME: 'R1', OS_INTERFACE: 'internal' } });
  t.is(config.source, 'the OS_* environment');
  t.is(config.region, 'R1');
  t.is(config.interface, 'internal');
  const body = authBody(config.auth);
  t.notThrows(() => checkAuth(body));
  t.deepEqual(body, { auth: { identity: { methods: ['application_credential'], application_credential: { id: 'abc', secret: SECRET } } } });
});

test('a cloud not in clouds.yaml names the file and the clouds it has; no credentials at all says where they come from', async (t) => {
  const dir = await home({ 'clouds.yaml': { clouds: { a: entry(), b: entry() } } });
  const error = await t.throwsAsync(loadCloudConfig({ cloud: 'c', env: { HOME: dir, OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') } }), { instanceOf: AtomlabError });
  t.is(error.message, `cloud c is not in ${join(dir, 'clouds.yaml')} (it has: a, b)`);
  t.is(error.code, 'BAD_INPUT');
  const none = await t.throwsAsync(loadCloudConfig({ env: { HOME: dir } }), { instanceOf: AtomlabError });
  t.regex(none.hint ?? '', /clouds.yaml entry .*OS_CLOUD.*openrc/);
});

test('missing or unsupported auth is refused by name, and never shows the secret', async (t) => {
  const dir = await home({ 'clouds.yaml': { clouds: { nopw: { auth: { auth_url: 'https://k', username: 'u' } }, token: { auth_type: 'token', auth: { auth_url: 'https://k', token: SECRET } } } } });
  const env = { HOME: dir, OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') };
  await t.throwsAsync(loadCloudConfig({ cloud: 'nopw', env }), { message: /^clouds.yaml entry nopw \(.*\) has no password$/ });
  const token = await t.throwsAsync(loadCloudConfig({ cloud: 'token', env }), { instanceOf: AtomlabError, message: /auth_type token is not supported/ });
  t.false(JSON.stringify(token.toJSON()).includes(SECRET));
});
