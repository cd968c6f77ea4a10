import { z } from 'zod';
import { COMPRESSIONS, IMAGE_FORMATS, SOUND_MODELS } from '../plan/index.js';
import { SEED_TRANSPORTS } from '../seed/index.js';
import { parseSize, SIZE_PATTERN } from '../sizes/index.js';
import { duration, StepSchema } from './steps-schema.js';

/** Names that end up in hostnames, domain names and file names. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/;
export const HOSTNAME_PATTERN = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const USER = /^[a-z_][a-z0-9_-]{0,31}$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;
const GCE_IMAGE = /^(projects\/[a-z][-a-z0-9.:]{4,61}[a-z0-9]\/global\/images\/)?(family\/)?[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HEX128 = /^[0-9a-fA-F]{128}$/;
export const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(s|m|h)\s*$/;
/** A value that may hold `{{n}}`-style templates: checked against the pattern once rendered. */
const TEMPLATE = /\{\{/;
const templated = (pattern: RegExp) => new RegExp(`^(?:${pattern.source.replace(/^\^|\$$/g, '')}|.*${TEMPLATE.source}.*)$`);
const SSH_PUBLIC_KEY = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp\d+|sk-\S+) [A-Za-z0-9+/=]+( .*)?$/;


/** 8 PiB: bytes stay exact integers (Number.MAX_SAFE_INTEGER). */
const MAX_SIZE_MIB = 2 ** 33;
const sizeWithinMax = (text: string) => !SIZE_PATTERN.test(text) || parseSize(text) <= MAX_SIZE_MIB * 1024 ** 2;
const size = (what: string) =>
  z
    .union([
      z.number().positive().max(MAX_SIZE_MIB),
      z.string().regex(SIZE_PATTERN, { error: 'must be a number of MiB or a size such as 512MiB or 2GiB' }).refine(sizeWithinMax, { error: 'must be at most 8 PiB' }),
    ])
    .describe(`${what}: a number of MiB, or a size with a binary unit (512MiB, 1GiB, 20G)`);

const port = z.number().int().min(1).max(65535);

export const ImageSpecSchema = z
  .strictObject({
    url: z.string().regex(/^(https?|file):\/\/\S+$/, { error: 'must be an http://, https:// or file:// URL' }).optional(),
    path: z.string().min(1).optional().describe('a local image file (relative to the scenario file)'),
    box: z.string().min(1).optional().describe('a Vagrant box: an http(s)/file URL or a path (relative to the scenario file); its disk is used'),
    provider: z.enum(['libvirt', 'virtualbox']).optional().describe('the box\'s provider (libvirt: box.img qcow2; virtualbox: box.ovf + vmdk); checked against its metadata.json'),
    sha256: z.string().regex(HEX64, { error: 'must be 64 hexadecimal digits' }).optional(),
    sha512: z.string().regex(HEX128, { error: 'must be 128 hexadecimal digits' }).optional(),
    checksumUrl: z.string().regex(/^(https?|file):\/\/\S+$/, { error: 'must be an http(s) or file URL' }).optional(),
    signatureUrl: z.string().regex(/^(https?|file):\/\/\S+$/, { error: 'must be an http(s) or file URL' }).optional(),
    keyFile: z.string().min(1).optional(),
    format: z.enum(IMAGE_FORMATS).optional(),
    compression: z.enum(COMPRESSIONS).optional(),
    user: z.string().regex(USER, { error: 'must be a POSIX user name (lower case letters, digits, _ and -)' }).optional(),
    verify: z.boolean().optional().describe('false accepts a remote image without digest or checksum file'),
    ami: z.string().regex(/^ami-[0-9a-f]{8,17}$/, { error: 'must be an AMI id such as ami-0abc1234def567890' }).optional().describe('an AMI already in EC2 (provider ec2): nothing is downloaded or uploaded'),
    glance: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { error: 'must be a Glance image id (a UUID such as 5f1c2a3e-8b9d-4c1e-9f0a-1b2c3d4e5f60)' }).optional().describe('an image already in OpenStack\'s Glance, by id (provider openstack)'),
    gce: z.string().regex(GCE_IMAGE, { error: 'must be a GCE image: NAME, family/NAME or projects/PROJECT/global/images/[family/]NAME' }).optional().describe('an image already in GCE (provider gce): a name, family/NAME, or projects/PROJECT/global/images/[family/]NAME'),
  })
  .describe('an image given inline: url, path or box, plus a digest or checksum file; or one already in a cloud: ami, glance or gce');

