export { SOUND_MODELS, IMAGE_FORMATS, COMPRESSIONS } from './plan-types.js';
export type * from './plan-types.js';
