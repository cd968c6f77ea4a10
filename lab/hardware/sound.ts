import type { SoundModel } from '../scenario/index.js';

/** A sound model the hypervisor will get: a scenario model, or none. */
export type ChosenSound = Exclude<SoundModel, 'auto'>;

export interface SoundChoice {
  model: ChosenSound;
  /** Set when the requested model had to be replaced. */
  warning?: string;
}

/** QEMU devices (names from `-device help`) each model needs. */
export const SOUND_DEVICES: Record<Exclude<ChosenSound, 'none'>, string[]> = {
  ich6: ['intel-hda', 'hda-duplex'],
  ich9: ['ich9-intel-hda', 'hda-duplex'],
  ac97: ['AC97'],
  es1370: ['ES1370'],
};

function supports(model: Exclude<ChosenSound, 'none'>, devices: ReadonlySet<string>): boolean {
  return SOUND_DEVICES[model].every((device) => devices.has(device.toLowerCase()));
}

function fallback(requested: Exclude<ChosenSound, 'none'>, devices: ReadonlySet<string>): SoundChoice {
  const missing = SOUND_DEVICES[requested].filter((device) => !devices.has(device.toLowerCase())).join(', ');
  const isHda = requested === 'ich6' || requested === 'ich9';
  if (isHda && supports('ac97', devices)) {
    return { model: 'ac97', warning: `sound ${requested} needs ${missing}, which this QEMU lacks: using ac97 instead` };
  }
  return { model: 'none', warning: `sound ${requested} needs ${missing}, which this QEMU lacks: the VM gets no sound device` };
}

/**
 * The sound model a VM gets, given what the hypervisor's QEMU supports (device names as printed
 * by `qemu-system-x86_64 -device help`). ich6/ich9 fall back to ac97 where hda-duplex is missing;
 * `auto` picks ich6 (what virt-manager gives), else ac97, else nothing, without a warning.
 */
export function chooseSoundModel(requested: SoundModel, supportedDevices: readonly string[]): SoundChoice {
  const devices = new Set(supportedDevices.map((device) => device.toLowerCase()));
  if (requested === 'none') return { model: 'none' };
  if (requested === 'auto') {
    const found = (['ich6', 'ac97'] as const).find((model) => supports(model, devices));
    return { model: found ?? 'none' };
  }
  return supports(requested, devices) ? { model: requested } : fallback(requested, devices);
}

/** Device names from the output of `qemu-system-x86_64 -device help` (`name "AC97", bus PCI, …`). */
export function parseDeviceHelp(output: string): string[] {
  return [...output.matchAll(/^name "([^"]+)"/gm)].map((match) => match[1]!);
}
