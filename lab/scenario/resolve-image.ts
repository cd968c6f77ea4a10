import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import type { Catalog, CatalogEntry } from '../catalog/index.js';
import { packagePath } from '../paths/index.js';
import { didYouMean } from '../yaml/index.js';
import { CLOUD_IMAGE_KINDS, type CloudImageKind, type ImagePlan } from '../plan/index.js';
import type { ImageRef, ImageSpec } from './schema.js';

export interface ImageContext {
  catalog: Catalog;
  scenarioDir: string;
  /** Records a problem about the image value, or one of its keys. */
  report(message: string, key?: string): void;
}

function parseDigest(value: string): ImagePlan['digest'] {
  const [algorithm, hex] = value.split(':') as ['sha256' | 'sha512', string];
  return { algorithm, hex: hex.toLowerCase() };
}

export function fromCatalog(entry: CatalogEntry): ImagePlan {
  return {
    id: entry.id,
    title: entry.title,
    url: entry.url,
    recipe: entry.recipe,
    box: entry.kind === 'box' ? { provider: entry.boxProvider } : undefined,
    digest: entry.digest ? parseDigest(entry.digest) : undefined,
    checksumUrl: entry.checksumUrl,
    signatureUrl: entry.signatureUrl,
    keyFile: entry.key ? packagePath('images', 'keys', entry.key) : undefined,
    format: entry.format,
    compression: entry.compression ?? 'auto',
    verify: true,
    user: entry.user,
    config: entry.config,
    ignitionVersion: entry.ignition,
    stream: entry.stream ? { url: entry.stream, architecture: entry.architecture } : undefined,
  };
}

/** Local files (paths, file:// URLs) are trusted as they are unless a digest is given. */
function remoteUrl(spec: ImageSpec): boolean {
  return (spec.url ?? spec.box)?.startsWith('http') ?? false;
}

const URL = /^(https?|file):\/\/\S+$/;

/** A box given as a URL or a path: the same two ways as an image. */
function boxLocation(spec: ImageSpec): Pick<ImageSpec, 'url' | 'path'> {
  if (spec.box === undefined) return { url: spec.url, path: spec.path };
  return URL.test(spec.box) ? { url: spec.box } : { path: spec.box };
}

function checkInline(spec: ImageSpec, ctx: ImageContext): boolean {
  let ok = true;
  const fail = (message: string, key?: string) => {
    ok = false;
    ctx.report(message, key);
  };
  if ([spec.url, spec.path, spec.box].filter((v) => v !== undefined).length !== 1) fail('an inline image needs exactly one of url, path or box (or ami, glance or gce for one already in a cloud)');
  if (spec.provider && spec.box === undefined) fail('provider names a box\'s provider: give box too', 'provider');
  if (spec.sha256 && spec.sha512) fail('give one digest: sha256 or sha512, not both', 'sha512');
  if (remoteUrl(spec) && !spec.sha256 && !spec.sha512 && !spec.checksumUrl && spec.verify !== false) {
    fail('a remote image needs sha256, sha512 or checksumUrl (or verify: false to trust it unchecked)', spec.box === undefined ? 'url' : 'box');
  }
  if (spec.signatureUrl && !spec.keyFile) fail('signatureUrl needs keyFile (the OpenPGP key that signs the checksum file)', 'signatureUrl');
  return ok;
}

function inlineId(spec: ImageSpec, location: string): string {
  const digest = spec.sha256 ?? spec.sha512;
  const basis = digest ?? location;
  return `inline-${createHash('sha256').update(basis).digest('hex').slice(0, 12)}`;
}

function fromInline(given: ImageSpec, ctx: ImageContext): ImagePlan | undefined {
  if (!checkInline(given, ctx)) return undefined;
  const spec = { ...given, ...boxLocation(given) };
  const path = spec.path === undefined ? undefined : isAbsolute(spec.path) ? spec.path : resolve(ctx.scenarioDir, spec.path);
  const location = spec.url ?? path!;
  return {
    id: inlineId(spec, location),
    title: location,
    url: spec.url,
    path,
    box: spec.box === undefined ? undefined : { provider: spec.provider },
    digest: spec.sha256 ? { algorithm: 'sha256', hex: spec.sha256.toLowerCase() } : spec.sha512 ? { algorithm: 'sha512', hex: spec.sha512.toLowerCase() } : undefined,
    checksumUrl: spec.checksumUrl,
    signatureUrl: spec.signatureUrl,
    keyFile: spec.keyFile === undefined ? undefined : resolve(ctx.scenarioDir, spec.keyFile),
    format: spec.format,
    compression: spec.compression ?? 'auto',
    verify: spec.verify ?? (remoteUrl(spec) || Boolean(spec.sha256 ?? spec.sha512 ?? spec.checksumUrl)),
    user: spec.user ?? 'fedora',
    config: 'cloud-init',
  };
}

const CLOUD_TITLES: Record<CloudImageKind, string> = { ami: 'EC2 AMI', glance: 'Glance image', gce: 'GCE image' };

/** The keys of an inline image that only say how to download and check a file. */
const FILE_KEYS = ['url', 'path', 'box', 'provider', 'sha256', 'sha512', 'checksumUrl', 'signatureUrl', 'keyFile', 'format', 'compression', 'verify'] as const;

/** `{ami: …}`, `{glance: …}`, `{gce: …}`: an image already in a cloud; alone, with at most `user`. */
function fromCloud(spec: ImageSpec, kinds: CloudImageKind[], ctx: ImageContext): ImagePlan | undefined {
  const [kind] = kinds;
  if (kinds.length > 1) ctx.report(`an image is in one cloud: give one of ${kinds.join(', ')}`, kinds[1]);
  const fileKeys = FILE_KEYS.filter((key) => spec[key] !== undefined);
  for (const key of fileKeys) ctx.report(`${key} does not apply to an image already in a cloud (${kind}: nothing is downloaded or uploaded)`, key);
  if (kinds.length > 1 || fileKeys.length > 0 || !kind) return undefined;
  const id = spec[kind]!;
  return { id: `${kind}:${id}`, title: `${CLOUD_TITLES[kind]} ${id}`, cloud: { kind, id }, compression: 'none', verify: false, user: spec.user ?? 'fedora', config: 'cloud-init' };
}

/** A catalog id or an inline spec, resolved to a plan; problems go to ctx.report. */
export function resolveImage(ref: ImageRef, ctx: ImageContext): ImagePlan | undefined {
  const clouds = typeof ref === 'string' ? [] : CLOUD_IMAGE_KINDS.filter((kind) => ref[kind] !== undefined);
  if (typeof ref !== 'string' && clouds.length > 0) return fromCloud(ref, clouds, ctx);
  if (typeof ref !== 'string') return fromInline(ref, ctx);
  const entry = ctx.catalog.get(ref);
  if (!entry) {
    ctx.report(`unknown image "${ref}"${didYouMean(ref, ctx.catalog.ids())}; see \`atomlab images ls --catalog\``);
    return undefined;
  }
  return fromCatalog(entry);
}
