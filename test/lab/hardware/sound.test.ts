import test from 'ava';
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { chooseSoundModel, parseDeviceHelp, SOUND_DEVICES } from '../../../lab/hardware/index.js';
import { SOUND_MODELS } from '../../../lab/scenario/schema.js';

const ALL = ['intel-hda', 'ich9-intel-hda', 'hda-duplex', 'AC97', 'ES1370'];

test('every model is kept where QEMU has its devices', (t) => {
  for (const model of ['ich6', 'ich9', 'ac97', 'es1370'] as const) t.deepEqual(chooseSoundModel(model, ALL), { model });
  t.deepEqual(chooseSoundModel('none', ALL), { model: 'none' });
  t.deepEqual(chooseSoundModel('auto', ALL), { model: 'ich6' });
});

test('ich6 and ich9 fall back to ac97 without hda-duplex, with a warning', (t) => {
  const devices = ['intel-hda', 'ich9-intel-hda', 'AC97'];
  for (const model of ['ich6', 'ich9'] as const) {
    const choice = chooseSoundModel(model, devices);
    t.is(choice.model, 'ac97');
    t.regex(choice.warning ?? '', /hda-duplex/);
  }
  t.deepEqual(chooseSoundModel('auto', devices), { model: 'ac97' });
});

test('without any fitting device the VM gets no sound, and says so', (t) => {
  const choice = chooseSoundModel('es1370', ['AC97']);
  t.is(choice.model, 'none');
  t.regex(choice.warning ?? '', /ES1370/);
  t.is(chooseSoundModel('ich6', []).model, 'none');
});

test('the choice is always a model whose devices exist, or none', (t) => {
  const device = fc.constantFrom(...ALL, 'sb16', 'hda-output');
  fc.assert(
    fc.property(fc.constantFrom(...SOUND_MODELS), fc.array(device), (requested, devices) => {
      const { model, warning } = chooseSoundModel(requested, devices);
      const lower = devices.map((d) => d.toLowerCase());
      if (model !== 'none') t.true(SOUND_DEVICES[model].every((d) => lower.includes(d.toLowerCase())));
      if (requested !== 'auto' && model !== requested) t.truthy(warning);
      return true;
    }),
  );
});

test('parses `qemu-system-x86_64 -device help` of this host', async (t) => {
  const output = await new Promise<string>((resolve) => execFile('qemu-system-x86_64', ['-device', 'help'], { encoding: 'utf8' }, (_e, stdout) => resolve(stdout ?? '')));
  if (!output) return t.pass('qemu-system-x86_64 is not installed');
  const devices = parseDeviceHelp(output);
  t.true(devices.includes('virtio-net-pci'));
  t.true(devices.includes('AC97'));
  t.is(chooseSoundModel('ich9', devices).model, 'ich9');
});
