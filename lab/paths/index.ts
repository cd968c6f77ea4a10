export { packageRoot, packagePath } from './package-paths.js';
