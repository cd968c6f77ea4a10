import test from 'ava';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair, renderSeed, writeCidata } from '../../lab/cidata/index.js';
import type { IsoTree } from '../../lab/iso9660/index.js';
import { assertJudged, judgeImage } from '../fixtures/iso-check.js';
import { blkidProbe, isoinfoSummary } from '../fixtures/iso-judges.js';

const timestamp = new Date('2024-01-01T00:00:00Z');

test('a rendered seed written as cidata: NoCloud layout, 0600, judged by isoinfo and xorriso', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-cidata-'));
  const seed = renderSeed({
    hostname: 'h1',
    instanceId: 'iid-1',
    user: 'fedora',
    password: 'atomic',
    authorizedKeys: [generateKeyPair('me').publicKey],
    hostKey: generateKeyPair('root@h1'),
  });
  await writeFile(join(dir, 'network-config'), 'version: 2\nethernets: {}\n');
  const iso = join(dir, 'seed.iso');
  await writeCidata(iso, { ...seed, networkConfig: { path: join(dir, 'network-config') }, vendorData: '', timestamp });
  t.is((await stat(iso)).mode & 0o777, 0o600);
  const summary = await isoinfoSummary(iso);
  t.regex(summary, /^Volume id: cidata$/m);
  t.regex(summary, /^Joliet with UCS level 3 found$/m);
  t.regex(summary, /^Rock Ridge signatures version 1 found$/m);
  t.like(await blkidProbe(iso), { TYPE: 'iso9660', LABEL: 'cidata' }, 'what ds-identify matches');
  const tree: IsoTree = {
    'user-data': { kind: 'file', content: seed.userData },
    'meta-data': { kind: 'file', content: seed.metaData },
    'network-config': { kind: 'file', path: join(dir, 'network-config') },
    'vendor-data': { kind: 'file', content: '' },
  };
  assertJudged(t, await judgeImage(iso, tree));
  await rm(dir, { recursive: true });
});

test('volumeId config-2, and the same seed twice gives the same bytes', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-cidata-'));
  const files = { userData: '#cloud-config\n', metaData: 'instance-id: a\n', volumeId: 'config-2', timestamp };
  await writeCidata(join(dir, 'a.iso'), files);
  await writeCidata(join(dir, 'b.iso'), files);
  t.regex(await isoinfoSummary(join(dir, 'a.iso')), /^Volume id: config-2$/m);
  t.true((await readFile(join(dir, 'a.iso'))).equals(await readFile(join(dir, 'b.iso'))));
  await rm(dir, { recursive: true });
});
