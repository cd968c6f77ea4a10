import { dirname, join, resolve } from 'node:path';

/** Where a lab keeps what it made: `.atomlab/` beside the scenario. */
export interface LabPaths {
  root: string;
  stateFile: string;
  lockFile: string;
  keysDir: string;
  /** The lab's own SSH key pair (private key 0600). */
  privateKey: string;
  publicKey: string;
  /** known_hosts with every VM's pinned host key, for `atomlab ssh`. */
  knownHosts: string;
  vmDir(name: string): string;
  /** The file servers' logs (one per serve name). */
  serveDir: string;
  /** What the last `up` or `run` of the scenario did and is doing (the dashboard follows it). */
  progressFile: string;
}

export function labPaths(stateDir: string): LabPaths {
  const keysDir = join(stateDir, 'keys');
  return {
    root: stateDir,
    stateFile: join(stateDir, 'state.json'),
    lockFile: join(stateDir, 'lock'),
    keysDir,
    privateKey: join(keysDir, 'id_ed25519'),
    publicKey: join(keysDir, 'id_ed25519.pub'),
    knownHosts: join(keysDir, 'known_hosts'),
    vmDir: (name) => join(stateDir, 'vms', name),
    serveDir: join(stateDir, 'serve'),
    progressFile: join(stateDir, 'progress.json'),
  };
}

/** A lab's state directory: `.atomlab/` beside its scenario file (the one rule, for plans and `down`). */
export function labStateDir(scenarioFile: string): string {
  return join(dirname(resolve(scenarioFile)), '.atomlab');
}
