import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { domainXml, type DomainSpec } from '../../../providers/libvirt/domain-xml.js';
import { domainSpec } from '../../../providers/libvirt/vm-spec.js';
import { resolveOptions } from '../../../providers/libvirt/options.js';
import { chooseSoundModel } from '../../../lab/hardware/index.js';
import type { HardwarePlan, PortPlan } from '../../../lab/plan/index.js';
import { vmPlan } from '../../fixtures/libvirt/vm-plan.js';

const HOST_DEVICES = ['intel-hda', 'ich9-intel-hda', 'hda-duplex', 'AC97', 'ES1370'];

function validate(file: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile('virt-xml-validate', [file, 'domain'], { encoding: 'utf8' }, (error, stdout, stderr) => resolve({ ok: !error, output: `${stdout}${stderr}` }));
  });
}

function spec(hardware: Partial<HardwarePlan>, extra: { uri?: string; network?: string; ports?: PortPlan[]; devices?: string[]; seedAs?: 'cdrom' | 'disk' | 'fwcfg' } = {}): DomainSpec {
  const plan = vmPlan({ hardware, ports: extra.ports ?? [] });
  const options = resolveOptions({ uri: extra.uri ?? 'qemu:///system', network: extra.network });
  const forwards = [{ protocol: 'tcp' as const, guest: 22, host: 40022 }, ...(extra.ports ?? []).map((p, i) => ({ protocol: p.protocol, guest: p.guest, host: 41000 + i }))];
  return domainSpec({
    plan,
    request: { dir: '/lab/.atomlab/vm1', consoleLog: '/lab/.atomlab/vm1/console.log' },
    options,
    sound: chooseSoundModel(plan.hardware.sound, new Set(extra.devices ?? HOST_DEVICES)).model,
    disk: { path: '/pool/atomlab-test-lab-vm1.qcow2', format: 'qcow2' },
    seed: extra.seedAs === 'fwcfg' ? { path: '/pool/atomlab-test-lab-vm1-seed.ign', attachAs: 'fwcfg', name: 'opt/com.coreos/config' } : { path: '/pool/atomlab-test-lab-vm1-seed.iso', attachAs: extra.seedAs ?? 'cdrom' },
    forwards: options.network ? [] : forwards,
  });
}

const CASES: [string, DomainSpec][] = [
  ['defaults', spec({})],
  ['sound ich6', spec({ sound: 'ich6' })],
  ['sound ich9 on q35', spec({ sound: 'ich9', machine: 'q35' })],
  ['sound ac97', spec({ sound: 'ac97' })],
  ['sound es1370', spec({ sound: 'es1370' })],
  ['sound ich6 without hda-duplex', spec({ sound: 'ich6' }, { devices: ['intel-hda', 'AC97'] })],
  ['uefi on q35', spec({ firmware: 'uefi', machine: 'q35' })],
  ['vnc', spec({ graphics: 'vnc' })],
  ['spice', spec({ graphics: 'spice', sound: 'ich9', machine: 'q35' })],
  ['three nics', spec({ nics: 3 })],
  ['vfat seed as a read-only disk', spec({}, { seedAs: 'disk' })],
  ['Ignition config by fw_cfg (sysinfo)', spec({}, { seedAs: 'fwcfg' })],
  ['no nics', spec({ nics: 0 })],
  ['no serial', spec({ serial: false })],
  ['ports', spec({}, { ports: [{ guest: 80, protocol: 'tcp', host: 8080 }, { guest: 53, protocol: 'udp', host: 'auto' }] })],
  ['remote uri (pty console)', spec({ nics: 2 }, { uri: 'qemu+tcp://127.0.0.1:16509/system' })],
  ['NAT network', spec({ nics: 2, machine: 'q35' }, { network: 'default' })],
];

let dir: string;
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'atomlab-domain-xml-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

for (const [title, domainSpecCase] of CASES) {
  test(`virt-xml-validate accepts the domain XML: ${title}`, async (t) => {
    const file = join(dir, `${title.replace(/\W+/g, '-')}.xml`);
    await writeFile(file, domainXml(domainSpecCase));
    const result = await validate(file);
    t.true(result.ok, result.output);
  });
}

test('an Ignition seed is an fw_cfg sysinfo entry, not a drive', (t) => {
  const xml = domainXml(spec({}, { seedAs: 'fwcfg' }));
  t.regex(xml, /<sysinfo type='fwcfg'>\s*<entry name='opt\/com\.coreos\/config' file='\/pool\/atomlab-test-lab-vm1-seed\.ign'\/>\s*<\/sysinfo>/);
  t.notRegex(xml, /device="cdrom"/);
});

test('the XML keeps ACPI on and picks TCG unless told KVM works', (t) => {
  const xml = domainXml(spec({}));
  t.regex(xml, /<features>\s*<acpi\/>/);
  t.regex(xml, /^<domain type='qemu'/);
  t.regex(domainXml({ ...spec({}), accelerator: 'kvm' }), /^<domain type='kvm'/);
});

test('SSH and the ports are forwarded through qemu:commandline on loopback', (t) => {
  const xml = domainXml(spec({}, { ports: [{ guest: 80, protocol: 'tcp', host: 8080 }] }));
  t.regex(xml, /hostfwd=tcp:127\.0\.0\.1:40022-:22,hostfwd=tcp:127\.0\.0\.1:41000-:80'/);
  t.regex(xml, /virtio-net-pci,netdev=atomlab-net0,mac=52:54:00:[0-9a-f:]{8},bus=pci\.0,addr=0x1f/);
});

test('sound falls back to ac97 where hda-duplex is missing', (t) => {
  t.regex(domainXml(spec({ sound: 'ich9' }, { devices: ['ich9-intel-hda', 'AC97'] })), /<sound model='ac97'\/>/);
  t.notRegex(domainXml(spec({ sound: 'none' })), /<sound/);
});

test('local URIs log the console from a unix socket; remote ones use a pty', (t) => {
  t.regex(domainXml(spec({})), /<serial type='unix'>\s*<source mode='bind' path='\/lab\/.atomlab\/vm1\/console.sock'\/>\s*<log file='\/lab\/.atomlab\/vm1\/console.log'/);
  t.regex(domainXml(spec({}, { uri: 'qemu+ssh://host/system' })), /<serial type='pty'>/);
  t.regex(domainXml(spec({}, { uri: 'qemu+ssh://host/system' })), /hostfwd=tcp:0\.0\.0\.0:40022-:22/);
});

test('a NAT network puts every NIC on it and forwards nothing', (t) => {
  const xml = domainXml(spec({ nics: 2 }, { network: 'default' }));
  t.is(xml.match(/<source network='default'\/>/g)?.length, 2);
  t.notRegex(xml, /qemu:commandline/);
});

test('names and paths are escaped', (t) => {
  const xml = domainXml({ ...spec({}), diskPath: "/pool/it's <odd>&.qcow2" });
  t.regex(xml, /file='\/pool\/it&apos;s &lt;odd&gt;&amp;.qcow2'/);
});
