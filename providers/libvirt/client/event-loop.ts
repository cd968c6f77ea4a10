import { koffi, libvirt } from './library.js';
import { readError, type LibvirtErrorDetail } from './errors.js';

/**
 * Process-wide libvirt setup, done once before the first connection: errors are captured instead
 * of printed to stderr, and libvirt's default event loop is registered. The loop runs on a koffi
 * worker thread while at least one connection is open (remote connections need it to read stream
 * data and keepalives) and stops when the last one closes.
 */
let initialized = false;
let lastHandled: LibvirtErrorDetail | undefined;
let users = 0;
let running: Promise<void> | undefined;
let wakeTimer = -1;
const callbacks: bigint[] = [];

function initialize(): void {
  if (initialized) return;
  const lib = libvirt();
  const onError = koffi.register((_user: unknown, error: unknown) => {
    lastHandled = readError(error);
  }, koffi.pointer(koffi.type('virErrorFunc')));
  lib.virSetErrorFunc(null, onError);
  lib.virEventRegisterDefaultImpl();
  const onWake = koffi.register(() => undefined, koffi.pointer(koffi.type('virEventTimeoutCallback')));
  wakeTimer = lib.virEventAddTimeout(-1, onWake, null, null) as number;
  callbacks.push(onError, onWake);
  initialized = true;
}

/** Must run before any connection opens. Idempotent. */
export function ensureInitialized(): void {
  initialize();
}

/** The last error libvirt reported through the handler (used where no connection exists yet). */
export function takeHandledError(): LibvirtErrorDetail | undefined {
  const error = lastHandled;
  lastHandled = undefined;
  return error;
}

function iterate(): Promise<void> {
  return new Promise((resolve) => {
    libvirt().virEventRunDefaultImpl.async((_error: unknown) => resolve());
  });
}

async function loop(): Promise<void> {
  libvirt().virEventUpdateTimeout(wakeTimer, -1);
  while (users > 0) await iterate();
  running = undefined;
}

/** A connection opened: keep the loop running. */
export function retainLoop(): void {
  initialize();
  users += 1;
  if (running) libvirt().virEventUpdateTimeout(wakeTimer, -1);
  running ??= loop();
}

/** A connection closed: when it was the last, wake the loop so it ends. */
export async function releaseLoop(): Promise<void> {
  users = Math.max(0, users - 1);
  if (users > 0 || !running) return;
  libvirt().virEventUpdateTimeout(wakeTimer, 0);
  await running;
}
