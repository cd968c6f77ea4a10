import test from 'ava';
import { execa } from 'execa';
import { join } from 'node:path';
import { labDir, portAnswers } from '../helpers/lab.js';
import { BIN, runCli } from '../helpers/run-cli.js';

// `atomlab dashboard` as a user starts it, on a lab never brought up (no VM): --listen serves
// the address asked for (here ::1, this machine's IPv6 loopback) and still needs the token.
async function printedUrl(args: string[], cwd: string): Promise<{ url: URL; stop: () => Promise<unknown> }> {
  const child = execa(process.execPath, [BIN, 'dashboard', ...args], { cwd, reject: false, stdin: 'ignore' });
  let out = '';
  for await (const chunk of child.stdout) {
    out += String(chunk);
    if (out.includes('\n')) break;
  }
  return {
    url: new URL(out.trim()),
    stop: () => {
      child.kill('SIGTERM');
      return child;
    },
  };
}

test('--listen ::1 serves there, not on 127.0.0.1, and every request still needs the token', async (t) => {
  const { dir } = await labDir('name: listen\nvms:\n  - name: host1\n    image: tiny\n');
  const { url, stop } = await printedUrl(['--listen', '::1'], dir);
  try {
    t.is(url.hostname, '[::1]');
    const port = Number(url.port);
    t.false(await portAnswers(port, '127.0.0.1'), 'not on IPv4 loopback');
    t.is((await fetch(`${url.origin}/`)).status, 403, 'no token');
    t.is((await fetch(`${url.origin}/?token=wrong`)).status, 403, 'a wrong token');
    const page = await fetch(url);
    t.is(page.status, 200);
    t.regex(await page.text(), /<section id="cards"/);
    const lab = (await (await fetch(`${url.origin}/api/lab?token=${url.searchParams.get('token')!}`)).json()) as { lab: { lab: string; vms: { name: string; state: string }[] } };
    t.deepEqual(lab.lab.vms.map((vm) => [vm.name, vm.state]), [['host1', 'missing']]);
  } finally {
    await stop();
  }
});

test('a scenario with a mistake is refused before anything is served, at its FILE:LINE:COL', async (t) => {
  const { dir } = await labDir('name: bad\nvms:\n  - name: host1\n    memory: lots\n');
  const result = await runCli(['dashboard', join(dir, 'atomlab.yaml')]);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /atomlab\.yaml:4:13: /);
  t.is(result.stdout, '');
});
