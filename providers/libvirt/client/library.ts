import koffi, { type LibraryHandle } from 'koffi';
import { AtomlabError } from '../../../lab/errors/index.js';

/**
 * libvirt's C API as koffi functions. Every libvirt object (connection, domain, pool, volume,
 * snapshot, network, stream) is an opaque pointer, a bigint in koffi 3. Strings the caller must
 * free are declared `char *!` (koffi frees them after copying); strings libvirt owns are `const char *`.
 */
type Fn = ReturnType<LibraryHandle['func']>;

const PROTOTYPES = {
  virGetVersion: 'int virGetVersion(_Out_ unsigned long *libVer, const char *type, _Out_ unsigned long *typeVer)',
  virSetErrorFunc: 'void virSetErrorFunc(void *userData, virErrorFunc *handler)',
  virGetLastError: 'virError *virGetLastError()',
  virConnGetLastError: 'virError *virConnGetLastError(void *conn)',
  virConnResetLastError: 'void virConnResetLastError(void *conn)',
  virEventRegisterDefaultImpl: 'int virEventRegisterDefaultImpl()',
  virEventRunDefaultImpl: 'int virEventRunDefaultImpl()',
  virEventAddTimeout: 'int virEventAddTimeout(int timeout, virEventTimeoutCallback *cb, void *opaque, void *ff)',
  virEventUpdateTimeout: 'void virEventUpdateTimeout(int timer, int timeout)',
  virEventRemoveTimeout: 'int virEventRemoveTimeout(int timer)',

  virConnectOpen: 'void *virConnectOpen(const char *name)',
  virConnectClose: 'int virConnectClose(void *conn)',
  virConnectGetLibVersion: 'int virConnectGetLibVersion(void *conn, _Out_ unsigned long *libVer)',
  virConnectGetVersion: 'int virConnectGetVersion(void *conn, _Out_ unsigned long *hvVer)',
  virConnectGetType: 'const char *virConnectGetType(void *conn)',
  virConnectGetURI: 'char *! virConnectGetURI(void *conn)',
  virConnectGetHostname: 'char *! virConnectGetHostname(void *conn)',
  virConnectGetCapabilities: 'char *! virConnectGetCapabilities(void *conn)',
  virConnectIsAlive: 'int virConnectIsAlive(void *conn)',
  virConnectSetKeepAlive: 'int virConnectSetKeepAlive(void *conn, int interval, unsigned int count)',
  virConnectListAllDomains: 'int virConnectListAllDomains(void *conn, _Out_ void **domains, unsigned int flags)',
  virConnectListAllStoragePools: 'int virConnectListAllStoragePools(void *conn, _Out_ void **pools, unsigned int flags)',
  virConnectDomainEventRegisterAny:
    'int virConnectDomainEventRegisterAny(void *conn, void *dom, int eventID, virConnectDomainEventLifecycleCallback *cb, void *opaque, void *freecb)',
  virConnectDomainEventDeregisterAny: 'int virConnectDomainEventDeregisterAny(void *conn, int callbackID)',
  virNodeGetInfo: 'int virNodeGetInfo(void *conn, _Out_ virNodeInfo *info)',
  virNodeGetMemoryStats: 'int virNodeGetMemoryStats(void *conn, int cellNum, void *params, _Inout_ int *nparams, unsigned int flags)',
  virConnectListAllNetworks: 'int virConnectListAllNetworks(void *conn, _Out_ void **nets, unsigned int flags)',

  virDomainDefineXML: 'void *virDomainDefineXML(void *conn, const char *xml)',
  virDomainLookupByName: 'void *virDomainLookupByName(void *conn, const char *name)',
  virDomainLookupByUUIDString: 'void *virDomainLookupByUUIDString(void *conn, const char *uuid)',
  virDomainCreate: 'int virDomainCreate(void *dom)',
  virDomainShutdown: 'int virDomainShutdown(void *dom)',
  virDomainDestroy: 'int virDomainDestroy(void *dom)',
  virDomainReset: 'int virDomainReset(void *dom, unsigned int flags)',
  virDomainUndefineFlags: 'int virDomainUndefineFlags(void *dom, unsigned int flags)',
  virDomainGetState: 'int virDomainGetState(void *dom, _Out_ int *state, _Out_ int *reason, unsigned int flags)',
  virDomainGetXMLDesc: 'char *! virDomainGetXMLDesc(void *dom, unsigned int flags)',
  virDomainGetName: 'const char *virDomainGetName(void *dom)',
  virDomainGetUUIDString: 'int virDomainGetUUIDString(void *dom, _Out_ uint8_t *buf)',
  virDomainOpenConsole: 'int virDomainOpenConsole(void *dom, const char *devName, void *stream, unsigned int flags)',
  virDomainInterfaceAddresses: 'int virDomainInterfaceAddresses(void *dom, _Out_ void **ifaces, unsigned int source, unsigned int flags)',
  virDomainInterfaceFree: 'void virDomainInterfaceFree(void *iface)',
  virDomainFree: 'int virDomainFree(void *dom)',

  virDomainSnapshotCreateXML: 'void *virDomainSnapshotCreateXML(void *dom, const char *xml, unsigned int flags)',
  virDomainSnapshotLookupByName: 'void *virDomainSnapshotLookupByName(void *dom, const char *name, unsigned int flags)',
  virDomainListAllSnapshots: 'int virDomainListAllSnapshots(void *dom, _Out_ void **snaps, unsigned int flags)',
  virDomainSnapshotGetName: 'const char *virDomainSnapshotGetName(void *snap)',
  virDomainRevertToSnapshot: 'int virDomainRevertToSnapshot(void *snap, unsigned int flags)',
  virDomainSnapshotDelete: 'int virDomainSnapshotDelete(void *snap, unsigned int flags)',
  virDomainSnapshotFree: 'int virDomainSnapshotFree(void *snap)',

  virStoragePoolLookupByName: 'void *virStoragePoolLookupByName(void *conn, const char *name)',
  virStoragePoolDefineXML: 'void *virStoragePoolDefineXML(void *conn, const char *xml, unsigned int flags)',
  virStoragePoolBuild: 'int virStoragePoolBuild(void *pool, unsigned int flags)',
  virStoragePoolCreate: 'int virStoragePoolCreate(void *pool, unsigned int flags)',
  virStoragePoolDestroy: 'int virStoragePoolDestroy(void *pool)',
  virStoragePoolDelete: 'int virStoragePoolDelete(void *pool, unsigned int flags)',
  virStoragePoolUndefine: 'int virStoragePoolUndefine(void *pool)',
  virStoragePoolIsActive: 'int virStoragePoolIsActive(void *pool)',
  virStoragePoolRefresh: 'int virStoragePoolRefresh(void *pool, unsigned int flags)',
  virStoragePoolGetName: 'const char *virStoragePoolGetName(void *pool)',
  virStoragePoolGetXMLDesc: 'char *! virStoragePoolGetXMLDesc(void *pool, unsigned int flags)',
  virStoragePoolListAllVolumes: 'int virStoragePoolListAllVolumes(void *pool, _Out_ void **vols, unsigned int flags)',
  virStoragePoolFree: 'int virStoragePoolFree(void *pool)',
  virStorageVolCreateXML: 'void *virStorageVolCreateXML(void *pool, const char *xml, unsigned int flags)',
  virStorageVolLookupByName: 'void *virStorageVolLookupByName(void *pool, const char *name)',
  virStorageVolGetName: 'const char *virStorageVolGetName(void *vol)',
  virStorageVolGetPath: 'char *! virStorageVolGetPath(void *vol)',
  virStorageVolGetXMLDesc: 'char *! virStorageVolGetXMLDesc(void *vol, unsigned int flags)',
  virStorageVolUpload: 'int virStorageVolUpload(void *vol, void *stream, unsigned long long offset, unsigned long long length, unsigned int flags)',
  virStorageVolDelete: 'int virStorageVolDelete(void *vol, unsigned int flags)',
  virStorageVolFree: 'int virStorageVolFree(void *vol)',

  virNetworkLookupByName: 'void *virNetworkLookupByName(void *conn, const char *name)',
  virNetworkGetName: 'const char *virNetworkGetName(void *net)',
  virNetworkIsActive: 'int virNetworkIsActive(void *net)',
  virNetworkGetXMLDesc: 'char *! virNetworkGetXMLDesc(void *net, unsigned int flags)',
  virNetworkFree: 'int virNetworkFree(void *net)',
  virNetworkDefineXML: 'void *virNetworkDefineXML(void *conn, const char *xml)',
  virNetworkCreate: 'int virNetworkCreate(void *net)',
  virNetworkDestroy: 'int virNetworkDestroy(void *net)',
  virNetworkUndefine: 'int virNetworkUndefine(void *net)',

  virStreamNew: 'void *virStreamNew(void *conn, unsigned int flags)',
  virStreamSend: 'int virStreamSend(void *stream, const uint8_t *data, size_t nbytes)',
  virStreamRecv: 'int virStreamRecv(void *stream, _Out_ uint8_t *data, size_t nbytes)',
  virStreamFinish: 'int virStreamFinish(void *stream)',
  virStreamAbort: 'int virStreamAbort(void *stream)',
  virStreamFree: 'int virStreamFree(void *stream)',
} as const;

