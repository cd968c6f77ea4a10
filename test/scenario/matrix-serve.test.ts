import test from 'ava';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidFileError } from '../../lab/errors/index.js';
import { expandMatrix, loadScenario } from '../../lab/scenario/index.js';
import { providers } from '../../providers/registry.js';

async function scenario(text: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'atomlab-plan-'));
  await mkdir(join(dir, 'repo'));
  const file = join(dir, 'atomlab.yaml');
  await writeFile(file, text);
  return { dir, file };
}

async function problems(text: string): Promise<string[]> {
  const { file } = await scenario(text);
  const error = await loadScenario(file, { providers }).then(() => undefined, (e: unknown) => e);
  if (!(error instanceof InvalidFileError)) throw new Error('expected problems');
  return error.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

test('a matrix expands into one plan per combination, each its own lab and state directory', async (t) => {
  const { dir, file } = await scenario(`name: mx
defaults: { image: tiny, memory: 512MiB }
matrix:
  provider: [qemu, { name: libvirt, uri: "qemu:///session" }]
  memory: [256MiB, 320]
vms:
  - name: a
  - name: b
    memory: 1GiB
`);
  const { plans } = await loadScenario(file, { providers });
  t.deepEqual(plans.map((p) => p.name), ['mx-qemu-256MiB', 'mx-qemu-320', 'mx-libvirt-256MiB', 'mx-libvirt-320']);
  t.deepEqual(plans.map((p) => p.combinationKey), ['qemu-256MiB', 'qemu-320', 'libvirt-256MiB', 'libvirt-320']);
  t.deepEqual(plans[2]!.combination, { provider: 'libvirt', memory: '256MiB' });
  t.is(plans[3]!.stateDir, join(dir, '.atomlab', 'matrix', 'libvirt-320'));
  t.deepEqual(plans[2]!.vms[0]!.provider, { name: 'libvirt', options: { uri: 'qemu:///session' } });
  t.is(plans[1]!.vms[0]!.memoryMiB, 320, 'the combination overrides defaults');
  t.is(plans[1]!.vms[1]!.memoryMiB, 1024, 'a VM\'s own setting still wins');
  t.is(plans[0]!.vms[0]!.lab, 'mx-qemu-256MiB');
});

test('a plain scenario is one plan without a combination, state in .atomlab', async (t) => {
  const { dir, file } = await scenario('name: plain\nvms: [{ name: a, image: tiny }]\n');
  const { plans } = await loadScenario(file, { providers });
  t.is(plans.length, 1);
  t.is(plans[0]!.combination, undefined);
  t.is(plans[0]!.stateDir, join(dir, '.atomlab'));
  t.deepEqual(plans[0]!.serve, []);
});

test('labels stay distinct and readable', (t) => {
  const keys = expandMatrix({ image: ['tiny', { path: '/srv/images/atomic.qcow2' }, { url: 'https://x/y.qcow2', sha256: 'a'.repeat(64) }], cpus: [1, 1] }).map((c) => c.key);
  t.deepEqual(keys, ['tiny-1-1', 'tiny-1-2', 'atomic-qcow2-1-1', 'atomic-qcow2-1-2', 'y-qcow2-1-1', 'y-qcow2-1-2']);
});

test('matrix values are checked where they are written', async (t) => {
  t.deepEqual(await problems('name: mx\nmatrix:\n  image: [tiny, tinny]\nvms: [{ name: a }]\n'), [
    '3:17: matrix.image[1]: unknown image "tinny" (did you mean "tiny"?); see `atomlab images ls --catalog`',
  ]);
  t.deepEqual(await problems('name: mx\nmatrix:\n  memory: [1GiB, lots]\nvms: [{ name: a, image: tiny }]\n'), [
    '3:18: matrix.memory[1]: must be a number of MiB or a size such as 512MiB or 2GiB, got "lots"',
  ]);
  t.deepEqual(await problems('name: mx\nmatrix: { colour: [red] }\nvms: [{ name: a, image: tiny }]\n'), ['2:11: matrix.colour: unknown key']);
  t.deepEqual(await problems('name: mx\nmatrix: { memory: [] }\nvms: [{ name: a, image: tiny }]\n'), ['2:19: matrix.memory: must list at least 1, got 0']);
});

test('serve directories resolve beside the scenario; templates name only known ones', async (t) => {
  const { dir, file } = await scenario(`name: served
serve:
  - { name: updates, path: repo }
defaults:
  image: tiny
  cloudConfig:
    write_files:
      - { path: /etc/ostree/remotes.d/tiny.conf, content: "url={{ serve.updates }}/repo" }
vms:
  - name: a
    cloudConfig: { runcmd: ["docker inspect -f '{{.State.Running}}' x"] }
`);
  const { plan } = await loadScenario(file, { providers });
  t.deepEqual(plan.serve, [{ name: 'updates', path: join(dir, 'repo') }]);
  t.is((plan.vms[0]!.cloudConfig.write_files as { content: string }[])[0]!.content, 'url={{ serve.updates }}/repo', 'filled in at seed time');
});

test('serve problems: unknown template names, missing directories, duplicate names', async (t) => {
  const found = await problems(`name: served
serve:
  - { name: updates, path: repo }
  - { name: updates, path: atomlab.yaml }
vms:
  - name: a
    image: tiny
    cloudConfig:
      write_files: [{ path: /x, content: "{{serve.update}}" }]
    metaData: { note: "{{ serve.mirror }}" }
`);
  t.is(found.length, 4, found.join('\n'));
  t.regex(found[0]!, /^4:13: serve\[1\]\.name: duplicate serve name "updates" \(first used by serve\[0\]\)$/);
  t.regex(found[1]!, /^4:28: serve\[1\]\.path: .*atomlab\.yaml is not a directory$/);
  t.regex(found[2]!, /^9:42: vms\[0\]\.cloudConfig\.write_files\[0\]\.content: unknown template variable \{\{serve\.update\}\} \(did you mean "serve\.updates"\?\)/);
  t.regex(found[3]!, /^10:23: vms\[0\]\.metaData\.note: unknown template variable \{\{serve\.mirror\}\}/);
});

test('--combination filters pick matrix combinations by KEY=VALUE, refusing unknown ones', async (t) => {
  const { selectCombinations } = await import('../../lab/scenario/index.js');
  const { file } = await scenario('name: mx\nmatrix: { provider: [qemu, libvirt], memory: [256MiB, 320] }\nvms: [{ name: a, image: tiny }]\n');
  const { plans } = await loadScenario(file, { providers });
  t.deepEqual(selectCombinations(plans, ['provider=qemu']).map((p) => p.combinationKey), ['qemu-256MiB', 'qemu-320']);
  t.deepEqual(selectCombinations(plans, ['provider=libvirt', 'memory=320']).map((p) => p.combinationKey), ['libvirt-320']);
  t.is(selectCombinations(plans, undefined).length, 4);
  t.throws(() => selectCombinations(plans, ['provider=vmware']), { message: 'no matrix combination has provider=vmware' });
  t.throws(() => selectCombinations(plans, ['colour=red']), { message: /no matrix combination has colour=red/ });
  const plain = await loadScenario((await scenario('name: p\nvms: [{ name: a, image: tiny }]\n')).file, { providers });
  t.throws(() => selectCombinations(plain.plans, ['provider=qemu']), { message: /needs a scenario with a matrix/ });
});

test('cidata --from names a matrix VM as <combination>/<vm>', async (t) => {
  const { runCli } = await import('../helpers/run-cli.js');
  const { dir, file } = await scenario('name: mx\nmatrix: { memory: [256MiB, 320MiB] }\nvms: [{ name: a, image: tiny, hostname: a.example.org }]\n');
  const ok = await runCli(['cidata', '--from', file, '--vm', '320MiB/a', '-o', join(dir, 'seed.iso')]);
  t.is(ok.exitCode, 0, ok.stderr);
  const bad = await runCli(['cidata', '--from', file, '--vm', 'a', '-o', join(dir, 'seed2.iso')]);
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /VMs: 256MiB\/a, 320MiB\/a/);
});
