export { parseSize, formatSize, bytesToMiB, SIZE_PATTERN } from './parse-size.js';
