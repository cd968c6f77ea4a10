import test, { type ExecutionContext } from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidFileError } from '../../lab/errors/index.js';
import { loadScenario } from '../../lab/scenario/index.js';
import { providers } from '../../providers/registry.js';

async function scenario(t: ExecutionContext, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-box-scenario-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'atomlab.yaml'), text);
  return join(dir, 'atomlab.yaml');
}

test('image: {box, provider} resolves to the box as a path or URL, and a catalog box entry carries its provider', async (t) => {
  const file = await scenario(t, [
    'name: boxes',
    'vms:',
    '  - name: local',
    '    image: { box: boxes/tiny.box, provider: virtualbox }',
    '  - name: remote',
    `    image: { box: https://example.org/tiny.box, provider: libvirt, sha256: ${'a'.repeat(64)} }`,
    '  - name: catalog',
    '    image: fedora-atomic-22-vagrant-libvirt',
  ].join('\n'));
  const { plan } = await loadScenario(file, { providers });
  const [local, remote, catalog] = plan.vms;
  t.is(local!.image.path, join(file, '..', 'boxes', 'tiny.box'));
  t.deepEqual(local!.image.box, { provider: 'virtualbox' });
  t.is(remote!.image.url, 'https://example.org/tiny.box');
  t.deepEqual(remote!.image.box, { provider: 'libvirt' });
  t.true(remote!.image.verify);
  t.deepEqual(catalog!.image.box, { provider: 'libvirt' });
  t.is(catalog!.image.format, 'qcow2');
  t.regex(catalog!.image.checksumUrl ?? '', /Fedora-Cloud_Images-x86_64-22-CHECKSUM$/);
});

test('a box with a url, a provider without a box, a remote box without digest: each reported at its line', async (t) => {
  const file = await scenario(t, [
    'name: boxes',
    'vms:',
    '  - name: both',
    '    image: { box: a.box, url: "https://example.org/a.box", sha256: "' + 'b'.repeat(64) + '" }',
    '  - name: stray',
    '    image: { path: a.qcow2, provider: libvirt }',
    '  - name: unverified',
    '    image: { box: "https://example.org/a.box" }',
  ].join('\n'));
  const error = await t.throwsAsync(loadScenario(file, { providers }), { instanceOf: InvalidFileError });
  const lines = error.problems.map((p) => `${p.line}: ${p.message}`);
  t.true(lines.some((l) => /^4: vms\[0\]\.image: an inline image needs exactly one of url, path or box/.test(l)), lines.join('\n'));
  t.true(lines.some((l) => /^6: vms\[1\]\.image\.provider: provider names a box's provider: give box too/.test(l)), lines.join('\n'));
  t.true(lines.some((l) => /^8: vms\[2\]\.image\.box: a remote image needs sha256/.test(l)), lines.join('\n'));
});
