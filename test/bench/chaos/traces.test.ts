import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesUnder, listenersOn, noTraces, portsIn, processesNaming } from '../../../bench/chaos/traces.js';

// The chaos suite's judges, each shown a leak made on purpose: they must find it (a judge that
// finds nothing would let every chaos run pass).

test('a process left behind naming the lab, and its listener, are found; once it is gone, nothing is', async (t) => {
  const marker = `chaos-judge-${process.pid}-${Date.now()}`;
  const script = "const s = require('net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port))";
  const child = spawn(process.execPath, ['-e', script, marker], { stdio: ['ignore', 'pipe', 'ignore'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const port = Number(chunk.toString().trim());
  try {
    t.true((await processesNaming([marker])).some((line) => line.startsWith(`${child.pid} `)));
    t.deepEqual((await listenersOn([port], [marker])).length, 1);
    t.deepEqual(await listenersOn([port], ['someone-else']), [], 'a listener of another program on a freed port is not the lab\'s');
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  t.deepEqual(await processesNaming([marker]), []);
  t.deepEqual(await listenersOn([port], [marker]), []);
});

test('files left beside the scenario are found, the scenario and reports asked for are not; ports are read from the lab\'s files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-chaos-judge-'));
  try {
    await writeFile(join(dir, 'atomlab.yaml'), 'name: x\n');
    await writeFile(join(dir, 'junit.xml'), '<testsuites/>\n');
    t.deepEqual(await filesUnder(dir, ['atomlab.yaml', 'junit.xml']), []);
    await mkdir(join(dir, '.atomlab', 'vms', 'host1'), { recursive: true });
    await writeFile(join(dir, '.atomlab', 'lock'), '123\n');
    await writeFile(join(dir, '.atomlab', 'state.json'), JSON.stringify({ vms: { host1: { ssh: { host: '127.0.0.1', port: 40022 } } } }));
    t.deepEqual((await filesUnder(dir, ['atomlab.yaml', 'junit.xml'])).sort(), ['.atomlab', '.atomlab/lock', '.atomlab/state.json', '.atomlab/vms', '.atomlab/vms/host1']);
    t.deepEqual(await portsIn(dir, '{"serve":[{"url":"http://127.0.0.1:45433"}]}'), [40022, 45433]);
    t.false(noTraces({ processes: [], domains: [], volumes: [], listeners: [], files: ['.atomlab/lock'] }));
    t.true(noTraces({ processes: [], domains: [], volumes: [], listeners: [], files: [] }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
