export { capacityOf, memoryReserveMiB, CPU_OVERCOMMIT } from './capacity.js';
export type { Capacity, Declared } from './capacity.js';
export { checkFit } from './fit.js';
export type { Demand, Shortfall } from './fit.js';
export { placeVms } from './place-vms.js';
export type { Placement, PlaceRequest, PlaceResult } from './place-vms.js';
