import test from 'ava';
import { execa } from 'execa';
import { once } from 'node:events';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';

const dir = 'test/fixtures/scenarios';

/** Each bad input, and the exact lines `atomlab validate` must print for it. */
const CASES: [string, string[]][] = [
  ['unknown-key', ['5:5: vms[0].memroy: unknown key (did you mean "memory"?)']],
  ['provider-typo', ['7:7: vms[0].provider.url: unknown key (did you mean "uri"?)']],
  ['duplicate-vm', ['7:11: vms[2].name: duplicate VM name "web" (first made by vms[0])']],
  ['duplicate-key', ['6:5: duplicate key: a mapping may hold each key once']],
  ['wrong-type', ['5:11: vms[0].cpus: expected a number, got "two"', '7:17: vms[0].login.password: expected a string, got 1234 (quote it: "1234")']],
  [
    'negative-size',
    ['5:13: vms[0].memory: must be greater than 0, got -512', '6:11: vms[0].disk: must be a number of MiB or a size such as 512MiB or 2GiB, got "-1GiB"'],
  ],
  ['syntax-error', ['5:1: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]']],
  ['empty', ['1:1: is empty: expected a YAML mapping']],
  ['binary', ['1:8: holds a NUL byte: a binary file, not YAML text']],
  ['not-a-mapping', ['1:1: expected a mapping, got a list']],
  ['unknown-image', ['4:12: vms[0].image: unknown image "tinny" (did you mean "tiny"?); see `atomlab images ls --catalog`']],
  ['unverified-url', ['5:12: vms[0].image.url: a remote image needs sha256, sha512 or checksumUrl (or verify: false to trust it unchecked)']],
  ['no-image', ['3:5: vms[0]: VM "a" has no image: set image on it or in defaults']],
  ['no-vms', ['2:6: vms: must list at least 1, got 0']],
  ['missing-name', ['1:1: name: is required']],
  ['bad-enum', ['6:14: vms[0].hardware.sound: must be one of auto, none, ich6, ich9, ac97, es1370; got "hda"']],
];

for (const [name, lines] of CASES) {
  test(`validate reports ${name} at its line:col`, async (t) => {
    const file = `${dir}/${name}.yaml`;
    const result = await runCli(['validate', file]);
    t.is(result.exitCode, 2);
    t.is(result.stdout, '');
    t.deepEqual(result.stderr.trimEnd().split('\n'), lines.map((line) => `${file}:${line}`));
  });
}

test('validate accepts a scenario that uses every VM key', async (t) => {
  const result = await runCli(['validate', `${dir}/valid-full.yaml`]);
  t.is(result.exitCode, 0, result.stderr);
  t.is(result.stdout, `${dir}/valid-full.yaml: valid, lab "full" with 2 VMs\n`);
});

test('validate names a directory given as the scenario', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'atomlab-'));
  const path = join(parent, 'lab.yaml');
  await mkdir(path);
  const result = await runCli(['validate', path]);
  t.is(result.exitCode, 2);
  t.is(result.stderr, `${path}:1:1: is a directory, not a YAML file: give the path of a regular file\n`);
});

test('validate says a missing file is missing, with no stack trace', async (t) => {
  const result = await runCli(['validate', 'no/such/atomlab.yaml']);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /^atomlab: no\/such\/atomlab.yaml: no such file\n {2}hint: .*atomlab init/);
  t.notRegex(result.stderr, /\bat .*\.js:\d+/);
});

test('validate defaults to ./atomlab.yaml', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'atomlab-'));
  const result = await runCli(['validate'], { cwd });
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /atomlab\.yaml: no such file/);
});

test('every shipped scenario is valid', async (t) => {
  const { readdir } = await import('node:fs/promises');
  const files = (await readdir('scenarios')).filter((f) => f.endsWith('.yaml'));
  t.true(files.length >= 4);
  for (const file of files) {
    const result = await runCli(['validate', `scenarios/${file}`]);
    t.is(result.exitCode, 0, `${file}: ${result.stderr}`);
  }
});

/** A file that says `name: x` and then the given YAML, and the vms a valid scenario needs. */
function scenarioText(body: string): string {
  return `name: x\n${body}vms:\n  - name: a\n    image: tiny\n`;
}

const billionLaughs = [
  'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
  ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]`),
  '',
].join('\n');

/** Inputs a reader must not trust, and the one line validate must print for each. */
const UNTRUSTED: [string, string, string][] = [
  ['undefined alias', scenarioText('description: *nope\n'), '2:14: alias *nope has no anchor &nope before it'],
  ['alias bomb', `name: x\n${billionLaughs}description: *i\nvms: [{name: a, image: tiny}]\n`, '7:8: aliases here expand the document by more than 100000 values (an alias bomb?): write the values out instead'],
  ['100k [', `name: x\nvms: ${'['.repeat(100_000)}\n`, '2:70: nested too deeply: more than 64 levels of lists and mappings'],
  ['guest port 70000', scenarioText('defaults:\n  ports:\n    "70000": 8080\n'), '4:5: defaults.ports.70000: must be a guest port from 1 to 65535, such as 80 or 53/udp, got "70000" (as a key)'],
  ['guest port 70000/udp', scenarioText('defaults:\n  ports:\n    70000/udp: auto\n'), '4:5: defaults.ports.70000/udp: must be a guest port from 1 to 65535, such as 80 or 53/udp, got "70000/udp" (as a key)'],
  ['empty matrix', scenarioText('matrix: {}\n'), '2:1: matrix: lists no setting: give at least one (such as provider: [qemu, libvirt]), or remove matrix:'],
];

for (const [name, text, line] of UNTRUSTED) {
  test(`validate refuses ${name} at its line:col`, async (t) => {
    const file = join(await mkdtemp(join(tmpdir(), 'atomlab-')), 'lab.yaml');
    await writeFile(file, text);
    const result = await runCli(['validate', file]);
    t.is(result.exitCode, 2);
    t.is(result.stderr, `${file}:${line}\n`);
  });
}

test('validate refuses a named pipe, a device and a socket without reading them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-'));
  const fifo = join(dir, 'fifo.yaml');
  await execa('mkfifo', [fifo]);
  const socketPath = join(dir, 'socket.yaml');
  const server = createServer().listen(socketPath);
  await once(server, 'listening');
  try {
    for (const [path, kind] of [[fifo, 'a named pipe (FIFO)'], ['/dev/zero', 'a character device'], [socketPath, 'a socket']] as const) {
      const result = await runCli(['validate', path]);
      t.is(result.exitCode, 2, `${path}: ${result.stderr}`);
      t.is(result.stderr, `${path}:1:1: is ${kind}, not a YAML file: give the path of a regular file\n`);
    }
  } finally {
    server.close();
  }
});

test('validate refuses a file over 1 MiB before parsing it', async (t) => {
  const file = join(await mkdtemp(join(tmpdir(), 'atomlab-')), 'big.yaml');
  await writeFile(file, scenarioText(`description: ${'x'.repeat(1024 * 1024)}\n`));
  const result = await runCli(['validate', file]);
  t.is(result.exitCode, 2);
  t.regex(result.stderr, /^.*big\.yaml:1:1: is \d+ bytes: larger than the 1 MiB a YAML file here may hold\n$/);
});
