import test from 'ava';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { EsxiProvider } from '../../../providers/vmware/index.js';
import { vmwareOptions } from '../../../providers/vmware/options.js';
import { text } from '../../../providers/vmware/soap-xml.js';
import { listObjects } from '../../../providers/vmware/vsphere-objects.js';
import { runCli } from '../../helpers/run-cli.js';
import { startVcsim, vcsimBinary } from '../../fixtures/vcsim.js';
import { vmdkBase } from '../../fixtures/vmware-request.js';

/**
 * The ESXi path through the engine, against VMware's vSphere simulator (a vCenter): `up`
 * converts the image to streamOptimized, records the lab, imports the template, clones two VMs,
 * uploads their seeds and powers them on; no guest runs in a simulator, so readiness gives up
 * (a short bootTimeout) and `up` exits 1; `down` then leaves no VM, template or datastore file.
 */
const built = await vcsimBinary();
const PASSWORD = 'atomlab-up-secret';

const maybe = 'path' in built ? test : test.skip;
maybe('atomlab up on the simulated vCenter makes the lab there; atomlab down removes all of it', async (t) => {
  if (!('path' in built)) return;
  const server = await startVcsim(built.path, { model: 'vpx', username: 'atomlab', password: PASSWORD });
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-up-esxi-'));
  try {
    const base = vmdkBase(dir, 'monolithicSparse');
    const provider = { name: 'vmware', target: 'esxi', url: server.url, caFile: server.certFile, datastore: 'LocalDS_0', credentials: { username: 'atomlab', passwordEnv: 'SIM_PASSWORD' } };
    const file = join(dir, 'esxi.yaml');
    await writeFile(file, stringify({ name: 'esxi', defaults: { provider, image: { path: base.path, format: 'vmdk' }, memory: '256MiB', seed: 'nocloud', bootTimeout: '15s' }, vms: [{ name: 'a' }, { name: 'b' }] }));
    const env = { SIM_PASSWORD: PASSWORD };
    const up = await runCli(['up', file], { env, timeoutMs: 10 * 60_000 });
    t.is(up.exitCode, 1, up.stderr.slice(-2000));
    t.notRegex(up.stderr, new RegExp(PASSWORD), 'the password is never printed');
    const { name: _name, ...options } = provider;
    const esxi = new EsxiProvider(vmwareOptions.parse({ ...options, credentials: { username: 'atomlab', passwordEnv: 'ATOMLAB_TEST_SIM_PASSWORD' } }));
    process.env.ATOMLAB_TEST_SIM_PASSWORD = PASSWORD;
    const names = async () => (await listObjects((await esxi.place()).client, 'VirtualMachine', ['name'])).map((vm) => text(vm.props.get('name'))).sort();
    const made = await names();
    t.deepEqual(made.filter((name) => !name.includes('-template-')), ['esxi-a', 'esxi-b']);
    t.is(made.length, 3, 'one template');
    const down = await runCli(['down', file], { env, timeoutMs: 10 * 60_000 });
    t.is(down.exitCode, 0, down.stderr.slice(-2000));
    t.deepEqual(await names(), [], 'no VM or template left');
    const stores = (await readdir(server.dir)).filter((name) => name.startsWith('govcsim-'));
    t.true(stores.length > 0);
    for (const store of stores) t.deepEqual(await readdir(join(server.dir, store)), [], `nothing left on ${store}`);
    await esxi.close();
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
