/** What goes into an image: plain data given by callers. */

/** A file whose content is in memory (a string is written as UTF-8). */
export interface IsoBufferFile {
  kind: 'file';
  content: Uint8Array | string;
  mode?: number;
}

/** A file streamed from a path on disk when the image is written. */
export interface IsoPathFile {
  kind: 'file';
  path: string;
  mode?: number;
}

export interface IsoDirectory {
  kind: 'dir';
  entries: IsoTree;
  mode?: number;
}

export type IsoNode = IsoBufferFile | IsoPathFile | IsoDirectory;

/** Names (any UTF-8 name a POSIX file may have, up to 255 bytes) to nodes. */
export type IsoTree = Record<string, IsoNode>;

/** Where a file's bytes come from, once sizes are known. */
export type DataSource = { data: Uint8Array } | { path: string };

/** A node of the image after validation, shared by both directory trees. */
export interface Entry {
  name: string;
  nameBytes: Buffer;
  parent: Entry | undefined;
  /** Undefined for files. */
  children: Entry[] | undefined;
  mode: number;
  size: number;
  source: DataSource | undefined;
  /** ISO 9660 level-1 identifier (with ";1" for files). */
  isoId: Buffer;
  /** Joliet identifier, UCS-2 big-endian. */
  jolietId: Buffer;
  /** Filled in by the layout. */
  dataExtent: number;
}

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const DEFAULT_FILE_MODE = 0o644;
export const DEFAULT_DIR_MODE = 0o755;

export function isDirectory(entry: Entry): entry is Entry & { children: Entry[] } {
  return entry.children !== undefined;
}
