import test from 'ava';
import fc from 'fast-check';
import { SOUND_MODELS } from '../../../lab/plan/index.js';
import { escapeVmxValue, mergeVmx, parseVmx, renderVmx, unescapeVmxValue } from '../../../providers/vmware/vmx.js';
import { isLabDeviceKey, vmwareSoundDevice, vmxEntries, type VmxSpec } from '../../../providers/vmware/vmx-spec.js';
import { vmxProblems } from '../../fixtures/fake-vmrun/contract.js';

const spec: VmxSpec = { name: 'atomic-00', guestOs: 'fedora-64', hardwareVersion: 14, cpus: 2, memoryMiB: 1024, firmware: 'bios', disk: 'atomic-00.vmdk', nic: 'e1000', seedIso: '/lab/.atomlab/atomic-00/seed.iso', serialFile: '/lab/.atomlab/atomic-00/console.log', sound: 'ich6' };

test('any value survives the .vmx escaping', (t) => {
  fc.assert(fc.property(fc.string({ unit: 'binary' }), (value) => unescapeVmxValue(escapeVmxValue(value)) === value));
  fc.assert(fc.property(fc.string(), (value) => parseVmx(renderVmx([['guestinfo.userdata', value]])).get('guestinfo.userdata') === value));
  t.is(escapeVmxValue('a"b|c#d'), 'a|22b|7Cc|23d');
});

test('a key twice or a key VMware cannot read is refused', (t) => {
  t.throws(() => renderVmx([['memsize', '1'], ['MEMSIZE', '2']]), { message: /repeated/ });
  t.throws(() => renderVmx([['bad key', '1']]), { message: /invalid/ });
});

test('every sound model and firmware gives a .vmx within the recorded key contract', (t) => {
  for (const sound of SOUND_MODELS) {
    for (const firmware of ['bios', 'uefi'] as const) {
      const entries = parseVmx(renderVmx(vmxEntries({ ...spec, sound, firmware, guestinfo: { 'guestinfo.metadata': 'e30=', 'metadata.encoding': 'base64' } })));
      t.deepEqual(vmxProblems(entries), [], `${sound} ${firmware}`);
      t.is(entries.get('guestinfo.metadata.encoding'), 'base64', 'guestinfo keys get their prefix');
    }
  }
});

test('sound: ich6/ich9 → hdaudio, es1370/ac97 → es1371, none removes the device, auto lets VMware choose', (t) => {
  t.deepEqual(SOUND_MODELS.map((model) => [model, vmwareSoundDevice(model)]), [['auto', 'auto'], ['none', 'none'], ['ich6', 'hdaudio'], ['ich9', 'hdaudio'], ['ac97', 'es1371'], ['es1370', 'es1371']]);
  const none = parseVmx(renderVmx(vmxEntries({ ...spec, sound: 'none' })));
  t.is(none.get('sound.present'), 'FALSE');
  t.false(none.has('sound.virtualdev'));
  const auto = parseVmx(renderVmx(vmxEntries({ ...spec, sound: 'auto' })));
  t.is(auto.get('sound.present'), 'TRUE');
  t.false(auto.has('sound.virtualdev'));
});

test('merging into a cloned .vmx replaces the lab devices and keeps the rest', (t) => {
  const cloned = renderVmx([...vmxEntries({ ...spec, sound: 'ich9' }), ['uuid.bios', '56 4d 12']]);
  const merged = parseVmx(mergeVmx(cloned, [['sound.present', 'FALSE'], ['numvcpus', '4']], isLabDeviceKey));
  t.is(merged.get('uuid.bios'), '56 4d 12');
  t.is(merged.get('numvcpus'), '4');
  t.is(merged.get('sound.present'), 'FALSE');
  t.false(merged.has('sound.virtualdev'));
  t.false(merged.has('serial0.filename'));
  t.is(merged.get('scsi0:0.filename'), 'atomic-00.vmdk');
});
