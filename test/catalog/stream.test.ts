import test from 'ava';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, utimes, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchStream, loadCatalog, pickArtifact, resolveStreamImage } from '../../lab/catalog/index.js';
import { pullImage } from '../../lab/images/index.js';
import { fromCatalog } from '../../lab/scenario/resolve-image.js';
import { streamDocument } from '../fixtures/coreos-stream.js';
import { startImageServer } from '../fixtures/image-server.js';

/** A real qcow2 (tiny), compressed with xz, as the qemu artifact a stream names. */
async function servedImage(dir: string): Promise<{ body: Buffer; sha256: string }> {
  const qcow2 = join(dir, 'fcos.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', qcow2, '16M']);
  execFileSync('xz', ['-k', '-T1', qcow2]);
  const body = await readFile(`${qcow2}.xz`);
  return { body, sha256: createHash('sha256').update(body).digest('hex') };
}

test('the catalog lists Fedora CoreOS stable, testing and next as streams configured by Ignition', async (t) => {
  const catalog = await loadCatalog();
  for (const stream of ['stable', 'testing', 'next']) {
    const entry = catalog.get(`fedora-coreos-${stream}`)!;
    t.is(entry.stream, `https://builds.coreos.fedoraproject.org/streams/${stream}.json`);
    t.is(entry.config, 'ignition');
    t.is(entry.ignition, '3.3.0');
    t.is(entry.architecture, 'x86_64');
  }
  const cli = execFileSync('node', ['bin/atomlab.js', 'images', 'ls', '--catalog'], { encoding: 'utf8' });
  t.regex(cli, /^fedora-coreos-stable\s+stream stable\s+per provider \(x86_64\)\s+ignition 3\.3\.0\s+core\s/m);
  t.regex(cli, /^fedora-coreos-testing\s+stream testing/m);
  t.regex(cli, /^fedora-coreos-next\s+stream next/m);
});

test('each provider gets its platform and format from a stream document', (t) => {
  const document = streamDocument({ stream: 'stable', release: '43.20261109.3.0', qemu: { location: 'http://x/q.qcow2.xz', sha256: 'ab'.repeat(32) } });
  t.like(pickArtifact(document, { architecture: 'x86_64', provider: 'libvirt' }), { platform: 'qemu', format: 'qcow2.xz', location: 'http://x/q.qcow2.xz', release: '43.20261109.3.0' });
  t.like(pickArtifact(document, { architecture: 'x86_64', provider: 'vmware' }), { platform: 'vmware', format: 'ova' });
  t.like(pickArtifact(document, { architecture: 'x86_64', provider: 'ec2' }), { platform: 'aws', format: 'vmdk.xz' });
  t.like(pickArtifact(document, { architecture: 'aarch64', provider: 'qemu' }), { platform: 'qemu', format: 'qcow2.xz' });
  t.throws(() => pickArtifact(document, { architecture: 's390x', provider: 'qemu' }), { message: /no architectures\.s390x/ });
});

test('image: fedora-coreos-stable resolves through a stream served on 127.0.0.1, pulls the current build, and works offline after', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-stream-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const image = await servedImage(dir);
  const files: Record<string, { body: Buffer }> = { '/prod/fcos.qcow2.xz': { body: image.body } };
  const server = await startImageServer(files);
  t.teardown(() => server.close());
  const release = '43.20261109.3.0';
  files['/streams/stable.json'] = { body: Buffer.from(JSON.stringify(streamDocument({ stream: 'stable', release, qemu: { location: server.url('/prod/fcos.qcow2.xz'), sha256: image.sha256 } }))) };
  const entry = { ...(await loadCatalog()).get('fedora-coreos-stable')!, stream: server.url('/streams/stable.json') };
  const options = { provider: 'qemu', cacheDir: join(dir, 'streams') };

  const resolved = await resolveStreamImage(fromCatalog(entry), options);
  t.like(resolved, { url: server.url('/prod/fcos.qcow2.xz'), digest: { algorithm: 'sha256', hex: image.sha256 }, format: 'qcow2', compression: 'xz', config: 'ignition', ignitionVersion: '3.3.0', user: 'core' });
  t.true(resolved.title.endsWith(release));
  const pulled = await pullImage({ id: resolved.id, url: resolved.url, digest: resolved.digest, format: resolved.format, verify: true }, { cacheDir: join(dir, 'images') });
  t.is(pulled.format, 'qcow2');

  const streamRequests = () => server.requests.filter((r) => r.path === '/streams/stable.json').length;
  t.is(streamRequests(), 1);
  t.is((await fetchStream(server.url('/streams/stable.json'), options)).from, 'cache', 'a fresh copy is used without asking');
  t.is(streamRequests(), 1);
  const [cached] = await readdir(join(dir, 'streams'));
  const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
  await utimes(join(dir, 'streams', cached!), old, old);
  await server.close();
  const stale = await fetchStream(server.url('/streams/stable.json'), options);
  t.is(stale.from, 'stale-cache', 'offline: the old copy is used, and said so');
  t.regex(stale.note!, /using the copy fetched 72 h ago/);
  t.is((await resolveStreamImage(fromCatalog(entry), options)).digest?.hex, image.sha256);
});

test('a stream that is not JSON fails clearly and never replaces the cached copy', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-stream-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const server = await startImageServer({ '/bad.json': { body: Buffer.from('<html>maintenance</html>') } });
  t.teardown(() => server.close());
  await t.throwsAsync(fetchStream(server.url('/bad.json'), { cacheDir: join(dir, 'streams') }), { message: /is not a JSON stream document/ });
  t.deepEqual(await readdir(join(dir, 'streams')).catch(() => []), []);
});
