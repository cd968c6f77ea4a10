import { koffi, libvirt } from './library.js';
import type { Connection } from './connection.js';

/** virDomainEventType, by name. */
export const LIFECYCLE_EVENTS = ['defined', 'undefined', 'started', 'suspended', 'resumed', 'stopped', 'shutdown', 'pmsuspended', 'crashed'] as const;
export type LifecycleEventName = (typeof LIFECYCLE_EVENTS)[number];

export interface LifecycleEvent {
  domain: string;
  uuid: string;
  event: LifecycleEventName | 'unknown';
  /** The event's detail code (virDomainEvent*DetailType). */
  detail: number;
}

const VIR_DOMAIN_EVENT_ID_LIFECYCLE = 0;

/**
 * Subscribes to lifecycle events of every domain on the connection. libvirt calls back on its
 * event-loop thread; koffi runs the listener on the main thread. Returns the unsubscribe function.
 */
export async function onLifecycle(conn: Connection, listener: (event: LifecycleEvent) => void): Promise<() => Promise<void>> {
  const lib = libvirt();
  const callback = koffi.register((_conn: unknown, dom: bigint, event: number, detail: number) => {
    const buffer = Buffer.alloc(37);
    lib.virDomainGetUUIDString(dom, buffer);
    listener({ domain: lib.virDomainGetName(dom) as string, uuid: buffer.toString('latin1', 0, 36), event: LIFECYCLE_EVENTS[event] ?? 'unknown', detail });
    return 0;
  }, koffi.pointer(koffi.type('virConnectDomainEventLifecycleCallback')));
  let id: number;
  try {
    id = await conn.calls.run<number>('virConnectDomainEventRegisterAny', [conn.ptr, null, VIR_DOMAIN_EVENT_ID_LIFECYCLE, callback, null, null], 'negative');
  } catch (error) {
    koffi.unregister(callback);
    throw error;
  }
  return async () => {
    try {
      await conn.calls.run('virConnectDomainEventDeregisterAny', [conn.ptr, id], 'negative');
    } finally {
      koffi.unregister(callback);
    }
  };
}
