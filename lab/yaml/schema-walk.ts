import { z } from 'zod';
import type { PathSegment } from './locate.js';

/** Unwraps optional, default, nullable and pipe wrappers to the schema that holds the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable || current instanceof z.ZodDefault) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/** How well an object schema fits a mapping: a matching discriminator counts most, then shared keys. */
function fitScore(option: z.ZodObject, value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  const shape = option.shape as Record<string, z.ZodType>;
  let score = 0;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const field = shape[key];
    if (!field) continue;
    score += field instanceof z.ZodLiteral && field.values.has(item as never) ? 100 : 1;
    if (field instanceof z.ZodEnum && (field.options as unknown[]).includes(item)) score += 100;
  }
  return score;
}

/** The branch of a union that fits a value best (a mapping picks the best-fitting object branch). */
function branchFor(schema: z.ZodType, value: unknown): z.ZodType | undefined {
  const inner = unwrap(schema);
  if (!(inner instanceof z.ZodUnion)) return inner;
  const options = (inner.options as z.ZodType[]).flatMap((option) => {
    const unwrapped = unwrap(option);
    return unwrapped instanceof z.ZodUnion ? (unwrapped.options as z.ZodType[]).map(unwrap) : [unwrapped];
  });
  if (Array.isArray(value)) return options.find((option) => option instanceof z.ZodArray);
  const objects = options.filter((option): option is z.ZodObject => option instanceof z.ZodObject);
  return objects.sort((a, b) => fitScore(b, value) - fitScore(a, value))[0] ?? options[0];
}

function child(schema: z.ZodType, segment: PathSegment, value: unknown): z.ZodType | undefined {
  const inner = branchFor(schema, value);
  if (inner instanceof z.ZodObject) return (inner.shape as Record<string, z.ZodType>)[String(segment)];
  if (inner instanceof z.ZodArray) return inner.element as z.ZodType;
  if (inner instanceof z.ZodRecord) return inner.valueType as z.ZodType;
  return undefined;
}

/** The keys an object schema allows at `path`, for "did you mean" hints. */
export function allowedKeys(schema: z.ZodType, path: readonly PathSegment[], data: unknown): string[] {
  let current: z.ZodType | undefined = schema;
  let value = data;
  for (const segment of path) {
    if (!current) return [];
    current = child(current, segment, value);
    value = value !== null && typeof value === 'object' ? (value as Record<PathSegment, unknown>)[segment] : undefined;
  }
  const inner = current ? branchFor(current, value) : undefined;
  return inner instanceof z.ZodObject ? Object.keys(inner.shape as object) : [];
}
