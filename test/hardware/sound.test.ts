import test from 'ava';
import fc from 'fast-check';
import { SOUND_MODELS } from '../../lab/plan/index.js';
import { chooseSoundModel, parseDeviceHelp, qemuDevices, SOUND_DEVICES } from '../../lab/hardware/index.js';

const FULL = new Set(['intel-hda', 'ich9-intel-hda', 'hda-duplex', 'AC97', 'ES1370']);
const NO_DUPLEX = new Set(['intel-hda', 'ich9-intel-hda', 'AC97', 'ES1370']);

test('a supported model is honoured as asked', (t) => {
  for (const model of ['ich6', 'ich9', 'ac97', 'es1370'] as const) t.deepEqual(chooseSoundModel(model, FULL), { model });
  t.deepEqual(chooseSoundModel('none', FULL), { model: 'none' });
});

test('ich6 and ich9 fall back to ac97 with a warning where hda-duplex is missing', (t) => {
  t.deepEqual(chooseSoundModel('ich6', NO_DUPLEX), { model: 'ac97', warning: 'sound ich6 needs hda-duplex, which this QEMU lacks: using ac97' });
  t.is(chooseSoundModel('ich9', NO_DUPLEX).model, 'ac97');
});

test('auto picks the best supported model, none when there is no sound at all', (t) => {
  t.is(chooseSoundModel('auto', FULL).model, 'ich6');
  t.is(chooseSoundModel('auto', NO_DUPLEX).model, 'ac97');
  t.is(chooseSoundModel('auto', new Set()).model, 'none');
  t.is(chooseSoundModel('es1370', new Set()).model, 'none');
});

test('the device list is read from the real QEMU', async (t) => {
  const devices = await qemuDevices();
  for (const name of ['intel-hda', 'hda-duplex', 'AC97', 'virtio-net-pci']) t.true(devices.has(name), name);
  t.deepEqual([...parseDeviceHelp('name "AC97", bus PCI, alias "ac97"\nname "hda-duplex", bus HDA\n')], ['AC97', 'hda-duplex']);
});

const ALL = ['intel-hda', 'ich9-intel-hda', 'hda-duplex', 'AC97', 'ES1370'];

test('the choice is always a model whose devices exist, or none', (t) => {
  const device = fc.constantFrom(...ALL, 'sb16', 'hda-output');
  fc.assert(
    fc.property(fc.constantFrom(...SOUND_MODELS), fc.array(device), (requested, devices) => {
      const { model, warning } = chooseSoundModel(requested, new Set(devices));
            if (model !== 'none') t.true(SOUND_DEVICES[model].every((d) => devices.includes(d)));
      if (requested !== 'auto' && model !== requested) t.truthy(warning);
      return true;
    }),
  );
});

