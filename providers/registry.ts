import { defineProvider, ProviderRegistry } from '../lab/provider/index.js';
import { ec2Options } from './ec2/options.js';
import { openstackOptions } from './openstack/options.js';
import { gceOptions } from './gce/options.js';
import { libvirtOptions } from './libvirt/options.js';
import { qemuOptions } from './qemu/options.js';
import { virtualboxOptions } from './virtualbox/options.js';
import { vmwareOptions } from './vmware/options.js';

/**
 * The composition root of providers: every provider atomlab has joins with one entry here, its
 * options schema from its own options.ts and its implementation loaded on demand. Nothing under
 * lab/ imports this file; the CLI's entry point (bin/atomlab.js) hands it to the engine.
 */
export const providers = new ProviderRegistry([
  defineProvider({ name: 'qemu', options: qemuOptions, seedTransports: ['nocloud', 'nocloud-vfat', 'configdrive', 'configdrive-vfat', 'ignition'], load: () => import('./qemu/index.js') }),
  defineProvider({ name: 'libvirt', options: libvirtOptions, seedTransports: ['nocloud', 'nocloud-vfat', 'configdrive', 'configdrive-vfat', 'ignition'], load: () => import('./libvirt/index.js') }),
  defineProvider({ name: 'virtualbox', options: virtualboxOptions, seedTransports: ['nocloud', 'configdrive'], load: () => import('./virtualbox/index.js') }),
  defineProvider({ name: 'vmware', options: vmwareOptions, seedTransports: ['configdrive', 'nocloud', 'guestinfo', 'ignition'], load: () => import('./vmware/index.js') }),
  defineProvider({ name: 'openstack', options: openstackOptions, seedTransports: ['userdata', 'configdrive', 'ignition'], billable: true, cloudImages: ['glance'], load: () => import('./openstack/index.js') }),
  defineProvider({ name: 'ec2', options: ec2Options, seedTransports: ['userdata', 'ignition'], billable: true, cloudImages: ['ami'], load: () => import('./ec2/index.js') }),
  defineProvider({ name: 'gce', options: gceOptions, seedTransports: ['userdata', 'ignition'], billable: true, cloudImages: ['gce'], load: () => import('./gce/index.js') }),
]);
