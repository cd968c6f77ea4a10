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

const openConnections = new Set<bigint>();

export function trackConnection(pointer: bigint, open: boolean): void {
  if (open) openConnections.add(pointer);
  else openConnections.delete(pointer);
}

function same(a: LibvirtErrorDetail | undefined, b: LibvirtErrorDetail): boolean {
  return a !== undefined && a.code === b.code && a.domain === b.domain && a.message === b.message;
}

/**
 * The handler sees every error of the process, on whatever thread raised it. An error raised by a
 * call on an open connection is also that connection's last error (libvirt copies it there before
 * calling the handler), and its caller reads it there; what is left is an error without a
 * connection: a failed virConnectOpen.
 */
function onError(_user: unknown, error: unknown): void {
  const detail = readError(error);
  if (!detail) return;
  const lib = libvirt();
  for (const pointer of openConnections) if (same(readError(lib.virConnGetLastError(pointer)), detail)) return;
  lastHandled = detail;
}

function initialize(): void {
  if (initialized) return;
  const lib = libvirt();
  const handler = koffi.register(onError, koffi.pointer(koffi.type('virErrorFunc')));
  lib.virSetErrorFunc(null, handler);
  lib.virEventRegisterDefaultImpl();
  const onWake = koffi.register(() => undefined, koffi.pointer(koffi.type('virEventTimeoutCallback')));
  wakeTimer = lib.virEventAddTimeout(-1, onWake, null, null) as number;
  callbacks.push(handler, onWake);
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
