import { z } from "zod";
import { INT32_MAX, isStorableText, lenientInteger, uidKeyOf } from "../services/domain";

/**
 * Field validators for command inputs. Each reports exactly one text on failure, the
 * original server's text for that field; a command's schema lists its fields in the
 * original's check order, and the first failure wins (protocol.md §2, §6).
 */

export interface FieldTexts {
  /** Reported when the field is absent or null (and, with emptyIsLack, PHP-empty). */
  lack?: string;
  /** Reported for a wrong type or a value out of range. */
  invalid: string;
}

export { lenientInteger };

/**
 * What a field accepts, as JSON Schema (the OpenAPI document reads it): every field is one
 * lenient transform, whose accepted input zod cannot see, so each helper says it.
 */
type FieldSchema = Record<string, unknown>;

/** The integer fields also read a string of digits (as the original PHP did): said once, here. */
const INTEGER_NOTE = "an integer; a string of digits is read as one";

function integerSchema(min: number, max: number, values?: readonly number[]): FieldSchema {
  if (values) return { type: "integer", enum: [...values], description: INTEGER_NOTE };
  return { type: "integer", ...(min > -INT32_MAX ? { minimum: min } : {}), ...(max < INT32_MAX ? { maximum: max } : {}), description: INTEGER_NOTE };
}

function stringSchema(options: StringOptions): FieldSchema {
  const minLength = options.nonEmpty || options.emptyIsLack ? 1 : undefined;
  const maxLength = options.maxLength ?? (options.maxBytes === undefined ? undefined : options.maxBytes);
  return { type: "string", ...(minLength ? { minLength } : {}), ...(maxLength === undefined ? {} : { maxLength }) };
}

/** The JSON Schema of what a zod schema accepts, without the dialect line (for embedding). */
export function acceptedJsonSchema(schema: z.ZodType): FieldSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as FieldSchema;
  return rest;
}

/** PHP's empty(): what the original treated as a missing value. */
export function phpEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === false || value === 0 || value === "" || value === "0";
}

const absent = (value: unknown) => value === undefined || value === null;

// Optional fields end in .optional(): zod rejects a missing key whose schema is not
// optional, whatever its transform would return.

/** Fails a transform with one text (the field's). */
export function reject(ctx: z.RefinementCtx, message: string | undefined): never {
  ctx.addIssue({ code: "custom", message: message ?? "invalid input" });
  return z.NEVER;
}

interface IntOptions {
  min?: number;
  max?: number;
  /** PHP-empty values (0, "", "0") count as missing. */
  emptyIsLack?: boolean;
}

/** A required integer. */
export function int(texts: FieldTexts, options: IntOptions = {}) {
  const { min = -INT32_MAX, max = INT32_MAX } = options;
  return z
    .unknown()
    .transform((value, ctx): number => {
      if (absent(value) || (options.emptyIsLack && phpEmpty(value))) return reject(ctx, texts.lack ?? texts.invalid);
      const n = lenientInteger(value);
      if (n === undefined || n < min || n > max) return reject(ctx, texts.invalid);
      return n;
    })
    .meta(integerSchema(min, max));
}

interface OptionalIntOptions extends Omit<IntOptions, "emptyIsLack"> {
  /** 0 means "not given" (the original's default of some optional fields). */
  zeroIsAbsent?: boolean;
}

/** An optional integer: absent or null gives undefined. */
export function optionalInt(texts: FieldTexts, options: OptionalIntOptions = {}) {
  const { min = -INT32_MAX, max = INT32_MAX } = options;
  return z
    .unknown()
    .transform((value, ctx): number | undefined => {
      if (absent(value)) return undefined;
      const n = lenientInteger(value);
      if (n === undefined || n < min || n > max) return reject(ctx, texts.invalid);
      return n === 0 && options.zeroIsAbsent ? undefined : n;
    })
    .meta(integerSchema(min, max))
    .optional();
}

interface PresenceOptions {
  /** Inside objects the original tested the key (array_key_exists): a null value is present, and invalid. */
  nullIsInvalid?: boolean;
}

