import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtomlabError } from '../../../lab/errors/index.js';
import type { CloudConfig } from '../../../providers/openstack/clouds-config.js';
import { ensureGlanceImage, glanceImageName, removeUploadedImages, type UploadProgress } from '../../../providers/openstack/glance-store.js';
import { OpenstackClient } from '../../../providers/openstack/openstack-client.js';
import { startFaultProxy, type FaultProxy } from '../../fixtures/clouds/fault-proxy.js';
import { keystoneValidator, openstackServicesMissing, startOpenstackServices, DEMO_PASSWORD, type OpenstackServices } from '../../fixtures/clouds/openstack-services.js';
import { startOpenstackCloud, type OpenstackCloud } from '../../fixtures/clouds/openstack-cloud.js';

/**
 * Against real software: Debian 12's Keystone (python3-keystone, Zed) and Glance (python3-glance)
 * on 127.0.0.1 with sqlite, started by hand. Keystone's catalog points `image` at a fault proxy
 * in front of the real Glance, and `compute`/`network` at the recorded contract (which checks
 * the real Keystone's tokens with it).
 */
const missing = await openstackServicesMissing();
let services: OpenstackServices;
let cloud: OpenstackCloud;
let keystoneProxy: FaultProxy;
let glanceProxy: FaultProxy;

test.before(async () => {
  if (missing) return;
  cloud = await startOpenstackCloud();
  services = await startOpenstackServices({ contract: cloud.base, imageFront: async (url) => (glanceProxy = await startFaultProxy(url)).endpoint });
  cloud.validateToken = keystoneValidator(services.authUrl);
  keystoneProxy = await startFaultProxy(services.authUrl);
});
test.beforeEach(() => {
  if (glanceProxy) glanceProxy.rules.length = 0;
});
test.after.always(async () => {
  await keystoneProxy?.close();
  await glanceProxy?.close();
  await services?.stop();
  await cloud?.close();
});

function passwordConfig(password = DEMO_PASSWORD): CloudConfig {
  return { source: 'clouds.yaml entry real', region: 'RegionOne', interface: 'public', auth: { kind: 'password', authUrl: `${keystoneProxy.endpoint}/v3`, username: 'demo', password, userDomain: { name: 'Default' }, project: { name: 'demo', domainName: 'Default' } } };
}

async function base(bytes = 3 * 1024 * 1024): Promise<{ path: string; digest: string; format: string }> {
  const data = randomBytes(bytes);
  const path = join(await mkdtemp(join(tmpdir(), 'atomlab-glance-')), 'disk.qcow2');
  await writeFile(path, data);
  return { path, digest: createHash('sha256').update(data).digest('hex'), format: 'qcow2' };
}

const uploadsDir = () => mkdtemp(join(tmpdir(), 'atomlab-uploads-'));

test.serial('password auth against the real Keystone: one token reused for many calls, endpoints from its catalog', async (t) => {
  if (missing) return t.pass(missing);
  const client = new OpenstackClient(passwordConfig());
  const before = keystoneProxy.count('POST /v3/auth/tokens');
  t.deepEqual(await client.images({ [`atomlab_digest`]: 'none' }), []);
  t.true((await client.flavors()).length > 0, 'the recorded Nova accepts the real token');
  await client.keypairs();
  t.is(keystoneProxy.count('POST /v3/auth/tokens') - before, 1, 'one token for three calls');
  t.is(await client.session.endpoint('image'), `${glanceProxy.endpoint}/v2`);
  t.deepEqual(cloud.violations, []);
});

test.serial('application credential auth against the real Keystone', async (t) => {
  if (missing) return t.pass(missing);
  const { id, secret } = services.applicationCredential;
  const client = new OpenstackClient({ source: 'OS_* environment', region: 'RegionOne', interface: 'public', auth: { kind: 'application-credential', authUrl: services.authUrl, id, secret, userDomain: {} } });
  const token = await client.session.currentToken();
  t.truthy(token.projectId);
  t.deepEqual(await client.images({ atomlab: 'image' }), []);
});

