/**
 * Thin typed bindings over libvirt's C API (libvirt.so.0, through koffi). No lab logic here.
 * Slow calls run on koffi worker threads, one at a time per connection; returned strings and
 * objects are freed; failures are LibvirtError with libvirt's code, domain and message.
 */
export { Connection, formatVersion } from './client/connection.js';
export { Domain, DOMAIN_STATES, UNDEFINE, SNAPSHOT_REVERT, DOMAIN_XML, ADDRESS_SOURCE } from './client/domain.js';
export type { DomainState, InterfaceAddresses } from './client/domain.js';
export { StoragePool, Volume } from './client/storage.js';
export { Network } from './client/network.js';
export type { NodeInfo } from './client/node.js';
export { Stream } from './client/stream.js';
export { onLifecycle, LIFECYCLE_EVENTS } from './client/events.js';
export type { LifecycleEvent, LifecycleEventName } from './client/events.js';
export { LibvirtError, VIR_ERR, VIR_FROM } from './client/errors.js';
export type { LibvirtErrorDetail } from './client/errors.js';