export const ImageRefSchema = z
  .union([z.string().min(1).describe('a catalog id (atomlab images ls --catalog)'), ImageSpecSchema])
  .describe('a catalog id, or an inline image');

/** A provider as the scenario schema needs it: its name and its own options schema (from the registry). */
export interface ProviderSchemaSource {
  name: string;
  options: z.ZodObject;
}

/** `provider:` as a name, or `{name, ...options}`: what every provider's schema composes into. */
export type ProviderRef = string | ({ name: string } & Record<string, unknown>);

/**
 * `provider:` checked against the registered providers: a name, or `{name, ...its options}`
 * with each provider's own (strict) options schema.
 */
export function providerRefSchema(providers: readonly ProviderSchemaSource[]): z.ZodType<ProviderRef> {
  const names = providers.map((provider) => provider.name);
  const [first, ...rest] = providers.map((provider) => z.strictObject({ name: z.literal(provider.name), ...provider.options.shape }).describe(`${provider.name} provider options`));
  if (!first) throw new Error('no providers registered');
  const objects = rest.length ? z.discriminatedUnion('name', [first, ...rest]) : first;
  return z.union([z.enum(names as [string, ...string[]]), objects]).describe('a provider name, or {name, ...options}');
}

export const HardwareSchema = z.strictObject({
  sound: z.enum(SOUND_MODELS).optional().describe('ich6/ich9 fall back to ac97 where QEMU lacks hda-duplex'),
  firmware: z.enum(['bios', 'uefi']).optional(),
  machine: z.enum(['pc', 'q35']).optional(),
  nics: z.number().int().min(0).max(8).optional(),
  serial: z.boolean().optional().describe('serial console (needed for console checks)'),
  graphics: z.enum(['none', 'vnc', 'spice']).optional(),
});

export const LoginSchema = z.strictObject({
  user: z.string().regex(USER, { error: 'must be a POSIX user name (lower case letters, digits, _ and -)' }).optional(),
  password: z.string().min(1).optional().describe('a password, or "generate" for a random one'),
  sshKeys: z
    .array(z.string().regex(SSH_PUBLIC_KEY, { error: 'expected an OpenSSH public key line (ssh-ed25519 AAAA… comment)' }))
    .optional()
    .describe('extra public keys allowed to log in'),
});

/** 1–65535, no leading zero, then an optional /tcp or /udp. */
const PORT_KEY = /^([1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])(\/(tcp|udp))?$/;
const portKey = z.string().regex(PORT_KEY, { error: 'must be a guest port from 1 to 65535, such as 80 or 53/udp' });

function vmSettingsShape(provider: z.ZodType<ProviderRef>) {
  return {
  hostname: z.string().regex(templated(HOSTNAME_PATTERN), { error: 'must be a valid host name (letters, digits, - and dots)' }).optional().describe('a host name; may use {{n}}, {{name}}, {{lab}}'),
  image: ImageRefSchema.optional(),
  provider: provider.optional(),
  cpus: z.number().int().min(1).max(256).optional(),
  memory: size('memory').optional(),
  disk: size('disk').optional().describe('grow the disk to this size'),
  hardware: HardwareSchema.optional(),
  login: LoginSchema.optional(),
  cloudConfig: z.record(z.string(), z.unknown()).optional().describe('merged into the generated #cloud-config'),
  metaData: z.record(z.string(), z.unknown()).optional().describe('extra meta-data keys'),
  ignition: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('an Ignition config fragment (Ignition\'s camelCase keys, or Butane-shaped: snake_case, contents.inline, mode: 0644) merged into the generated Ignition config of images configured by Ignition'),
  ports: z.record(portKey, z.union([port, z.literal('auto')])).optional().describe('guest port → host port or auto'),
  seed: z.enum(['auto', ...SEED_TRANSPORTS]).optional().describe('how the seed reaches the guest: auto (the provider\'s preference), nocloud, nocloud-vfat, configdrive, configdrive-vfat, guestinfo, userdata, ignition'),
  bootTimeout: duration
    .optional()
    .describe('how long a VM may take from start to verified login (seconds, or 90s / 10m)'),
  };
}

function vmSchema(shape: ReturnType<typeof vmSettingsShape>) {
  return z.strictObject({
  name: z
    .string()
    .regex(templated(NAME_PATTERN), { error: 'must be letters, digits and -, starting with a letter or digit, at most 63' })
    .describe('the VM name; with count, a template such as student-{{n:02}}'),
  count: z.number().int().min(1).max(500).optional().describe('make this many VMs from the entry, numbered {{n}} = 1…count'),
  ...shape,
  });
}