test.serial('a wrong password is refused by the real Keystone: a clear error naming where the credentials came from, never the password', async (t) => {
  if (missing) return t.pass(missing);
  const client = new OpenstackClient(passwordConfig('not-the-password-123'));
  const error = await t.throwsAsync(client.flavors(), { instanceOf: AtomlabError });
  t.regex(error.message, /^OpenStack refused the credentials \(authenticate with clouds.yaml entry real: HTTP 401: The request you have made requires authentication/);
  t.regex(error.hint ?? '', /fresh clouds.yaml/);
  t.false(JSON.stringify(error.toJSON()).includes('not-the-password-123'));
});

test.serial('a token revoked in Keystone (as when it expires) is renewed once, and the call goes through', async (t) => {
  if (missing) return t.pass(missing);
  const client = new OpenstackClient(passwordConfig());
  const token = await client.session.currentToken();
  const revoke = await fetch(`${services.authUrl}/v3/auth/tokens`, { method: 'DELETE', headers: { 'x-auth-token': token.value, 'x-subject-token': token.value } });
  t.is(revoke.status, 204);
  const before = keystoneProxy.count('POST /v3/auth/tokens');
  t.deepEqual(await client.images({ atomlab: 'nothing' }), [], 'Glance answered 401, the session took a new token');
  t.is(keystoneProxy.count('POST /v3/auth/tokens') - before, 1);
});

test.serial('an image goes up to the real Glance once (create, then upload), tagged with its digest, and is found again by it', async (t) => {
  if (missing) return t.pass(missing);
  const client = new OpenstackClient(passwordConfig());
  const image = await base();
  const progress: UploadProgress[] = [];
  const id = await ensureGlanceImage({ client, base: image, uploadsDir: await uploadsDir(), onProgress: (p) => progress.push(p), pollMs: 50 });
  const stored = await client.image(id);
  t.is(stored?.status, 'active');
  t.is(stored?.size, 3 * 1024 * 1024);
  t.is(stored?.name, glanceImageName(image.digest));
  t.is(stored?.disk_format, 'qcow2');
  t.is(stored?.atomlab_digest, image.digest);
  t.deepEqual(stored?.tags, ['atomlab']);
  t.is(progress.at(-1)?.doneBytes, 3 * 1024 * 1024);
  t.true(progress.every((p) => p.totalBytes === 3 * 1024 * 1024));
  const uploads = glanceProxy.count(/^PUT \/v2\/images\/.+\/file$/);
  t.is(await ensureGlanceImage({ client, base: image, uploadsDir: await uploadsDir(), pollMs: 50 }), id, 'found again by digest');
  t.is(glanceProxy.count(/^PUT \/v2\/images\/.+\/file$/), uploads, 'not uploaded twice');
  const removed = await removeUploadedImages(client);
  t.true(removed.some((r) => r.id === id));
  t.is(await client.image(id), undefined);
});

test.serial('an upload cut mid-way is a clear error; the image waits in Glance as queued and the next run uploads it again', async (t) => {
  if (missing) return t.pass(missing);
  const client = new OpenstackClient(passwordConfig());
  const image = await base(1024 * 1024);
  glanceProxy.rules.push({ match: (seen) => /^PUT \/v2\/images\/.+\/file$/.test(seen.operation), action: { kind: 'cut' }, times: 1 });
  const error = await t.throwsAsync(ensureGlanceImage({ client, base: image, uploadsDir: await uploadsDir(), pollMs: 50 }), { instanceOf: AtomlabError });
  t.regex(error.message, /^uploading the image to Glance stopped after \d+ of 1048576 bytes/);
  t.regex(error.hint ?? '', /run up again/);
  const [left] = await client.images({ atomlab_digest: image.digest });
  t.is(left?.status, 'queued', 'the real Glance kept the image without data');
  const id = await ensureGlanceImage({ client, base: image, uploadsDir: await uploadsDir(), pollMs: 50 });
  t.is(id, left!.id, 'the same image, uploaded again');
  t.is((await client.image(id))?.status, 'active');
  t.is((await client.images({ atomlab_digest: image.digest })).length, 1, 'nothing left over');
  await removeUploadedImages(client);
});

test.serial('a rate limit from Glance with Retry-After is waited out', async (t) => {
  if (missing) return t.pass(missing);
  const client = new OpenstackClient(passwordConfig());
  glanceProxy.rules.push({ match: (seen) => seen.operation === 'GET /v2/images', action: { kind: 'answer', status: 429, headers: { 'retry-after': '1', 'content-type': 'text/plain' }, body: 'Too Many Requests' }, times: 1 });
  const before = glanceProxy.count('GET /v2/images');
  t.deepEqual(await client.images({ atomlab: 'image' }), []);
  t.is(glanceProxy.count('GET /v2/images') - before, 2);
});
