import test from 'ava';
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { processesMentioning } from '../helpers/lab.js';
import { ROOT } from '../helpers/run-cli.js';

// The package as users get it: `npm pack`, installed globally into a fresh prefix, used from an
// empty directory. One tiny VM boots (the quickstart template).
const LONG = 15 * 60_000;

async function packTarball(into: string): Promise<{ tarball: string; files: string[] }> {
  const { stdout } = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', into], { cwd: ROOT });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  return { tarball: join(into, packed!.filename), files: packed!.files.map((f) => f.path) };
}

test('npm pack ships what users run: no compiled tests, no .tsbuildinfo, no source maps pointing at sources it lacks', async (t) => {
  const { files } = await packTarball(await mkdtemp(join(tmpdir(), 'atomlab-pack-')));
  t.true(files.includes('bin/atomlab.js'));
  t.true(files.includes('dist/lab/cli/main.js'));
  t.true(files.includes('dist/providers/qemu/index.js'));
  t.true(files.includes('lab/dashboard/page/app.js'));
  t.true(files.includes('templates/quickstart.yaml'));
  t.true(files.includes('images/recipes/tiny/publish-update'));
  t.deepEqual(files.filter((f) => f.startsWith('dist/test/') || f.startsWith('dist/bench/') || f.endsWith('.tsbuildinfo') || f.endsWith('.map') || f.endsWith('.ts')), []);
});

test('the packed tarball installed globally into a fresh prefix: --version, init, validate, up and down of the quickstart, completion', async (t) => {
  const work = await mkdtemp(join(tmpdir(), 'atomlab-install-'));
  const { tarball } = await packTarball(work);
  const prefix = join(work, 'prefix');
  await execa('npm', ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: work, timeout: LONG });
  const env = { PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}` };
  const empty = join(work, 'empty');
  await mkdir(empty);
  const atomlab = (args: string[], cwd = empty) => execa('atomlab', args, { cwd, env, reject: false, timeout: LONG });

  const version = await atomlab(['--version']);
  t.is(version.stdout.trim(), (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  t.regex((await execa('which', ['atomlab'], { env })).stdout, new RegExp(`^${prefix}/bin/atomlab$`));

  const init = await atomlab(['init', '--yes']);
  t.is(init.exitCode, 0, init.stderr);
  const valid = await atomlab(['validate']);
  t.is(valid.exitCode, 0, valid.stderr);
  const schema = relative(empty, join(prefix, 'lib/node_modules/atomlab/schema/scenario.schema.json'));
  t.true((await readFile(join(empty, 'atomlab.yaml'), 'utf8')).includes(`$schema=${schema}\n`), 'the schema comment points into the installed package');

  const quickstart = join(empty, 'quickstart');
  t.is((await atomlab(['init', quickstart, '--template', 'quickstart', '--yes'])).exitCode, 0);
  t.is((await atomlab(['validate'], quickstart)).exitCode, 0);
  try {
    const up = await atomlab(['up'], quickstart);
    t.is(up.exitCode, 0, up.stderr);
    t.regex(up.stdout, /^atomic +qemu +running +verified +ssh /m);

    // completion as bash runs it: commands, VM names of the lab here, catalog ids
    const complete = (words: string[]) =>
      execa('bash', ['-c', 'source <(atomlab completion bash); COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _atomlab; printf "%s\\n" "${COMPREPLY[@]}"', 'bash', 'atomlab', ...words], { cwd: quickstart, env });
    t.deepEqual((await complete(['ss'])).stdout.split('\n'), ['ssh']);
    t.deepEqual((await complete(['ssh', ''])).stdout.split('\n'), ['atomic']);
    t.true((await complete(['images', 'pull', ''])).stdout.split('\n').includes('fedora-atomic-22'));
    for (const shell of ['zsh', 'fish']) t.regex((await atomlab(['completion', shell])).stdout, /atomlab __complete/);

    // the dashboard's page and script come from the installed package
    const dashboard = execa('atomlab', ['dashboard'], { cwd: quickstart, env, reject: false });
    try {
      let printed = '';
      for await (const chunk of dashboard.stdout) {
        printed += String(chunk);
        if (printed.includes('\n')) break;
      }
      const url = new URL(printed.trim());
      const script = await fetch(`${url.origin}/app.js?token=${url.searchParams.get('token')!}`);
      t.is(script.status, 200);
      t.regex(await script.text(), /new EventSource/);
      t.regex(await (await fetch(url)).text(), /<script type="module" src="\/app\.js\?token=/);
    } finally {
      dashboard.kill('SIGTERM');
      await dashboard;
    }
  } finally {
    const down = await atomlab(['down'], quickstart);
    t.is(down.exitCode, 0, down.stderr);
    t.deepEqual(await processesMentioning(quickstart), []);
  }
});