export const PLACEMENTS = ['fill', 'spread'] as const;

export const HostSchema = z
  .strictObject({
    uri: z.string().regex(/^[a-z0-9+]+:\/\/\S*$/, { error: 'must be a libvirt URI such as qemu+ssh://hv1/system' }),
    cpus: z.number().int().min(1).optional().describe('vCPUs this host may give the lab (default: its CPU threads × 8)'),
    memory: size('memory').optional().describe('memory this host may give the lab (default: its available memory less a reserve)'),
  })
  .describe('a libvirt host the lab may place VMs on');
/** A directory served over HTTP for the lab's lifetime; `{{serve.NAME}}` is its URL as guests see it. */
export const ServeEntrySchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, { error: 'must be letters, digits, _ and -, starting with a letter' }).describe('used as {{serve.NAME}}'),
  path: z.string().min(1).optional().describe('a local directory (relative to the scenario file); or publish'),
  publish: z
    .strictObject({
      recipe: z.string().min(1).describe('a guest recipe with a publish-update script (tiny)'),
      version: z.string().regex(/^[A-Za-z0-9._+~-]+$/, { error: 'must be letters, digits and . _ + ~ -' }).describe('the version to publish'),
    })
    .optional()
    .describe('an update repository atomlab publishes for the lab (images/recipes/RECIPE/publish-update) and serves: {{serve.NAME}}/repo'),
  delay: z
    .strictObject({
      match: z.string().min(1).describe('a regular expression on the request path'),
      time: duration.describe('how long each matching response waits'),
    })
    .optional()
    .describe('a slow mirror: responses to matching paths start only after time (an interrupted upgrade has time to interrupt)'),
});

type VmSettingsShape = ReturnType<typeof vmSettingsShape>;

/** `matrix:` lists values for any VM setting `defaults` allows; every combination is its own lab. */
function matrixSchema(shape: VmSettingsShape) {
  return z
    .strictObject(Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, z.array(schema.unwrap()).min(1).optional()])) as {
      [K in keyof VmSettingsShape]: z.ZodOptional<z.ZodArray<ReturnType<VmSettingsShape[K]['unwrap']>>>;
    })
    .describe('values per VM setting (provider, image, memory, …): every combination runs as its own lab, overriding defaults');
}

/** The scenario schema for these providers: their options composed in, each checked by its own schema. */
export function scenarioSchema(providers: readonly ProviderSchemaSource[]) {
  const shape = vmSettingsShape(providerRefSchema(providers));
  return z
  .strictObject({
    name: z.string().regex(NAME_PATTERN, { error: 'must be letters, digits and -, starting with a letter or digit, at most 63' }).describe('the lab name'),
    description: z.string().optional(),
    defaults: z.strictObject(shape).describe('settings every VM inherits').optional(),
    serve: z.array(ServeEntrySchema).optional().describe('local directories served over HTTP to the lab ({{serve.NAME}})'),
    matrix: matrixSchema(shape).optional(),
    vms: z.array(vmSchema(shape)).min(1),
    hosts: z.array(HostSchema).min(1).optional().describe('libvirt hosts to place the lab\'s libvirt VMs on'),
    placement: z.enum(PLACEMENTS).optional().describe('fill: the host with the most free memory first, until full; spread: evenly'),
    steps: z.array(StepSchema).optional().describe('QA steps `atomlab run` performs in order (VMs of one step in parallel)'),
  })
  .describe('An atomlab scenario: a lab of VMs');
}

export type ScenarioSchema = ReturnType<typeof scenarioSchema>;
export type ImageSpec = z.infer<typeof ImageSpecSchema>;
export type ImageRef = z.infer<typeof ImageRefSchema>;
export type Hardware = z.infer<typeof HardwareSchema>;
export type Login = z.infer<typeof LoginSchema>;
export type Scenario = z.infer<ScenarioSchema>;
export type VmSettings = NonNullable<Scenario['defaults']>;
export type VmEntry = Scenario['vms'][number];
export type HostEntry = z.infer<typeof HostSchema>;
export type ServeEntry = z.infer<typeof ServeEntrySchema>;
export type Matrix = NonNullable<Scenario['matrix']>;

/** The JSON Schema editors use (`# yaml-language-server: $schema=…`). */
export function scenarioJsonSchema(providers: readonly ProviderSchemaSource[]): Record<string, unknown> {
  const schema = z.toJSONSchema(scenarioSchema(providers), { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  return { ...schema, title: 'atomlab scenario' };
}
