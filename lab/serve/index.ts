export { createStaticServer, isInside } from './static-server.js';
export type { StaticServerOptions } from './static-server.js';
export { parseByteRange } from './byte-range.js';
export type { ByteRange } from './byte-range.js';
export { startServer, stopServer, serverAlive, stopServersLoggingUnder } from './serve-process.js';
export type { ServerProcess, StartServerOptions } from './serve-process.js';
