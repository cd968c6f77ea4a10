import { setTimeout as sleep } from 'node:timers/promises';
import { AtomlabError } from '../../lab/errors/index.js';
import { Connection, LibvirtError } from './libvirt-client.js';

/**
 * libvirtd can stop and start again under a running lab (a package upgrade, a crash, an admin's
 * restart) while its domains keep running: QEMU does not depend on it. So a connection that
 * cannot be made is tried again until the daemon answers or `timeoutMs` has passed, and a
 * connection that breaks during a call is reported as what it is, never as a state of the VM.
 */
export interface ReconnectOptions {
  /** How long to wait for a daemon that is not answering. */
  timeoutMs: number;
  signal?: AbortSignal;
}

const RETRY_MS = 500;

const HINT = 'start libvirtd again (scripts/libvirtd start here; systemctl start libvirtd elsewhere) and run the command again: the lab\'s VMs keep running without it, and atomlab down removes them once it answers';

function unreachable(error: unknown): error is LibvirtError {
  return error instanceof LibvirtError && error.isLinkFailure;
}

/** A connection to `uri`, waiting while libvirtd is not answering (stopped or restarting). */
export async function openWaiting(uri: string, options: ReconnectOptions): Promise<Connection> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    try {
      return await Connection.open(uri);
    } catch (error) {
      if (!unreachable(error)) throw error;
      const left = deadline - Date.now();
      if (left <= 0) throw notAnswering(uri, options.timeoutMs, error);
      await sleep(Math.min(RETRY_MS, left), undefined, { signal: options.signal });
    }
  }
}

function notAnswering(uri: string, waitedMs: number, cause: LibvirtError): AtomlabError {
  return new AtomlabError(`libvirtd at ${uri} is not answering (${cause.libvirtMessage}); waited ${Math.round(waitedMs / 1000)} s for it to come back`, {
    code: 'FAILED',
    hint: HINT,
    context: { provider: 'libvirt', uri },
    cause,
  });
}

/** True when a call failed because the connection itself is gone (libvirtd stopped or restarted under it). */
export function connectionLost(error: unknown, conn: Connection): error is LibvirtError {
  return error instanceof LibvirtError && !conn.isAlive();
}

/** The failure of an operation whose connection broke, and which is not safe to repeat blindly. */
export function lostDuring(uri: string, what: string, cause: LibvirtError): AtomlabError {
  return new AtomlabError(`lost the connection to libvirtd at ${uri} during ${what} (${cause.libvirtMessage}): libvirtd stopped or restarted`, {
    code: 'FAILED',
    hint: HINT,
    context: { provider: 'libvirt', uri },
    cause,
  });
}
