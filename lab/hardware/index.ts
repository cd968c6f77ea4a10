export { chooseSoundModel, SOUND_DEVICES } from './sound.js';
export type { ConcreteSound, ChosenSound, SoundChoice } from './sound.js';
export { qemuDevices, parseDeviceHelp } from './qemu-devices.js';
