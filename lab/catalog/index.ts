export { loadCatalog, catalogEntry } from './load-catalog.js';
export type { Catalog } from './load-catalog.js';
export { renderCatalog } from './render-catalog.js';
export { CatalogEntrySchema } from './catalog-schema.js';
export type { CatalogEntry } from './catalog-schema.js';
