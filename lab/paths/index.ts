export { packageRoot, packagePath, packageVersion } from './package-paths.js';
