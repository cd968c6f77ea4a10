export { freePort, freePorts } from './free-port.js';
