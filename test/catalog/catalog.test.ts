import test from 'ava';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCatalog } from '../../lab/catalog/index.js';
import { InvalidFileError } from '../../lab/errors/index.js';
import { runCli } from '../helpers/run-cli.js';

test('the shipped catalog loads, with the seeds images and their successors', async (t) => {
  const catalog = await loadCatalog();
  for (const id of ['fedora-atomic-22', 'centos-atomic-7', 'fedora-cloud-42', 'centos-stream-9', 'fedora-coreos-stable', 'tiny', 'cloudinit', 'ignition']) {
    t.truthy(catalog.get(id), id);
  }
  for (const entry of catalog.entries) {
    if (entry.url?.startsWith('http')) t.true(Boolean(entry.digest || entry.checksumUrl), `${entry.id} can be verified`);
    t.is([entry.url, entry.recipe, entry.stream].filter(Boolean).length, 1, `${entry.id} has one source`);
    if (entry.config === 'ignition') t.regex(entry.ignition ?? '', /^3\.\d+\.\d+$/, `${entry.id} names its Ignition spec version`);
  }
  t.is(catalog.get('fedora-atomic-22')!.compression, 'xz');
  t.is(catalog.get('centos-atomic-7')!.user, 'centos');
});

test('a bad catalog entry is reported with its position', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-catalog-'));
  await writeFile(
    join(dir, 'broken.yaml'),
    'id: broken\ntitle: Broken\nurl: https://example.org/x.qcow2\nformat: qcow3\ncompression: none\nuser: fedora\nfamily: test\n',
  );
  await writeFile(join(dir, 'renamed.yaml'), 'id: other\ntitle: x\nrecipe: tiny\nformat: qcow2\ncompression: none\nuser: fedora\nfamily: test\n');
  const error = await t.throwsAsync(loadCatalog(dir), { instanceOf: InvalidFileError });
  t.deepEqual(
    error.problems.map((p) => `${p.line}:${p.col}: ${p.message}`),
    ['4:9: format: must be one of raw, qcow2, vmdk, vdi; got "qcow3" (did you mean "qcow2"?)', '1:5: id "other" must match the file name "renamed"'],
  );
});

test('images ls --catalog lists every entry, and --json is one document', async (t) => {
  const table = await runCli(['images', 'ls', '--catalog']);
  t.is(table.exitCode, 0, table.stderr);
  t.regex(table.stdout, /^ID +SOURCE +FORMAT +CONFIG +USER +TITLE$/m);
  t.regex(table.stdout, /^fedora-atomic-22 +download +raw\.xz +cloud-init +fedora /m);
  t.regex(table.stdout, /^tiny +built here +qcow2 +cloud-init +fedora /m);
  t.regex(table.stdout, /^ignition +built here +qcow2 +ignition 3\.3\.0 +core /m);
  const json = await runCli(['images', 'ls', '--catalog', '--json']);
  const parsed = JSON.parse(json.stdout) as { catalog: { id: string }[] };
  t.true(parsed.catalog.some((e) => e.id === 'centos-atomic-7'));
  t.is(json.stderr, '');
});
