/**
 * System Use Sharing Protocol (IEEE P1281) and Rock Ridge (IEEE P1282, RRIP_1991A) entries.
 * Each function returns one complete entry: signature, length, version, payload.
 */
import { both32, recordDate } from './bytes.js';

function entry(signature: string, payload: Buffer): Buffer {
  const head = Buffer.from([signature.charCodeAt(0), signature.charCodeAt(1), 4 + payload.length, 1]);
  return Buffer.concat([head, payload]);
}

/** SP: "this volume uses SUSP", first entry of the root's "." record. */
export function sp(): Buffer {
  return entry('SP', Buffer.from([0xbe, 0xef, 0]));
}

export const CE_LENGTH = 28;

/** CE: the rest of this record's entries are at block/offset, `length` bytes. */
export function ce(block: number, offset: number, length: number): Buffer {
  return entry('CE', Buffer.concat([both32(block), both32(offset), both32(length)]));
}

const RRIP_ID = 'RRIP_1991A';
const RRIP_DESCRIPTION = 'THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES SUPPORT FOR POSIX FILE SYSTEM SEMANTICS';
const RRIP_SOURCE =
  'PLEASE CONTACT DISC PUBLISHER FOR SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME DESCRIPTOR FOR CONTACT INFORMATION.';

/** ER: names the extension in use (Rock Ridge), in the root's "." record. */
export function er(): Buffer {
  const texts = [RRIP_ID, RRIP_DESCRIPTION, RRIP_SOURCE].map((t) => Buffer.from(t, 'latin1'));
  const lengths = Buffer.from([texts[0]!.length, texts[1]!.length, texts[2]!.length, 1]);
  return entry('ER', Buffer.concat([lengths, ...texts]));
}

export const RR_PX = 0x01;
export const RR_NM = 0x08;
export const RR_TF = 0x80;

/** RR: which Rock Ridge entries this record carries (RRIP 1.09 readers look for it). */
export function rr(flags: number): Buffer {
  return entry('RR', Buffer.from([flags]));
}

export interface PosixAttributes {
  mode: number;
  links: number;
  uid: number;
  gid: number;
}

/** PX: POSIX mode (with the file type bits), link count, owner and group. */
export function px(attrs: PosixAttributes): Buffer {
  return entry('PX', Buffer.concat([both32(attrs.mode), both32(attrs.links), both32(attrs.uid), both32(attrs.gid)]));
}

const TF_MODIFY = 0x02;
const TF_ACCESS = 0x04;
const TF_ATTRIBUTES = 0x08;

/** TF: modification, access and attribute-change times, all `date`. */
export function tf(date: Date): Buffer {
  const stamp = recordDate(date);
  return entry('TF', Buffer.concat([Buffer.from([TF_MODIFY | TF_ACCESS | TF_ATTRIBUTES]), stamp, stamp, stamp]));
}

const NM_CONTINUE = 0x01;
const NM_MAX_PART = 250;

/** NM: the POSIX name, split across entries of at most 255 bytes. */
export function nm(name: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0; at < name.length; at += NM_MAX_PART) {
    const part = name.subarray(at, at + NM_MAX_PART);
    const more = at + NM_MAX_PART < name.length;
    parts.push(entry('NM', Buffer.concat([Buffer.from([more ? NM_CONTINUE : 0]), part])));
  }
  return parts;
}
