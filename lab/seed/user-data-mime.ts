import MimeNode from 'nodemailer/lib/mime-node/index.js';
import type { SeedData } from './seed-types.js';

/** cloud-init's part types by how the part starts (cloudinit.handlers INCLUSION_TYPES_MAP), longest first. */
const PART_TYPES: [string, string][] = [
  ['#cloud-config-archive', 'text/cloud-config-archive'],
  ['#cloud-config', 'text/cloud-config'],
  ['#cloud-boothook', 'text/cloud-boothook'],
  ['#include-once', 'text/x-include-once-url'],
  ['#include', 'text/x-include-url'],
  ['#part-handler', 'text/part-handler'],
  ['## template: jinja', 'text/jinja2'],
  ['#!', 'text/x-shellscript'],
];

/** A MIME message already, by cloud-init's own test (user_data.convert_string). */
export function isMime(text: string): boolean {
  return text.slice(0, 4096).toLowerCase().includes('mime-version:');
}

/** The MIME type cloud-init gives a part starting like this; text/plain lets it decide. */
export function partType(text: string): string {
  return PART_TYPES.find(([prefix]) => text.startsWith(prefix))?.[1] ?? 'text/plain';
}

export interface UserDataPart {
  filename: string;
  content: string;
}

/**
 * One multipart/mixed message of the parts, in order, as `cloud-init devel make-mime` makes
 * (cloud-init merges them in that order). A part that is a MIME message already is nested whole.
 */
export async function multipartUserData(parts: UserDataPart[]): Promise<string> {
  const root = new MimeNode('multipart/mixed', { baseBoundary: 'atomlab-seed', newline: '\n' });
  root.setHeader('Message-ID', '<user-data@atomlab>');
  root.setHeader('Date', new Date(0).toUTCString());
  for (const part of parts) {
    if (isMime(part.content)) root.createChild('multipart/mixed').setRaw(part.content);
    else root.createChild(partType(part.content), { filename: part.filename }).setContent(part.content);
  }
  return (await root.build()).toString('utf8');
}

/**
 * The user-data a cloud's metadata service gets: the seed's user-data as it is, or, with
 * vendor-data (which no metadata service here carries), a multi-part message of the vendor-data
 * first and the user-data after it, so the user's settings win as they would over vendor-data.
 */
export async function userDataText(data: SeedData): Promise<string> {
  if (data.vendorData === undefined) return data.userData;
  return multipartUserData([
    { filename: 'vendor-data', content: data.vendorData },
    { filename: 'user-data', content: data.userData },
  ]);
}
