import test from 'ava';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Connection, LibvirtError } from '../../../providers/libvirt/libvirt-client.js';

const NODE_XML = resolve(fileURLToPath(import.meta.url), '../../../../../test/fixtures/libvirt/node.xml');

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Resident memory after a full collection, in MiB. */
function rssMiB(): number {
  gc();
  gc();
  return process.memoryUsage().rss / 1024 / 1024;
}

// 20 KiB of description makes every leaked XML string visible: 10,000 of them would be ~200 MiB.
const DESCRIPTION = 'x'.repeat(20 * 1024);
const DOMAIN = `<domain type='test'><name>leaky</name><description>${DESCRIPTION}</description><memory unit='MiB'>64</memory><os><type arch='x86_64'>hvm</type></os></domain>`;

async function round(conn: Connection, index: number): Promise<void> {
  const domain = await conn.lookupDomain('leaky');
  try {
    const xml = await domain.xml();
    if (xml.length < DESCRIPTION.length) throw new Error('short XML');
    await domain.state();
  } finally {
    domain.free();
  }
  if (index % 10 === 0) await conn.lookupDomain('absent').catch((error: unknown) => {
    if (!(error instanceof LibvirtError)) throw error;
  });
}

test('10,000 calls (lookup, 20 KiB XML, state, free, errors) do not grow memory', async (t) => {
  const conn = await Connection.open(`test://${NODE_XML}`);
  try {
    (await conn.defineDomain(DOMAIN)).free();
    for (let i = 0; i < 2000; i += 1) await round(conn, i);
    const before = rssMiB();
    for (let i = 0; i < 10_000; i += 1) await round(conn, i);
    const after = rssMiB();
    t.log(`RSS after warm-up ${before.toFixed(1)} MiB, after 10,000 rounds ${after.toFixed(1)} MiB (growth ${(after - before).toFixed(1)} MiB)`);
    t.true(after - before < 24, `RSS grew by ${(after - before).toFixed(1)} MiB`);
  } finally {
    await conn.close();
  }
});
