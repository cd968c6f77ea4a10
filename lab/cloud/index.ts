export { labTag } from './lab-tag.js';
export { publicCidr } from './public-cidr.js';
export type { PublicCidrRequest } from './public-cidr.js';
export { pinnedHostKey } from './pinned-host-key.js';
export { newConsoleLines, formatEta } from './console-lines.js';
export { cloudUserData } from './cloud-user-data.js';
