/** Plain data describing where an image comes from and how to trust it (the catalog produces it). */
export interface ImageDigest {
  algorithm: 'sha256' | 'sha512';
  hex: string;
}

export type DiskFormat = 'raw' | 'qcow2' | 'vmdk' | 'vdi';

export interface ImageSource {
  /** Catalog id, shown in listings; defaults to the URL or path. */
  id?: string;
  /** http(s):// or file:// URL. */
  url?: string;
  /** Local file, read in place. */
  path?: string;
  /** Digest of the file as published (before decompression). */
  digest?: ImageDigest;
  /** A checksum file naming the published file (Fedora `SHA256 (name) = hex` or GNU `hex  name`). */
  checksumUrl?: string;
  /** Detached OpenPGP signature of the checksum file. */
  signatureUrl?: string;
  /** Armored OpenPGP public key that signs the checksum file. */
  keyFile?: string;
  /** Expected disk format of the stored image; detected when absent. */
  format?: DiskFormat;
  /** Refuse the image unless a digest or checksum file confirms it. */
  verify: boolean;
  /**
   * The file is a Vagrant box: the digest is the .box file's; its boot disk is what is cached.
   * `provider` (libvirt, virtualbox), when given, must match the box's metadata.json.
   */
  box?: { provider?: 'libvirt' | 'virtualbox' };
}

export interface PullProgress {
  /** Bytes of the published file read so far (including resumed bytes). */
  bytes: number;
  /** Size of the published file when the server said it. */
  total?: number;
  /** Bytes per second over the last seconds. */
  rate: number;
  /** Seconds left, when the total is known. */
  etaSeconds?: number;
  /** True when a previous partial download is being continued. */
  resumed: boolean;
}

export interface PullOptions {
  /** Defaults to imageCacheDir(). */
  cacheDir?: string;
  signal?: AbortSignal;
  onProgress?: (progress: PullProgress) => void;
  /** Abort a connection that delivers nothing for this long (default 30 s). */
  idleTimeoutMs?: number;
  /** Attempts after the first one on connection errors and 5xx (default 5). */
  retries?: number;
  /** First backoff delay, doubled per attempt (default 1 s). */
  retryDelayMs?: number;
}

export interface PulledImage {
  id: string;
  /** The stored image in the cache. */
  path: string;
  /** sha256 of the stored (decompressed) image. */
  sha256: string;
  format: DiskFormat;
  virtualSize: number;
  /** True when the cache held it already. */
  cached: boolean;
}