export type LibvirtFunctions = { [K in keyof typeof PROTOTYPES]: Fn };

let loaded: LibvirtFunctions | undefined;

function declareTypes(): void {
  koffi.struct('virError', {
    code: 'int',
    domain: 'int',
    message: 'char *',
    level: 'int',
    conn: 'void *',
    dom: 'void *',
    str1: 'char *',
    str2: 'char *',
    str3: 'char *',
    int1: 'int',
    int2: 'int',
    net: 'void *',
  });
  koffi.struct('virNodeInfo', {
    model: koffi.array('char', 32, 'String'),
    memory: 'unsigned long',
    cpus: 'unsigned int',
    mhz: 'unsigned int',
    nodes: 'unsigned int',
    sockets: 'unsigned int',
    cores: 'unsigned int',
    threads: 'unsigned int',
  });
  koffi.struct('virNodeMemoryStats', { field: koffi.array('char', 80, 'String'), value: 'unsigned long long' });
  koffi.proto('void virErrorFunc(void *userData, virError *error)');
  koffi.proto('void virEventTimeoutCallback(int timer, void *opaque)');
  koffi.proto('int virConnectDomainEventLifecycleCallback(void *conn, void *dom, int event, int detail, void *opaque)');
}

function configure(): void {
  // libvirt's RPC code needs more stack than koffi's 128 KiB default for calls on worker threads.
  // koffi refuses new settings once any library is loaded in the process: keep its defaults then.
  try {
    koffi.config({ ...koffi.config(), async_stack_size: 2 * 1024 * 1024 });
  } catch {
    // another module loaded a library first
  }
}

function open(): LibraryHandle {
  configure();
  try {
    return koffi.load('libvirt.so.0');
  } catch (cause) {
    throw new AtomlabError('the libvirt library (libvirt.so.0) cannot be loaded', {
      code: 'MISSING_TOOL',
      hint: 'install it with: apt-get install libvirt0 (or run scripts/setup-host)',
      context: { provider: 'libvirt' },
      cause,
    });
  }
}

/** The loaded library, declared once per process. */
export function libvirt(): LibvirtFunctions {
  if (loaded) return loaded;
  const lib = open();
  declareTypes();
  const functions = {} as Record<string, Fn>;
  for (const [name, prototype] of Object.entries(PROTOTYPES)) functions[name] = lib.func(prototype);
  loaded = functions as LibvirtFunctions;
  return loaded;
}

export { koffi };