const missing = (value: unknown, options: PresenceOptions) => value === undefined || (value === null && !options.nullIsInvalid);

/** An integer restricted to a set of values (role, operate, state…). */
export function oneOf<const T extends readonly number[]>(texts: FieldTexts, values: T, options: PresenceOptions = {}) {
  return z
    .unknown()
    .transform((value, ctx): T[number] => {
      if (missing(value, options)) return reject(ctx, texts.lack ?? texts.invalid);
      const n = lenientInteger(value);
      if (n === undefined || !values.includes(n)) return reject(ctx, texts.invalid);
      return n;
    })
    .meta(integerSchema(0, 0, values));
}

interface StringOptions extends PresenceOptions {
  /** PHP-empty values ("", "0") count as missing. */
  emptyIsLack?: boolean;
  /** An empty string is invalid. */
  nonEmpty?: boolean;
  /** In characters (code points, as PostgreSQL's varchar counts them). */
  maxLength?: number;
  /** The same limit on the case-folded form (uidKeyOf): folding can lengthen a string ("İ" → "i̇"). */
  maxFoldedLength?: number;
  maxBytes?: number;
  /** Control characters are invalid. */
  printable?: boolean;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export { isStorableText };

const codePoints = (value: string) => [...value].length;

function checkString(value: string, options: StringOptions): boolean {
  if (!isStorableText(value)) return false;
  if (options.nonEmpty && value.length === 0) return false;
  if (options.maxLength !== undefined && codePoints(value) > options.maxLength) return false;
  if (options.maxFoldedLength !== undefined && codePoints(uidKeyOf(value)) > options.maxFoldedLength) return false;
  if (options.maxBytes !== undefined && Buffer.byteLength(value, "utf8") > options.maxBytes) return false;
  if (options.printable && CONTROL_CHARS.test(value)) return false;
  return true;
}

/** A required string. */
export function str(texts: FieldTexts, options: StringOptions = {}) {
  return z
    .unknown()
    .transform((value, ctx): string => {
      if (missing(value, options) || (options.emptyIsLack && phpEmpty(value))) return reject(ctx, texts.lack ?? texts.invalid);
      if (typeof value !== "string" || !checkString(value, options)) return reject(ctx, texts.invalid);
      return value;
    })
    .meta(stringSchema(options));
}

/** An optional string: absent or null gives undefined. */
export function optionalStr(texts: FieldTexts, options: StringOptions = {}) {
  return z
    .unknown()
    .transform((value, ctx): string | undefined => {
      if (absent(value)) return undefined;
      if (typeof value !== "string" || !checkString(value, options)) return reject(ctx, texts.invalid);
      return value;
    })
    .meta(stringSchema(options))
    .optional();
}

/** A required JSON object validated by `shape` (its fields' own texts apply inside). */
export function obj<S extends z.ZodRawShape>(texts: FieldTexts, shape: S) {
  const inner = z.object(shape);
  return z
    .unknown()
    .transform((value, ctx): Record<string, unknown> => {
      if (absent(value)) return reject(ctx, texts.lack ?? texts.invalid);
      if (typeof value !== "object") return reject(ctx, texts.invalid);
      // A JSON list is a PHP array too: it passes as an object and lacks the named keys.
      return Array.isArray(value) ? {} : (value as Record<string, unknown>);
    })
    .pipe(inner)
    .meta(acceptedJsonSchema(inner));
}

/** The first validation text of a failed parse. */
export function firstIssueText(error: z.ZodError): string {
  return error.issues[0]?.message ?? "invalid input";
}

/**
 * Two schemas checked one after the other: the second (and any cross-field rule of the
 * first) only once the first passed, keeping the original's check order.
 */
export function inOrder<A extends z.ZodObject, B extends z.ZodObject>(first: A, second: B) {
  return ordered<z.output<A> & z.output<B>>(first, second, () => true);
}

/** As inOrder, but the second schema applies only when `when` holds of the first's output (e.g. one event type's fields). */
export function inOrderWhen<A extends z.ZodObject, B extends z.ZodObject>(first: A, second: B, when: (firstOutput: z.output<A>) => boolean) {
  return ordered<z.output<A> & Partial<z.output<B>>>(first, second, (output) => when(output as z.output<A>), false);
}

function ordered<O>(first: z.ZodObject, second: z.ZodObject, when: (firstOutput: unknown) => boolean, secondAlways = true) {
  const schema = z
    .unknown()
    .transform((value, ctx): O => {
      const a = first.safeParse(value);
      if (!a.success) return reject(ctx, firstIssueText(a.error));
      if (!when(a.data)) return a.data as O;
      const b = second.safeParse(value);
      if (!b.success) return reject(ctx, firstIssueText(b.error));
      return { ...a.data, ...b.data } as O;
    })
    .meta(mergedObjectSchema(acceptedJsonSchema(first), acceptedJsonSchema(second), secondAlways));
  ORDERED_FIELDS.set(schema, [...Object.keys(first.shape), ...Object.keys(second.shape)]);
  return schema;
}

/** One object schema of two checked in turn (the second's fields required only when it always applies). */
function mergedObjectSchema(first: FieldSchema, second: FieldSchema, secondAlways: boolean): FieldSchema {
  const required = [...((first.required as string[] | undefined) ?? []), ...(secondAlways ? ((second.required as string[] | undefined) ?? []) : [])];
  return { type: "object", properties: { ...(first.properties as object), ...(second.properties as object) }, ...(required.length ? { required } : {}) };
}

const ORDERED_FIELDS = new WeakMap<z.ZodType, string[]>();

/** Declares the input fields of a schema written as one transform (the fuzz test reads them). */
export function withFieldNames<S extends z.ZodType>(schema: S, names: readonly string[]): S {
  const described = schema.meta({ type: "object", properties: Object.fromEntries(names.map((name) => [name, {}])) });
  ORDERED_FIELDS.set(described, [...names]);
  return described;
}

/** The input fields a command declares (its schema's keys): the fuzz test reads them from every command. */
export function fieldNames(schema: z.ZodType): string[] {
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  return ORDERED_FIELDS.get(schema) ?? [];
}

/** Paging fields of the list commands (index ≥ 0, size 0..50). */
export const pagingFields = (texts: { index: FieldTexts; size: FieldTexts }, maxSize: number) => ({
  index: int(texts.index, { min: 0 }),
  size: int(texts.size, { min: 0, max: maxSize }),
});

/** An optional integer restricted to a set of values. */
export function optionalOneOf<const T extends readonly number[]>(texts: FieldTexts, values: T) {
  return z
    .unknown()
    .transform((value, ctx): T[number] | undefined => {
      if (absent(value)) return undefined;
      const n = lenientInteger(value);
      if (n === undefined || !values.includes(n)) return reject(ctx, texts.invalid);
      return n;
    })
    .meta(integerSchema(0, 0, values))
    .optional();
}

/** A required string out of a fixed set, compared exactly (e.g. "GET" | "POST"). */
export function strOneOf<const T extends readonly string[]>(texts: FieldTexts, values: T) {
  return z
    .unknown()
    .transform((value, ctx): T[number] => {
      if (absent(value)) return reject(ctx, texts.lack ?? texts.invalid);
      if (typeof value !== "string" || !values.includes(value)) return reject(ctx, texts.invalid);
      return value;
    })
    .meta({ type: "string", enum: [...values] });
}

/** A required JSON object of any keys (a JSON list reads as an empty one, as PHP arrays did). */
export function anyObject(texts: FieldTexts) {
  return z
    .unknown()
    .transform((value, ctx): Record<string, unknown> => {
      if (absent(value)) return reject(ctx, texts.lack ?? texts.invalid);
      if (typeof value !== "object") return reject(ctx, texts.invalid);
      return Array.isArray(value) ? { ...(value as unknown[]) } : (value as Record<string, unknown>);
    })
    .meta({ type: "object" });
}
