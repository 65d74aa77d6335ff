/**
 * JSON Schema draft-04 validation the way API Gateway does it for REST API models. API Gateway validates
 * with the Java json-schema-validator (fge); `$context.error.validationErrorString` is that validator's
 * messages as a Java list (`[message, message]`). This module reproduces its rules and its words:
 *
 * - a number written with a fraction or exponent (`1.0`) is a "number", never an "integer" (Jackson);
 * - the keywords of one schema run in alphabetical order, each only on the instance types it applies to;
 * - children (object members in sorted name order, array elements) are only visited while no error has
 *   been reported anywhere yet, so one bad field hides problems deeper in later fields, as on AWS;
 * - `anyOf`, `allOf`, `oneOf` and `not` report one message of their own, not their branches' messages.
 *
 * `format` is not checked (fge only warns for most formats); `$ref` follows `#/...` pointers and
 * `.../models/<Name>` references to the API's other models.
 */

/** A JSON number with its source text: `1.0` stays a "number" for `type`, as Jackson parses it. */
export class JsonNumber {
  constructor(
    readonly text: string,
    readonly value: number,
  ) {}
  /** Written without fraction or exponent: Jackson's integral nodes. */
  get integral(): boolean {
    return /^-?\d+$/.test(this.text);
  }
}

/** A parsed request body: objects as Maps (no prototype keys), numbers with their source text. */
export type Json = null | boolean | string | JsonNumber | Json[] | Map<string, Json>;

/** The body is not JSON; `message` says where, like a parser would. */
export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
}

