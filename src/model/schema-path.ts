import leven from 'leven';
import { z, type ZodTypeAny } from 'zod';

/** Edits this far from a known field name are taken for a typo of it ("cpux" for "cpu"). */
const MAX_TYPO_DISTANCE = 2;

/** Strips the wrappers (default, optional, refinements, transforms) that do not change a value's shape. */
export function unwrap(schema: ZodTypeAny): ZodTypeAny {
  for (;;) {
    if (schema instanceof z.ZodDefault) schema = schema._def.innerType;
    else if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) schema = schema.unwrap();
    else if (schema instanceof z.ZodEffects) schema = schema.innerType();
    else if (schema instanceof z.ZodPipeline) schema = schema._def.in;
    else return schema;
  }
}

/** The known field closest to `key` when it is near enough to be a typo of it. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let distance = Infinity;
  for (const candidate of known) {
    const d = leven(key.toLowerCase(), candidate.toLowerCase());
    if (d < distance) [best, distance] = [candidate, d];
  }
  return distance <= MAX_TYPO_DISTANCE && distance < key.length ? best : undefined;
}

/** The objects a value at this schema may be: one, or each option of a union (`nodes` of a tier). */
function objectsOf(schema: ZodTypeAny): z.AnyZodObject[] {
  const s = unwrap(schema);
  if (s instanceof z.ZodObject) return [s];
  if (s instanceof z.ZodUnion || s instanceof z.ZodDiscriminatedUnion) return (s.options as ZodTypeAny[]).flatMap(objectsOf);
  return [];
}

/** Field names an object at this schema has, or undefined when it is not an object. */
export function fieldsOf(schema: ZodTypeAny): string[] | undefined {
  const objects = objectsOf(schema);
  return objects.length ? [...new Set(objects.flatMap((o) => Object.keys(o.shape)))] : undefined;
}

/** `unknown field "cpux": did you mean "cpu"?`, or the fields there are. */
export function unknownFieldMessage(key: string, known: readonly string[]): string {
  const near = closest(key, known);
  return `unknown field ${JSON.stringify(key)}: ${near ? `did you mean ${JSON.stringify(near)}?` : `use one of ${known.join(', ')}`}`;
}

/** The schema found, or the problem with the path and the path of the field at fault. */
export type SchemaLookup = { readonly schema: ZodTypeAny } | { readonly problem: string; readonly at: readonly string[] };

/**
 * The schema of the value at `keys` inside a value of `root` (`['quota', 'cpu']` in a tier), or
 * what is wrong with the path: an unknown field (with the nearest known one), an index into
 * something that is not a list, a field of a scalar.
 */
export function schemaAt(root: ZodTypeAny, keys: readonly string[]): SchemaLookup {
  let cur = root;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const at = keys.slice(0, i);
    const s = unwrap(cur);
    const objects = objectsOf(s);
    if (objects.length) {
      const owner = objects.find((o) => key in o.shape);
      if (!owner) return { problem: unknownFieldMessage(key, fieldsOf(s)!), at: keys.slice(0, i + 1) };
      cur = owner.shape[key];
    } else if (s instanceof z.ZodRecord) {
      if (!s.keySchema.safeParse(key).success) return { problem: `${JSON.stringify(key)} is not a valid name here`, at };
      cur = s.valueSchema;
    } else if (s instanceof z.ZodArray) {
      if (!/^\d+$/.test(key)) return { problem: 'is a list: give an item by its index (0, 1, ...) or the whole list as JSON', at };
      cur = s.element;
    } else if (s instanceof z.ZodUnknown || s instanceof z.ZodAny) {
      return { schema: s };
    } else {
      return { problem: `is a single value and has no field ${JSON.stringify(key)}`, at };
    }
  }
  return { schema: cur };
}

/**
 * Turns a command-line string into the type the schema wants at that place: numbers where it
 * wants numbers (`quota.pods=40`), the text itself where it wants text (`quota.cpu=2`, a
 * Kubernetes quantity), `true`/`false` for booleans, and JSON for lists and objects
 * (`instanceTypes='["m6i.2xlarge","m7i.2xlarge"]'`). A value that does not fit is passed on as
 * text, so the schema reports it with its usual message.
 */
export function coerce(schema: ZodTypeAny | undefined, raw: string): unknown {
  const s = schema && unwrap(schema);
  if (s instanceof z.ZodString || s instanceof z.ZodEnum) return raw;
  if (s instanceof z.ZodNumber) return raw.trim() !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  if (s instanceof z.ZodBoolean) return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (s instanceof z.ZodLiteral) return typeof s.value === 'number' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  // Lists, objects, unions and unknown places take JSON; anything else is text.
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/** The schema's default for the value at `keys`, if it declares one. */
export function defaultAt(root: ZodTypeAny, keys: readonly string[]): unknown {
  const found = schemaAt(root, keys);
  return 'schema' in found && found.schema instanceof z.ZodDefault ? (found.schema._def.defaultValue() as unknown) : undefined;
}

/**
 * Checks one answer against the schema of its field alone (typed as `coerce` types it), for a
 * prompt to re-ask with the same message a file would get; undefined when it passes.
 */
export function fieldProblem(root: ZodTypeAny, keys: readonly string[], raw: string): string | undefined {
  const found = schemaAt(root, keys);
  if (!('schema' in found)) return found.problem;
  const result = found.schema.safeParse(coerce(found.schema, raw));
  return result.success ? undefined : result.error.issues[0].message;
}
