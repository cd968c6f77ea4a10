import type { SoundModel } from '../plan/index.js';

/** A concrete sound model (what `auto` resolves to), or none. */
export type ConcreteSound = Exclude<SoundModel, 'auto'>;
/** The same, by the name the libvirt provider uses. */
export type ChosenSound = ConcreteSound;

/** QEMU devices each model needs (names as `qemu-system-x86_64 -device help` lists them). */
export const SOUND_DEVICES: Record<Exclude<ConcreteSound, 'none'>, string[]> = {
  ich6: ['intel-hda', 'hda-duplex'],
  ich9: ['ich9-intel-hda', 'hda-duplex'],
  ac97: ['AC97'],
  es1370: ['ES1370'],
};

/** What `auto` picks from, first supported wins: ich6 is what virt-manager gives a new VM. */
const PREFERENCE: Exclude<ConcreteSound, 'none'>[] = ['ich6', 'ich9', 'ac97', 'es1370'];

export interface SoundChoice {
  model: ConcreteSound;
  /** One line for the user when the choice differs from the request. */
  warning?: string;
}

function supported(model: Exclude<ConcreteSound, 'none'>, devices: ReadonlySet<string>): boolean {
  return SOUND_DEVICES[model].every((device) => devices.has(device));
}

/**
 * Honours the scenario's sound model where this QEMU supports it. ich6/ich9 without
 * hda-duplex fall back to ac97 (the fix for "hda-duplex not supported in this QEMU binary");
 * `auto` picks the best supported model; `none` adds nothing.
 */
export function chooseSoundModel(requested: SoundModel, devices: ReadonlySet<string>): SoundChoice {
  if (requested === 'none') return { model: 'none' };
  if (requested === 'auto') return { model: PREFERENCE.find((m) => supported(m, devices)) ?? 'none' };
  if (supported(requested, devices)) return { model: requested };
  const missing = SOUND_DEVICES[requested].filter((device) => !devices.has(device)).join(', ');
  const fallback = (requested === 'ich6' || requested === 'ich9') && supported('ac97', devices) ? 'ac97' : 'none';
  return { model: fallback, warning: `sound ${requested} needs ${missing}, which this QEMU lacks: using ${fallback}` };
}
