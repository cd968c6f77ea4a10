import test from 'ava';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { recipesRoot } from '../../lab/recipes/index.js';
import { labDir, portAnswers, processesMentioning } from '../helpers/lab.js';
import { runCli } from '../helpers/run-cli.js';

// Boots one real tiny guest under QEMU (TCG): generous timeouts, no timing assertions.
const LONG = { timeoutMs: 15 * 60_000 };

interface Report {
  vms: { name: string; state: string; login: { verified: boolean } }[];
  serve?: { name: string; path: string; url: string; running: boolean }[];
}

const SCENARIO = `name: e2e-serve
serve:
  - { name: files, path: files }
defaults: { image: tiny, memory: 256MiB }
vms:
  - name: host1
    cloudConfig:
      write_files:
        - path: /etc/atomlab-serve-url
          content: "{{ serve.files }}"
        - path: /etc/ostree/remotes.d/tiny.conf
          content: |
            [remote "tiny"]
            url={{serve.files}}/repo
            gpg-verify=false
`;

test.serial('a served directory is reachable from the guest at {{serve.NAME}} for the lab\'s lifetime; down stops the server', async (t) => {
  const { dir, file } = await labDir(SCENARIO);
  await mkdir(join(dir, 'files', 'repo'), { recursive: true });
  await writeFile(join(dir, 'files', 'repo', 'hello.txt'), 'served to the guest\n');
  await execa(join(recipesRoot(), 'tiny', 'publish-update'), [join(dir, 'files', 'repo'), '--version', '2']);
  const fetchInGuest = () => runCli(['ssh', 'host1', '-s', file, '--', 'busybox wget -qO- "$(cat /etc/atomlab-serve-url)/repo/hello.txt"'], LONG);
  let served: Report['serve'];
  try {
    const up = await runCli(['up', file, '--json'], LONG);
    t.is(up.exitCode, 0, up.stderr);
    const report = JSON.parse(up.stdout) as Report;
    t.true(report.vms[0]!.login.verified);
    served = report.serve;
    t.is(served?.length, 1);
    t.true(served![0]!.running);
    const port = Number(new URL(served![0]!.url).port);
    t.true(await portAnswers(port));

    const url = await runCli(['ssh', 'host1', '-s', file, '--', 'cat /etc/atomlab-serve-url'], LONG);
    t.is(url.stdout.trim(), `http://10.0.2.2:${port}`, 'the seed holds the URL as the guest sees it');
    const got = await fetchInGuest();
    t.is(got.exitCode, 0, got.stderr);
    t.is(got.stdout, 'served to the guest\n');
    const upgrade = await runCli(['ssh', 'host1', '-s', file, '--', 'sudo rpm-ostree upgrade'], LONG);
    t.is(upgrade.exitCode, 0, upgrade.stderr);
    t.regex(upgrade.stdout, /Upgraded to version 2/, 'the update repository is the served directory');
    const missing = await runCli(['ssh', 'host1', '-s', file, '--', 'busybox wget -qO- "$(cat /etc/atomlab-serve-url)/../atomlab.yaml"'], LONG);
    t.not(missing.exitCode, 0, 'nothing outside the served directory');

    // the server outlives `up`; a crashed server is restarted on the same port by the next up
    const pids = (await processesMentioning(join(dir, '.atomlab', 'serve'))).map((line) => Number(line.trim().split(/\s+/)[0]));
    t.is(pids.length, 1);
    process.kill(pids[0]!, 'SIGKILL');
    const status = JSON.parse((await runCli(['status', file, '--json'])).stdout) as Report;
    t.false(status.serve![0]!.running);
    const again = await runCli(['up', file, '--json'], LONG);
    t.is(again.exitCode, 0, again.stderr);
    const restarted = (JSON.parse(again.stdout) as Report).serve![0]!;
    t.true(restarted.running);
    t.is(restarted.url, served![0]!.url, 'same port: the URL in the seed stays valid');
    t.is((await fetchInGuest()).stdout, 'served to the guest\n');
  } finally {
    const down = await runCli(['down', file], LONG);
    t.is(down.exitCode, 0, down.stderr);
  }
  t.deepEqual(await processesMentioning(dir), [], 'no VM and no file server left');
  if (served?.[0]) t.false(await portAnswers(Number(new URL(served[0].url).port)));
  t.deepEqual((await readdir(dir)).sort(), ['atomlab.yaml', 'files']);
});
