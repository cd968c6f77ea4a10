export { sshConnect, sshExec, execOn, SshError, hostKeyMismatch, refuseImpostor } from './ssh-client.js';
export type { SshTarget, ExecResult, SshFailure } from './ssh-client.js';
export { sshBanner } from './banner.js';
export { parsePublicKey, fingerprint } from './public-key.js';
export type { PublicKey } from './public-key.js';
export { consoleHostKeys, consoleHostKeyFingerprints, checkConsoleHostKey } from './console-host-keys.js';
export type { ConsoleHostKeyCheck } from './console-host-keys.js';
