import { xmlDocument, type XElement } from './soap-xml.js';

/**
 * An OVF 1.0 descriptor for one VM with one streamOptimized disk on an LSI Logic controller and
 * one NIC: what CreateImportSpec turns into an import spec. Data in, XML out (fast-xml-parser's
 * builder); the CIM `rasd:` fields are written in their schema's (alphabetical) order.
 */
export interface OvfVm {
  name: string;
  guestId: string;
  cpus: number;
  memoryMiB: number;
  /** The disk file as uploaded (`disk.vmdk`) and its sizes. */
  diskFile: string;
  diskFileBytes: number;
  diskCapacityBytes: number;
  /** The OVF network name the NIC connects to (mapped to a real network at import). */
  network: string;
  hardwareVersion: number;
}

const STREAM_OPTIMIZED = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';

function item(fields: Record<string, string | number>): XElement {
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => [`rasd:${key}`, String(value)]));
}

function hardware(vm: OvfVm): XElement {
  return {
    Info: 'Virtual hardware requirements',
    System: {
      'vssd:ElementName': 'Virtual Hardware Family',
      'vssd:InstanceID': '0',
      'vssd:VirtualSystemIdentifier': vm.name,
      'vssd:VirtualSystemType': `vmx-${vm.hardwareVersion}`,
    },
    Item: [
      item({ AllocationUnits: 'hertz * 10^6', Description: 'Number of Virtual CPUs', ElementName: `${vm.cpus} virtual CPU(s)`, InstanceID: 1, ResourceType: 3, VirtualQuantity: vm.cpus }),
      item({ AllocationUnits: 'byte * 2^20', Description: 'Memory Size', ElementName: `${vm.memoryMiB}MB of memory`, InstanceID: 2, ResourceType: 4, VirtualQuantity: vm.memoryMiB }),
      item({ Address: 0, Description: 'SCSI Controller', ElementName: 'scsiController0', InstanceID: 3, ResourceSubType: 'lsilogic', ResourceType: 6 }),
      item({ AddressOnParent: 0, ElementName: 'disk0', HostResource: 'ovf:/disk/vmdisk1', InstanceID: 4, Parent: 3, ResourceType: 17 }),
      item({ AddressOnParent: 7, AutomaticAllocation: 'true', Connection: vm.network, Description: 'VmxNet3 ethernet adapter', ElementName: 'ethernet0', InstanceID: 5, ResourceSubType: 'VmxNet3', ResourceType: 10 }),
    ],
  };
}

export function ovfDescriptor(vm: OvfVm): string {
  return xmlDocument('Envelope', {
    '@_xmlns': 'http://schemas.dmtf.org/ovf/envelope/1',
    '@_xmlns:ovf': 'http://schemas.dmtf.org/ovf/envelope/1',
    '@_xmlns:rasd': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData',
    '@_xmlns:vssd': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData',
    '@_xmlns:vmw': 'http://www.vmware.com/schema/ovf',
    References: { File: { '@_ovf:href': vm.diskFile, '@_ovf:id': 'file1', '@_ovf:size': String(vm.diskFileBytes) } },
    DiskSection: {
      Info: 'Virtual disk information',
      Disk: { '@_ovf:capacity': String(vm.diskCapacityBytes), '@_ovf:capacityAllocationUnits': 'byte', '@_ovf:diskId': 'vmdisk1', '@_ovf:fileRef': 'file1', '@_ovf:format': STREAM_OPTIMIZED },
    },
    NetworkSection: { Info: 'The list of logical networks', Network: { '@_ovf:name': vm.network, Description: `The ${vm.network} network` } },
    VirtualSystem: {
      '@_ovf:id': vm.name,
      Info: 'A virtual machine',
      Name: vm.name,
      OperatingSystemSection: { '@_ovf:id': '101', '@_vmw:osType': vm.guestId, Info: 'The kind of installed guest operating system' },
      VirtualHardwareSection: hardware(vm),
    },
  });
}
