/**
 * fast-check parameters for a property test: `defaultRuns` in `npm test`, more with
 * ATOMLAB_PROPERTY_RUNS=20000; replay a reported failure with ATOMLAB_PROPERTY_SEED=… and
 * ATOMLAB_PROPERTY_PATH=… (both printed by fast-check).
 */
export function propertyParameters(defaultRuns: number): { numRuns: number; seed?: number; path?: string } {
  const seed = process.env.ATOMLAB_PROPERTY_SEED;
  return {
    numRuns: Number(process.env.ATOMLAB_PROPERTY_RUNS ?? defaultRuns),
    ...(seed === undefined ? {} : { seed: Number(seed) }),
    ...(process.env.ATOMLAB_PROPERTY_PATH === undefined ? {} : { path: process.env.ATOMLAB_PROPERTY_PATH }),
  };
}
