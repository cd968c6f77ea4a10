export { SOUND_MODELS, IMAGE_FORMATS, COMPRESSIONS, CLOUD_IMAGE_KINDS } from './plan-types.js';
export type * from './plan-types.js';
