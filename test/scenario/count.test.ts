import test from 'ava';
import { InvalidFileError } from '../../lab/errors/index.js';
import { loadScenario } from '../../lab/scenario/index.js';
import { labDir } from '../helpers/lab.js';
import { providers } from '../../providers/registry.js';

async function load(text: string) {
  const { file } = await labDir(text);
  return loadScenario(file, { providers });
}

async function problems(text: string): Promise<string[]> {
  const { file } = await labDir(text);
  const error = await loadScenario(file, { providers }).then(() => undefined, (e: unknown) => e);
  if (!(error instanceof InvalidFileError)) throw new Error('expected the scenario to be refused');
  return error.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}

test('count: N makes N VMs named, and configured, from templates', async (t) => {
  const { plan } = await load(`name: class
defaults:
  image: tiny
  login: { user: student, password: generate }
  cloudConfig:
    write_files: [{ path: /etc/motd, content: "{{lab}}: {{name}} is number {{n}}" }]
vms:
  - name: student-{{n:02}}
    count: 3
    hostname: "{{name}}.{{lab}}.test"
    metaData: { seat: "{{n}}" }
  - name: teacher
`);
  t.deepEqual(plan.vms.map((vm) => vm.name), ['student-01', 'student-02', 'student-03', 'teacher']);
  t.deepEqual(plan.vms.map((vm) => vm.hostname), ['student-01.class.test', 'student-02.class.test', 'student-03.class.test', 'teacher']);
  t.deepEqual(plan.vms[1]!.cloudConfig, { write_files: [{ path: '/etc/motd', content: 'class: student-02 is number 2' }] });
  t.deepEqual(plan.vms[2]!.metaData, { seat: '3' });
  t.true(plan.vms.every((vm) => vm.login.password?.kind === 'generate'));
  t.deepEqual(plan.hosts, []);
});

test('served URLs ({{serve.NAME}}) are left for seed time', async (t) => {
  const { plan } = await load(`name: class
serve: [{ name: repo, path: . }]
defaults: { image: tiny, cloudConfig: { runcmd: ["curl {{serve.repo}}/{{name}}"] } }
vms: [{ name: "s{{n}}", count: 2 }]
`);
  t.deepEqual(plan.vms[1]!.cloudConfig, { runcmd: ['curl {{serve.repo}}/s2'] });
});

test('template mistakes and duplicate names point at FILE:LINE:COL', async (t) => {
  const found = await problems(`name: class
defaults:
  image: tiny
  cloudConfig: { runcmd: ["echo {{nmae}}"] }
vms:
  - name: student-{{n}}
    count: 12
  - name: student-1{{n}}
    count: 2
  - name: lone
    count: 2
  - name: bad_{{n}}
  - name: h
    hostname: "x_{{n}}"
`);
  t.deepEqual(found, [
    '4:27: defaults.cloudConfig.runcmd[0]: unknown template variable {{nmae}} (did you mean "name"?) (known: lab, n, name; write \\{{ for a literal {{)',
    '8:11: vms[1].name: duplicate VM name "student-11" (first made by vms[0])',
    '8:11: vms[1].name: duplicate VM name "student-12" (first made by vms[0])',
    '10:11: vms[2].name: count: 2 needs a name template, such as lone-{{n}} or lone-{{n:02}}',
    '12:11: vms[3].name: "bad_{{n}}" makes "bad_1", not a valid VM name (letters, digits and -, starting with a letter or digit, at most 63)',
    '14:15: vms[4].hostname: "x_{{n}}" makes "x_1" for h, not a valid host name',
  ]);
});

test('hosts: places libvirt VMs; listing one twice or having none to place is refused', async (t) => {
  const { plan } = await load(`name: class
defaults: { image: tiny, provider: libvirt }
hosts:
  - { uri: "qemu:///system", memory: 8GiB, cpus: 4 }
  - uri: qemu+ssh://hv2/system
placement: spread
vms:
  - { name: "s{{n}}", count: 2 }
  - { name: pinned, provider: { name: libvirt, uri: "qemu+ssh://hv3/system" } }
`);
  t.deepEqual(plan.hosts, [{ uri: 'qemu:///system', memoryMiB: 8192, cpus: 4 }, { uri: 'qemu+ssh://hv2/system', memoryMiB: undefined, cpus: undefined }]);
  t.is(plan.placement, 'spread');
  t.deepEqual(plan.vms.map((vm) => vm.placed), [true, true, false]);
  const found = await problems(`name: class
defaults: { image: tiny }
hosts: [{ uri: "qemu:///system" }, { uri: "qemu:///system" }]
vms: [{ name: a }]
`);
  t.deepEqual(found, [
    '3:8: hosts: hosts places libvirt VMs that name no uri of their own, and this lab has none: set provider: libvirt (in defaults or on the VMs)',
    '3:43: hosts[1].uri: host qemu:///system is listed twice',
  ]);
});
