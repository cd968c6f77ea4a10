import type { SoundModel } from '../../lab/plan/index.js';
import type { VboxSound } from './vm-commands.js';

/**
 * The scenario's sound model as a VirtualBox audio controller: Intel HD Audio (ich6, ich9, and
 * `auto`) is VirtualBox's `hda`; `ac97` stays `ac97`; `none` disables audio. es1370 has no
 * VirtualBox counterpart: ac97, with a warning. The host driver is `null` (a lab has no speakers).
 */
export function soundFor(model: SoundModel): { sound: VboxSound; warning?: string } {
  if (model === 'none') return { sound: 'none' };
  if (model === 'ac97') return { sound: 'ac97' };
  if (model === 'es1370') return { sound: 'ac97', warning: 'VirtualBox has no ES1370 sound card: using ac97' };
  return { sound: 'hda' };
}
