export { SEED_TRANSPORTS } from './seed-types.js';
export type { SeedTransport, SeedData, SeedMedium } from './seed-types.js';
export { writeSeed } from './write-seed.js';
export type { WriteSeedRequest } from './write-seed.js';
