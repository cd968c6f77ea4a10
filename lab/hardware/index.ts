export { chooseSoundModel, parseDeviceHelp, SOUND_DEVICES } from './sound.js';
export type { ChosenSound, SoundChoice } from './sound.js';
export { qemuDevices } from './qemu-devices.js';
