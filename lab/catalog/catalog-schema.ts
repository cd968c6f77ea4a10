import { z } from 'zod';
import { COMPRESSIONS, IMAGE_FORMATS } from '../plan/index.js';

const DIGEST = /^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$/;
const URL_PATTERN = /^(https?|file):\/\/\S+$/;

/** One image of the catalog: a file in images/<id>.yaml. */
export const CatalogEntrySchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, { error: 'id must be lower case letters, digits, . and -' }),
    title: z.string().min(1),
    url: z.string().regex(URL_PATTERN, { error: 'url must be an http(s) or file URL' }).optional(),
    recipe: z.string().regex(/^[a-z0-9-]+$/).optional().describe('built locally from Debian packages (images/recipes/<name>)'),
    kind: z.enum(['image', 'box']).default('image').describe('box: the file is a Vagrant box whose disk is the image'),
    boxProvider: z.enum(['libvirt', 'virtualbox']).optional().describe('a box\'s provider (checked against its metadata.json)'),
    digest: z.string().regex(DIGEST, { error: 'digest must be sha256:<64 hex> or sha512:<128 hex>' }).optional(),
    checksumUrl: z.string().regex(URL_PATTERN, { error: 'checksumUrl must be a URL' }).optional(),
    signatureUrl: z.string().regex(URL_PATTERN, { error: 'signatureUrl must be a URL' }).optional(),
    key: z.string().regex(/^[\w.-]+\.(asc|gpg)$/, { error: 'key must be a file name in images/keys/' }).optional(),
    stream: z.string().regex(URL_PATTERN, { error: 'stream must be the URL of a CoreOS stream metadata document' }).optional().describe('a CoreOS stream metadata document: the current build of the stream is used'),
    architecture: z.enum(['x86_64', 'aarch64', 'ppc64le', 's390x']).default('x86_64').describe('with stream: which architecture\'s artifacts'),
    format: z.enum(IMAGE_FORMATS).optional().describe('required with url or recipe; a stream names its own'),
    compression: z.enum(COMPRESSIONS).optional(),
    user: z.string().regex(/^[a-z_][a-z0-9_-]*$/),
    family: z.enum(['fedora-atomic', 'centos-atomic', 'fedora-cloud', 'fedora-coreos', 'centos-stream', 'debian', 'test']),
    config: z.enum(['cloud-init', 'ignition']).default('cloud-init').describe('what configures the image at first boot: a cloud-init seed, or an Ignition config (seed: ignition)'),
    ignition: z.string().regex(/^3\.\d+\.\d+$/, { error: 'ignition must be an Ignition spec version such as 3.3.0' }).optional().describe('with config: ignition, the spec version atomlab writes (one the image\'s Ignition and ignition-validate both read)'),
    memory: z.number().int().positive().optional().describe('default memory of its VMs, MiB'),
    released: z.string().regex(/^\d{4}-\d{2}(-\d{2})?$/).optional(),
    homepage: z.string().regex(URL_PATTERN).optional(),
    notes: z.string().optional(),
  })
  .refine((entry) => (entry.kind === 'box') === (entry.boxProvider !== undefined), { error: 'a box entry (kind: box) needs boxProvider, and only a box has one', path: ['boxProvider'] })
  .describe('An atomlab image catalog entry');

export type CatalogEntry = z.output<typeof CatalogEntrySchema>;
