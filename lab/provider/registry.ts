import type { z } from 'zod';
import { AtomlabError } from '../errors/index.js';
import type { CloudImageKind } from '../plan/index.js';
import type { SeedTransport } from '../seed/index.js';
import type { Provider } from './provider.js';

/** What the engine gives every provider it builds. */
export interface ProviderContext {
  /** One line worth telling the user (an accelerator choice, a hardware fallback). */
  log(line: string): void;
}

/** A provider module as its `index.ts` exports it: builds the provider from its typed options. */
export interface ProviderModule<Options> {
  createProvider(options: Options, context: ProviderContext): Provider;
}

/** How a provider joins: its name, its scenario options, what it carries, and how to load it. */
export interface ProviderDefinition<Schema extends z.ZodObject> {
  name: string;
  /** Its scenario options, every key but `name` (from providers/<name>/options.ts). */
  options: Schema;
  /** Seed transports it can carry, its preferred first (what `seed: auto` becomes). */
  seedTransports: readonly SeedTransport[];
  /** Its resources cost money while they exist (a cloud): `up` says what it makes and asks first. */
  billable?: boolean;
  /** Kinds of image already in a cloud it boots (`image: {ami: …}`); validate refuses the others. */
  cloudImages?: readonly CloudImageKind[];
  /** Loaded on demand, so the CLI starts fast. */
  load(): Promise<ProviderModule<z.output<Schema>>>;
}

/** A definition with its option type closed over: what the registry holds. */
export interface RegisteredProvider {
  readonly name: string;
  readonly options: z.ZodObject;
  readonly seedTransports: readonly SeedTransport[];
  readonly billable: boolean;
  readonly cloudImages: readonly CloudImageKind[];
  /** Checks the options against the provider's schema and builds the provider. */
  create(options: Record<string, unknown>, context?: ProviderContext): Promise<Provider>;
}

const quiet: ProviderContext = { log: () => undefined };

export function defineProvider<Schema extends z.ZodObject>(definition: ProviderDefinition<Schema>): RegisteredProvider {
  return {
    name: definition.name,
    options: definition.options,
    seedTransports: definition.seedTransports,
    billable: definition.billable ?? false,
    cloudImages: definition.cloudImages ?? [],
    async create(options, context = quiet) {
      const parsed = definition.options.safeParse(options);
      if (!parsed.success) {
        throw new AtomlabError(`${definition.name} provider options: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ')}`, {
          code: 'BAD_INPUT',
          context: { provider: definition.name },
        });
      }
      const module = await definition.load();
      return module.createProvider(parsed.data, context);
    },
  };
}

/** The providers this atomlab has, in the order `doctor` lists them. Built at the top of the tree. */
export class ProviderRegistry {
  private readonly byName: Map<string, RegisteredProvider>;

  constructor(readonly providers: readonly RegisteredProvider[]) {
    this.byName = new Map(providers.map((provider) => [provider.name, provider]));
  }

  names(): string[] {
    return this.providers.map((provider) => provider.name);
  }

  get(name: string): RegisteredProvider {
    const found = this.byName.get(name);
    if (!found) {
      throw new AtomlabError(`provider "${name}" is not available in this version of atomlab`, {
        code: 'BAD_INPUT',
        hint: `available providers: ${this.names().join(', ') || 'none'}`,
        context: { provider: name },
      });
    }
    return found;
  }

  load(name: string, options: Record<string, unknown> = {}, context?: ProviderContext): Promise<Provider> {
    return this.get(name).create(options, context);
  }
}
