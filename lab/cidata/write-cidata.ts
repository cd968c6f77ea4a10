import { writeIso, type IsoNode, type IsoSummary, type IsoTree } from '../iso9660/index.js';

/** A seed file's content: text, bytes, or a path to stream from. */
export type SeedSource = string | Uint8Array | { path: string };

export interface CidataFiles {
  userData: SeedSource;
  metaData: SeedSource;
  networkConfig?: SeedSource;
  vendorData?: SeedSource;
  /** Default `cidata` (NoCloud); `config-2` for an OpenStack config drive. */
  volumeId?: string;
  /** Default $SOURCE_DATE_EPOCH, else now. */
  timestamp?: Date;
  /** Default 0o600: user-data may hold passwords and host keys. */
  mode?: number;
}

function node(source: SeedSource): IsoNode {
  if (typeof source === 'string' || source instanceof Uint8Array) return { kind: 'file', content: source };
  return { kind: 'file', path: source.path };
}

/** Writes a NoCloud seed ISO (`user-data`, `meta-data`, optional `network-config`, `vendor-data`). */
export async function writeCidata(outputPath: string, files: CidataFiles): Promise<IsoSummary> {
  const tree: IsoTree = { 'user-data': node(files.userData), 'meta-data': node(files.metaData) };
  if (files.networkConfig !== undefined) tree['network-config'] = node(files.networkConfig);
  if (files.vendorData !== undefined) tree['vendor-data'] = node(files.vendorData);
  return writeIso(outputPath, tree, {
    volumeId: files.volumeId ?? 'cidata',
    timestamp: files.timestamp,
    mode: files.mode ?? 0o600,
    // a seed is cheap to make again (and made anew for every VM), so no fsync: like cloud-localds
    durable: false,
  });
}