/** Parses JSON text keeping each number's source text (JSON.parse would turn `1.0` into `1`). */
export function parseJson(text: string): Json {
  let at = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${at >= text.length ? "Unexpected end of input" : what} at position ${at}`);
  };
  const space = () => {
    while (at < text.length && " \t\r\n".includes(text[at] as string)) at++;
  };
  const literal = (word: string, value: Json): Json => {
    if (text.startsWith(word, at)) {
      at += word.length;
      return value;
    }
    return fail(`Unexpected character '${text[at]}'`);
  };
  const string = (): string => {
    const match = /^"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/.exec(text.slice(at));
    if (!match) return fail("Unterminated or invalid string");
    at += match[0].length;
    return JSON.parse(match[0]) as string;
  };
  const value = (): Json => {
    space();
    const c = text[at];
    if (c === "{") return object();
    if (c === "[") return array();
    if (c === '"') return string();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) return fail(c === undefined ? "Unexpected end of input" : `Unexpected character '${c}'`);
    at += match[0].length;
    return new JsonNumber(match[0], Number(match[0]));
  };
  const array = (): Json[] => {
    const items: Json[] = [];
    at++;
    space();
    if (text[at] === "]") return (at++, items);
    for (;;) {
      items.push(value());
      space();
      if (text[at] === "]") return (at++, items);
      if (text[at] !== ",") fail("Expected ',' or ']'");
      at++;
    }
  };
  const object = (): Map<string, Json> => {
    const members = new Map<string, Json>();
    at++;
    space();
    if (text[at] === "}") return (at++, members);
    for (;;) {
      space();
      if (text[at] !== '"') fail("Expected a double-quoted property name");
      const key = string();
      space();
      if (text[at] !== ":") fail("Expected ':'");
      at++;
      members.set(key, value());
      space();
      if (text[at] === "}") return (at++, members);
      if (text[at] !== ",") fail("Expected ',' or '}'");
      at++;
    }
  };
  const result = value();
  space();
  if (at < text.length) fail(`Unexpected character '${text[at]}' after the JSON value`);
  return result;
}

/** A schema as its JSON (draft-04). */
export type Schema = Readonly<Record<string, unknown>>;

/** Finds the schema a `$ref` names; undefined when it names nothing known. */
export type RefResolver = (ref: string, root: Schema) => { schema: Schema; root: Schema } | undefined;

/** fge's type names, in its order (the `allowed` list prints in this order). */
const TYPES = ["array", "boolean", "integer", "null", "number", "object", "string"] as const;

function typeOf(value: Json): (typeof TYPES)[number] {
  if (value === null) return "null";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "string") return "string";
  if (value instanceof JsonNumber) return value.integral ? "integer" : "number";
  return Array.isArray(value) ? "array" : "object";
}

/** Jackson's `toString` of a node: compact JSON, numbers as written. */
export function jsonText(value: Json | unknown): string {
  if (value instanceof JsonNumber) return value.text;
  if (value instanceof Map) {
    return `{${[...value].map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(",")}}`;
  }
  if (Array.isArray(value)) return `[${value.map((v) => jsonText(v)).join(",")}]`;
  return JSON.stringify(value) ?? "null";
}

/** Structural equality, numbers by value (fge's JsonNumEquivalence). */
function jsonEqual(a: unknown, b: unknown): boolean {
  const num = (v: unknown) => (v instanceof JsonNumber ? v.value : v);
  if (typeof num(a) === "number" || typeof num(b) === "number") return num(a) === num(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  const entries = (v: unknown) =>
    v instanceof Map
      ? [...v]
      : v && typeof v === "object" && !Array.isArray(v)
        ? Object.entries(v)
        : undefined;
  const ea = entries(a);
  const eb = entries(b);
  if (ea && eb) {
    const mb = new Map(eb);
    return ea.length === eb.length && ea.every(([k, v]) => mb.has(k) && jsonEqual(v, mb.get(k)));
  }
  return a === b;
}

/** ECMA 262 regex, `find` semantics (not anchored), as fge's RegexECMA262Helper.regMatch. */
function regexFinds(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    return new RegExp(pattern).test(value);
  }
}

const codePoints = (s: string) => [...s].length;

interface Context {
  readonly root: Schema;
  readonly resolveRef: RefResolver;
  /** The report: every message so far, in order. */
  readonly messages: string[];
}

type Keyword = (schema: Schema, value: Json, ctx: Context) => string | undefined;

const numberOf = (v: unknown) => (typeof v === "number" ? v : Number(v));

/** A keyword on the size of the instance: array length, string length in code points, member count. */
function sizeRule(
  type: "array" | "string" | "object",
  keyword: string,
  message: (size: number, limit: number, value: Json) => string | undefined,
): { types: readonly string[]; check: Keyword } {
  const sizeOf = (v: Json) =>
    type === "array"
      ? (v as Json[]).length
      : type === "string"
        ? codePoints(v as string)
        : (v as Map<string, Json>).size;
  return { types: [type], check: (s, v) => message(sizeOf(v), numberOf(s[keyword]), v) };
}

/** The keywords that produce messages, by the instance types they apply to (fge's digesters). */
const KEYWORDS: Readonly<Record<string, { types: readonly string[]; check: Keyword }>> = {
  additionalItems: {
    types: ["array"],
    check: (s, v) => {
      if (s.additionalItems !== false || !Array.isArray(s.items)) return undefined;
      const size = (v as Json[]).length;
      const allowed = s.items.length;
      return size > allowed
        ? `schema only allows ${allowed} elements in array but instance has ${size} elements`
        : undefined;
    },
  },
  additionalProperties: {
    types: ["object"],
    check: (s, v) => {
      if (s.additionalProperties !== false) return undefined;
      const known = Object.keys((s.properties as object | undefined) ?? {});
      const patterns = Object.keys((s.patternProperties as object | undefined) ?? {});
      const unwanted = [...(v as Map<string, Json>).keys()]
        .filter((k) => !known.includes(k) && !patterns.some((p) => regexFinds(p, k)))
        .sort();
      return unwanted.length > 0
        ? `object instance has properties which are not allowed by the schema: ${jsonText(unwanted)}`
        : undefined;
    },
  },
  allOf: { types: TYPES, check: (s, v, ctx) => combined(s.allOf, v, ctx, "allOf") },
  anyOf: { types: TYPES, check: (s, v, ctx) => combined(s.anyOf, v, ctx, "anyOf") },
  dependencies: { types: ["object"], check: dependencies },
  enum: {
    types: TYPES,
    check: (s, v) =>
      Array.isArray(s.enum) && !s.enum.some((e) => jsonEqual(e, v))
        ? `instance value (${jsonText(v)}) not found in enum (possible values: ${jsonText(s.enum)})`
        : undefined,
  },
  maxItems: sizeRule("array", "maxItems", (size, limit) =>
    size > limit
      ? `array is too long: must have at most ${limit} elements but instance has ${size} elements`
      : undefined,
  ),
  maxLength: sizeRule("string", "maxLength", (size, limit, v) =>
    size > limit
      ? `string "${v as string}" is too long (length: ${size}, maximum allowed: ${limit})`
      : undefined,
  ),
  maxProperties: sizeRule("object", "maxProperties", (size, limit) =>
    size > limit
      ? `object has too many properties (found ${size} but schema requires at most ${limit})`
      : undefined,
  ),
  maximum: { types: ["integer", "number"], check: (s, v) => bound(s, v as JsonNumber, "maximum") },
  minItems: sizeRule("array", "minItems", (size, limit) =>
    size < limit
      ? `array is too short: must have at least ${limit} elements but instance has ${size} elements`
      : undefined,
  ),
  minLength: sizeRule("string", "minLength", (size, limit, v) =>
    size < limit
      ? `string "${v as string}" is too short (length: ${size}, required minimum: ${limit})`
      : undefined,
  ),
  minProperties: sizeRule("object", "minProperties", (size, limit) =>
    size < limit
      ? `object has too few properties (found ${size} but schema requires at least ${limit})`
      : undefined,
  ),
  minimum: { types: ["integer", "number"], check: (s, v) => bound(s, v as JsonNumber, "minimum") },
  multipleOf: {
    types: ["integer", "number"],
    check: (s, v) => {
      const n = v as JsonNumber;
      const quotient = n.value / numberOf(s.multipleOf);
      return Math.abs(quotient - Math.round(quotient)) > 1e-9
        ? `remainder of division is not zero (${n.text} / ${jsonText(s.multipleOf)})`
        : undefined;
    },
  },
  not: {
    types: TYPES,
    check: (s, v, ctx) =>
      s.not && branchMessages(s.not as Schema, v, ctx).length === 0
        ? "instance matched a schema which it should not have"
        : undefined,
  },
  oneOf: { types: TYPES, check: (s, v, ctx) => combined(s.oneOf, v, ctx, "oneOf") },
  pattern: {
    types: ["string"],
    check: (s, v) =>
      typeof s.pattern === "string" && !regexFinds(s.pattern, v as string)
        ? `ECMA 262 regex "${s.pattern}" does not match input string "${v as string}"`
        : undefined,
  },
  required: {
    types: ["object"],
    check: (s, v) => {
      const missing = ((s.required as string[] | undefined) ?? [])
        .filter((name) => !(v as Map<string, Json>).has(name))
        .sort();
      return missing.length > 0 ? `object has missing required properties (${jsonText(missing)})` : undefined;
    },
  },
  type: {
    types: TYPES,
    check: (s, v) => {
      const declared = new Set(Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]);
      if (declared.has("number")) declared.add("integer");
      const found = typeOf(v);
      return declared.has(found)
        ? undefined
        : `instance type (${found}) does not match any allowed primitive type (allowed: ${jsonText(
            TYPES.filter((t) => declared.has(t)),
          )})`;
    },
  },
  uniqueItems: {
    types: ["array"],
    check: (s, v) => {
      if (s.uniqueItems !== true) return undefined;
      const items = v as Json[];
      return items.some((a, i) => items.slice(i + 1).some((b) => jsonEqual(a, b)))
        ? "array must not contain duplicate elements"
        : undefined;
    },
  },
};

function bound(schema: Schema, value: JsonNumber, keyword: "minimum" | "maximum"): string | undefined {
  const limit = numberOf(schema[keyword]);
  const exclusive = schema[keyword === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"] === true;
  const limitText = jsonText(schema[keyword]);
  const beyond = keyword === "minimum" ? value.value < limit : value.value > limit;
  if (beyond) {
    return keyword === "minimum"
      ? `numeric instance is lower than the required minimum (minimum: ${limitText}, found: ${value.text})`
      : `numeric instance is greater than the required maximum (maximum: ${limitText}, found: ${value.text})`;
  }
  if (value.value !== limit || !exclusive) return undefined;
  return keyword === "minimum"
    ? `numeric instance is not strictly greater than the required minimum ${limitText}`
    : ` numeric instance is not strictly lower than the required maximum ${limitText}`;
}

function dependencies(schema: Schema, value: Json, ctx: Context): string | undefined {
  const members = value as Map<string, Json>;
  const deps = (schema.dependencies as Record<string, unknown> | undefined) ?? {};
  for (const [field, dep] of Object.entries(deps).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!members.has(field)) continue;
    if (Array.isArray(dep)) {
      const missing = (dep as string[]).filter((name) => !members.has(name));
      if (missing.length > 0) {
        ctx.messages.push(
          `property "${field}" of object has missing property dependencies (schema requires ${jsonText(
            dep,
          )}; missing: ${jsonText(missing)})`,
        );
      }
    } else if (dep && typeof dep === "object") {
      visit(dep as Schema, value, ctx);
    }
  }
  return undefined;
}

/** The messages one branch produces on its own report (how fge runs anyOf/allOf/oneOf/not branches). */
function branchMessages(schema: Schema, value: Json, ctx: Context): string[] {
  const sub: Context = { ...ctx, messages: [] };
  visit(schema, value, sub);
  return sub.messages;
}

function combined(
  branches: unknown,
  value: Json,
  ctx: Context,
  keyword: "allOf" | "anyOf" | "oneOf",
): string | undefined {
  if (!Array.isArray(branches)) return undefined;
  const size = branches.length;
  const matched = branches.filter((b) => branchMessages(b as Schema, value, ctx).length === 0).length;
  if (keyword === "anyOf" && matched === 0)
    return `instance failed to match at least one required schema among ${size}`;
  if (keyword === "allOf" && matched !== size) {
    return `instance failed to match all required schemas (matched only ${matched} out of ${size})`;
  }
  if (keyword === "oneOf" && matched !== 1) {
    return `instance failed to match exactly one schema (matched ${matched} out of ${size})`;
  }
  return undefined;
}

/** The schemas that apply to one member of an object (fge's ObjectSchemaSelector). */
function memberSchemas(schema: Schema, name: string): Schema[] {
  const found: Schema[] = [];
  const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
  if (Object.hasOwn(properties, name)) found.push(properties[name] as Schema);
  for (const [pattern, sub] of Object.entries((schema.patternProperties as Record<string, Schema>) ?? {})) {
    if (regexFinds(pattern, name)) found.push(sub);
  }
  if (found.length === 0 && schema.additionalProperties && typeof schema.additionalProperties === "object") {
    found.push(schema.additionalProperties as Schema);
  }
  return found;
}

/** The schemas that apply to one element of an array (fge's ArraySchemaSelector). */
function elementSchemas(schema: Schema, index: number): Schema[] {
  const items = schema.items;
  if (Array.isArray(items)) {
    if (index < items.length) return [items[index] as Schema];
    const additional = schema.additionalItems;
    return additional && typeof additional === "object" ? [additional as Schema] : [];
  }
  return items && typeof items === "object" ? [items as Schema] : [];
}

function visit(schemaIn: Schema, value: Json, ctxIn: Context): void {
  let schema = schemaIn;
  let ctx = ctxIn;
  for (let hops = 0; typeof schema.$ref === "string"; hops++) {
    const target = hops < 32 ? ctx.resolveRef(schema.$ref, ctx.root) : undefined;
    if (!target) throw new Error(`$ref ${schema.$ref} cannot be resolved`);
    schema = target.schema;
    ctx = { ...ctx, root: target.root };
  }
  const type = typeOf(value);
  for (const keyword of Object.keys(schema).sort()) {
    const rule = KEYWORDS[keyword];
    if (!rule || !rule.types.includes(type)) continue;
    const message = rule.check(schema, value, ctx);
    if (message !== undefined) ctx.messages.push(message);
  }
  if (ctx.messages.length > 0) return;
  if (value instanceof Map) {
    for (const name of [...value.keys()].sort()) {
      for (const sub of memberSchemas(schema, name)) visit(sub, value.get(name) as Json, ctx);
    }
  } else if (Array.isArray(value)) {
    value.forEach((element, index) => {
      for (const sub of elementSchemas(schema, index)) visit(sub, element, ctx);
    });
  }
}

/** `#/definitions/x` inside `root`: the JSON pointer part of a reference. */
export function resolvePointer(ref: string, root: Schema): Schema | undefined {
  if (!ref.startsWith("#")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node && typeof node === "object" ? (node as Schema) : undefined;
}

/**
 * The messages API Gateway's validator reports for `value` against `schema`, in its order; empty when
 * the value is valid. `resolveRef` finds other models; pointers within the schema are resolved here.
 */
export function validateDraft4(
  schema: Schema,
  value: Json,
  resolveRef: RefResolver = (ref, root) => {
    const found = resolvePointer(ref, root);
    return found ? { schema: found, root } : undefined;
  },
): string[] {
  const ctx: Context = { root: schema, resolveRef, messages: [] };
  visit(schema, value, ctx);
  return ctx.messages;
}
