import test from 'ava';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { initLab } from '../../lab/init/index.js';
import { providers } from '../../providers/registry.js';
import { runCli } from '../helpers/run-cli.js';

async function labDir(name = 'my-lab'): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'atomlab-init-'));
  return join(parent, name);
}

test('init --yes writes a valid scenario with the schema comment', async (t) => {
  const dir = await labDir('Classroom Lab');
  const result = await runCli(['init', dir, '--yes']);
  t.is(result.exitCode, 0, result.stderr);
  t.regex(result.stderr, /wrote .*atomlab\.yaml\nnext: atomlab validate .*atomlab\.yaml && atomlab up/);
  const text = await readFile(join(dir, 'atomlab.yaml'), 'utf8');
  t.regex(text, /^# yaml-language-server: \$schema=.*schema\/scenario\.schema\.json$/m);
  t.regex(text, /^name: classroom-lab$/m);
  const validated = await runCli(['validate', join(dir, 'atomlab.yaml')]);
  t.is(validated.exitCode, 0, validated.stderr);
});

test('init refuses to overwrite an existing scenario unless --force', async (t) => {
  const dir = await labDir();
  t.is((await runCli(['init', dir, '--yes'])).exitCode, 0);
  await writeFile(join(dir, 'atomlab.yaml'), '# mine\nname: mine\n');
  const refused = await runCli(['init', dir, '--yes']);
  t.is(refused.exitCode, 2);
  t.regex(refused.stderr, /atomlab\.yaml exists already\n {2}hint: use --force/);
  t.is(await readFile(join(dir, 'atomlab.yaml'), 'utf8'), '# mine\nname: mine\n');
  t.is((await runCli(['init', dir, '--yes', '--force'])).exitCode, 0);
  t.regex(await readFile(join(dir, 'atomlab.yaml'), 'utf8'), /^name: my-lab$/m);
});

test('init without a terminal and without --yes says how to proceed', async (t) => {
  const result = await runCli(['init', await labDir()]);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /not a terminal\n {2}hint: .*--yes/);
});

const ESC = String.fromCharCode(27);

/** A screen the prompts write to; like a terminal, it outlives each prompt (which ends its output). */
class Screen extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
  override end(): this {
    return this;
  }
}

/** Types into the real prompts: waits for each question, then sends the keys. */
class Terminal {
  readonly input = new PassThrough();
  readonly output = new Screen();
  private seen = 0;

  private get screen(): string {
    return this.output.text;
  }

  async answer(question: RegExp, keys: string): Promise<void> {
    // only a guard against waiting forever: on a loaded machine (two cores, several suites) the
    // wizard took over 20 s to ask its next question after a template was chosen
    const deadline = Date.now() + 180_000;
    for (;;) {
      const rest = this.screen.slice(this.seen);
      const match = question.exec(rest);
      if (match) {
        this.seen += match.index + match[0].length;
        break;
      }
      if (Date.now() > deadline) throw new Error(`no prompt ${question} in:\n${rest}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    for (const key of keys.split(new RegExp(`(?=${ESC}\\[[AB]|\r)`))) {
      this.input.write(key);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

const DOWN = `${ESC}[B`;
const ENTER = '\r';

test('the wizard asks, and writes what was answered', async (t) => {
  const dir = await labDir();
  const term = new Terminal();
  const done = initLab(dir, { providers, io: { input: term.input, output: term.output } });
  await term.answer(/Start from/, ENTER);
  await term.answer(/Lab name/, `\x7f\x7f\x7f\x7f\x7f\x7fclass${ENTER}`);
  await term.answer(/Image/, ENTER);
  await term.answer(/Provider/, ENTER);
  await term.answer(/How many VMs/, `\x7f3${ENTER}`);
  await term.answer(/Memory per VM/, ENTER);
  await term.answer(/Login user/, ENTER);
  await term.answer(/Password login/, `${DOWN}${DOWN}${ENTER}`);
  await term.answer(/Password/, `s3cret${ENTER}`);
  const { file, answers } = await done;
  t.deepEqual(answers, { name: 'class', image: 'tiny', provider: 'qemu', count: 3, memory: '256MiB', user: 'fedora', password: 's3cret' });
  const text = await readFile(file, 'utf8');
  t.regex(text, /^ {2}- name: class-1\n {2}- name: class-2\n {2}- name: class-3$/m);
  t.regex(text, /password: s3cret/);
  t.is((await stat(file)).mode & 0o777, 0o600, 'a file holding a password is private');
  t.is((await runCli(['validate', file])).exitCode, 0);
});

test('the wizard\'s first question offers the templates; a template is written with the answers filled in', async (t) => {
  const dir = await labDir('class-room');
  const term = new Terminal();
  const done = initLab(dir, { providers, io: { input: term.input, output: term.output } });
  await term.answer(/Start from/, `${DOWN}${DOWN}${ENTER}`); // blank, atomic-host, classroom
  await term.answer(/Lab name/, ENTER);
  await term.answer(/Provider/, ENTER);
  await term.answer(/Password login/, `${DOWN}${DOWN}${ENTER}`);
  await term.answer(/Password/, `s3cret${ENTER}`);
  const { file, template } = await done;
  t.is(template, 'classroom');
  const text = await readFile(file, 'utf8');
  t.regex(text, /^name: class-room$/m);
  t.regex(text, /^ {4}password: s3cret$/m);
  t.regex(text, /^ {2}provider: qemu$/m);
  t.regex(text, /# student-01, student-02, \.\.\.\n +count: 12\n/, 'the template\'s own settings and comments stay');
  t.is((await stat(file)).mode & 0o777, 0o600);
  t.is((await runCli(['validate', file])).exitCode, 0);
});

test('init --list names every template with what it needs; init --template NAME --yes writes each, and each validates', async (t) => {
  const list = await runCli(['init', '--list']);
  t.is(list.exitCode, 0, list.stderr);
  const names = [...list.stdout.matchAll(/^(\S+) +(.+)$/gm)].map((m) => m[1]);
  t.deepEqual(names, ['atomic-host', 'classroom', 'kubernetes', 'quickstart', 'upgrade-rollback', 'vmware-atomic']);
  t.regex(list.stdout, /^vmware-atomic +An Atomic host for VMware \(seed 002\)\. Needs: VMware/m);
  for (const name of names) {
    const dir = await labDir(`from-${name!}`);
    const written = await runCli(['init', dir, '--template', name!, '--yes']);
    t.is(written.exitCode, 0, written.stderr);
    const file = join(dir, 'atomlab.yaml');
    const text = await readFile(file, 'utf8');
    t.regex(text, new RegExp(`^name: from-${name!}$`, 'm'));
    t.regex(text, /^# yaml-language-server: \$schema=\S*schema\/scenario\.schema\.json$/m);
    const valid = await runCli(['validate', file]);
    t.is(valid.exitCode, 0, `${name!}: ${valid.stdout}${valid.stderr}`);
  }
  const unknown = await runCli(['init', await labDir('x'), '--template', 'nope', '--yes']);
  t.is(unknown.exitCode, 2);
  t.regex(unknown.stderr, /no template named nope\n {2}hint: templates: atomic-host, classroom/);
});
