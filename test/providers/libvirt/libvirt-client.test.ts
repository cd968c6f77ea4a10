import test from 'ava';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { Connection, LibvirtError, VIR_ERR, UNDEFINE, onLifecycle } from '../../../providers/libvirt/libvirt-client.js';
import { AtomlabError } from '../../../lab/errors/index.js';

// Compiled to dist/test/providers/libvirt: the fixture stays in the source tree.
const NODE_XML = resolve(fileURLToPath(import.meta.url), '../../../../../test/fixtures/libvirt/node.xml');
const URI = `test://${NODE_XML}`;

const DOMAIN_XML = (name: string) => `<domain type='test'><name>${name}</name><memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os><features><acpi/></features></domain>`;

async function withConnection(use: (conn: Connection) => Promise<void>): Promise<void> {
  const conn = await Connection.open(URI);
  try {
    await use(conn);
  } finally {
    await conn.close();
  }
}

test('opens the test driver and reports versions and the fixture domain', async (t) => {
  await withConnection(async (conn) => {
    t.regex(await conn.libVersion(), /^\d+\.\d+\.\d+$/);
    t.is(await conn.type(), 'TEST');
    t.deepEqual(await conn.domainNames(), ['fixture-running']);
    t.regex(await conn.capabilities(), /<capabilities>/);
  });
});

test('define, start, state, XML, shutdown, destroy and undefine a domain', async (t) => {
  await withConnection(async (conn) => {
    const domain = await conn.defineDomain(DOMAIN_XML('life'));
    t.regex(domain.uuid(), /^[0-9a-f-]{36}$/);
    t.is((await domain.state()).state, 'shutoff');
    await domain.create();
    t.is((await domain.state()).state, 'running');
    t.regex(await domain.xml(), /<name>life<\/name>/);
    const again = await conn.lookupDomainByUuid(domain.uuid());
    t.is(again.name(), 'life');
    again.free();
    await domain.destroy();
    t.is((await domain.state()).state, 'shutoff');
    await domain.undefine();
    domain.free();
    t.false((await conn.domainNames()).includes('life'));
  });
});

test('snapshots: create, list, revert, delete; undefine needs the metadata flag', async (t) => {
  await withConnection(async (conn) => {
    const domain = await conn.defineDomain(DOMAIN_XML('snappy'));
    await domain.create();
    t.is(await domain.createSnapshot('<domainsnapshot><name>one</name></domainsnapshot>'), 'one');
    await domain.createSnapshot('<domainsnapshot><name>two</name></domainsnapshot>');
    t.deepEqual((await domain.snapshotNames()).sort(), ['one', 'two']);
    await domain.destroy();
    await domain.revertToSnapshot('one');
    t.is((await domain.state()).state, 'running');
    await domain.deleteSnapshot('two');
    t.deepEqual(await domain.snapshotNames(), ['one']);
    const missing = await t.throwsAsync(domain.revertToSnapshot('nope'), { instanceOf: LibvirtError });
    t.is(missing?.libvirtCode, VIR_ERR.NO_DOMAIN_SNAPSHOT);
    await domain.destroy();
    await t.throwsAsync(domain.undefine(), { instanceOf: LibvirtError });
    await domain.undefine(UNDEFINE.SNAPSHOTS_METADATA);
    domain.free();
  });
});

test('pools and volumes, with a qcow2 overlay on a backing store', async (t) => {
  await withConnection(async (conn) => {
    const pool = await conn.definePool("<pool type='dir'><name>made</name><target><path>/made</path></target></pool>");
    await pool.build();
    await pool.start();
    t.true(await pool.isActive());
    const base = await pool.createVolume("<volume><name>base.qcow2</name><capacity>1048576</capacity><target><format type='qcow2'/></target></volume>");
    const basePath = await base.path();
    const overlay = await pool.createVolume(
      `<volume><name>vm.qcow2</name><capacity>1048576</capacity><target><format type='qcow2'/></target><backingStore><path>${basePath}</path><format type='qcow2'/></backingStore></volume>`,
    );
    t.regex(await overlay.xml(), new RegExp(`<backingStore>\\s*<path>${basePath}</path>`));
    t.deepEqual((await pool.volumeNames()).sort(), ['base.qcow2', 'vm.qcow2']);
    await overlay.delete();
    await base.delete();
    overlay.free();
    base.free();
    t.deepEqual(await pool.volumeNames(), []);
    await pool.stop();
    await pool.undefine();
    pool.free();
  });
});

test('networks are found by name', async (t) => {
  await withConnection(async (conn) => {
    const network = await conn.lookupNetwork('default');
    t.is(network.name(), 'default');
    t.true(await network.isActive());
    t.regex(await network.xml(), /<forward mode='nat'/);
    network.free();
  });
});

test('errors carry libvirt code, domain and message, and are AtomlabErrors', async (t) => {
  await withConnection(async (conn) => {
    const noDomain = await t.throwsAsync(conn.lookupDomain('absent'), { instanceOf: LibvirtError });
    t.true(noDomain instanceof AtomlabError);
    t.is(noDomain?.libvirtCode, VIR_ERR.NO_DOMAIN);
    t.is(noDomain?.code, 'NOT_FOUND');
    t.true(noDomain?.isNotFound);
    t.true((noDomain?.libvirtDomain ?? 0) > 0);
    t.regex(noDomain?.libvirtMessage ?? '', /not found/i);
    const noPool = await t.throwsAsync(conn.lookupPool('absent'), { instanceOf: LibvirtError });
    t.is(noPool?.libvirtCode, VIR_ERR.NO_STORAGE_POOL);
    const badXml = await t.throwsAsync(conn.defineDomain('<domain'), { instanceOf: LibvirtError });
    t.true([VIR_ERR.XML_ERROR, VIR_ERR.XML_DETAIL].includes(badXml?.libvirtCode as 27 | 35));
    const exists = await t.throwsAsync(conn.definePool("<pool type='dir'><name>fixture-pool</name><target><path>/x</path></target></pool>"));
    t.true(exists instanceof LibvirtError);
  });
});

test('a refused connection is a LibvirtError with a hint', async (t) => {
  const error = await t.throwsAsync(Connection.open('qemu+tcp://127.0.0.1:1/system'), { instanceOf: LibvirtError });
  t.is(error?.libvirtCode, VIR_ERR.SYSTEM_ERROR);
  t.regex(error?.message ?? '', /127\.0\.0\.1:1/);
  t.truthy(error?.hint);
});

test('each test:///file connection has its own private copy of the node', async (t) => {
  const first = await Connection.open(URI);
  const second = await Connection.open(URI);
  const domain = await first.defineDomain(DOMAIN_XML('private'));
  domain.free();
  t.true((await first.domainNames()).includes('private'));
  t.false((await second.domainNames()).includes('private'));
  await Promise.all([first.close(), second.close()]);
});

test('lifecycle events arrive for define, start, stop and undefine', async (t) => {
  await withConnection(async (conn) => {
    const events: string[] = [];
    const unsubscribe = await onLifecycle(conn, (event) => {
      if (event.domain === 'watched') events.push(event.event);
    });
    const domain = await conn.defineDomain(DOMAIN_XML('watched'));
    await domain.create();
    await domain.destroy();
    await domain.undefine();
    domain.free();
    const deadline = Date.now() + 10_000;
    while (events.length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await unsubscribe();
    t.deepEqual(events, ['defined', 'started', 'stopped', 'undefined']);
  });
});
