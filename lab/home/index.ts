export { atomlabHome, imageCacheDir } from './atomlab-home.js';
