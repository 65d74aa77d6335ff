/**
 * One model of the synthesized Terraform JSON (cdk.tf.json): its blocks, its addresses and its
 * references (`${type.name.attr}`, `${data.type.name.attr}`). The guardrails, the local runner, plan
 * review and the tests read cdk.tf.json through this module, so "what is an address" and "does this
 * value refer to that resource" have one answer.
 */

import { decodeJsonencode, isJsonencode } from "./hcl-expression";

/** A block's configuration: attribute → value, as cdk.tf.json holds it. */
export type BlockConfig = Readonly<Record<string, unknown>>;

/** Blocks of one kind by type, then by name (`resource.aws_s3_bucket.movie_infos_bucket`). */
export type BlocksByType = Readonly<Record<string, Readonly<Record<string, BlockConfig>>>>;

/** A synthesized stack, as `JSON.parse` of its cdk.tf.json gives it. */
export interface TerraformJson {
  readonly resource?: BlocksByType;
  readonly data?: BlocksByType;
  readonly output?: Readonly<Record<string, { readonly value: unknown; readonly description?: string }>>;
  readonly variable?: Readonly<Record<string, BlockConfig>>;
  readonly module?: Readonly<Record<string, BlockConfig>>;
  /** By provider name, each a list of configurations (aliases). */
  readonly provider?: Readonly<Record<string, readonly BlockConfig[]>>;
  readonly terraform?: BlockConfig;
  readonly locals?: BlockConfig;
  readonly [block: string]: unknown;
}

/** A reference to an attribute of a resource or data source. */
export interface Reference {
  /** `data.aws_caller_identity.current` or `aws_s3_bucket.movie_infos_bucket`. */
  readonly address: string;
  readonly data: boolean;
  readonly type: string;
  readonly name: string;
  /** `arn`; undefined when the block is referenced whole. */
  readonly attribute?: string;
}

/** The cdktf metadata key (`"//"`), present at every level; it is not configuration. */
const METADATA = "//";

/** `[data.]type.name.attribute`, the whole of an expression. */
const REFERENCE_EXPRESSION = /^(data\.)?([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)$/;
/** `[data.]type.name[.attribute]` anywhere in an expression (not inside a longer dotted name). */
const REFERENCE_IN_EXPRESSION = /(?<![\w.])(data\.)?([a-z][a-z0-9_]*)\.([a-z0-9_]+)(?:\.([a-z0-9_]+))?/g;
/** `${...}` with no braces inside; `$${` is Terraform's escape for a literal `${`. */
const INTERPOLATION = /(?<!\$)\$\{([^{}]*)\}/g;

function reference(data: string | undefined, type: string, name: string, attribute?: string): Reference {
  return {
    address: `${data ? "data." : ""}${type}.${name}`,
    data: data !== undefined,
    type,
    name,
    ...(attribute !== undefined ? { attribute } : {}),
  };
}

/** One reference expression (`aws_s3_bucket.b.bucket`, `data.aws_region.current.region`), or undefined. */
export function parseReference(expression: string): Required<Reference> | undefined {
  const match = REFERENCE_EXPRESSION.exec(expression.trim());
  if (!match) return undefined;
  const [, data, type, name, attribute] = match as unknown as [
    string,
    string | undefined,
    string,
    string,
    string,
  ];
  return reference(data, type, name, attribute) as Required<Reference>;
}

/** The reference a value is, when the whole value is one `${type.name.attr}`; undefined otherwise. */
export function referenceOf(value: unknown): Required<Reference> | undefined {
  if (typeof value !== "string" || !value.startsWith("${") || !value.endsWith("}")) return undefined;
  return parseReference(value.slice(2, -1));
}

/**
 * A string template whose every interpolation is one plain reference, split into its literal text and
 * those references (`arn:${aws_s3_bucket.b.arn}/uploads` gives `"arn:"`, the reference and
 * `"/uploads"`); undefined when an interpolation is anything else (a function call, an
 * operator), or the string has an escape (`$${`) or a directive (`%{`), or it has no interpolation.
 */
export function templateParts(value: unknown): (string | Required<Reference>)[] | undefined {
  if (typeof value !== "string" || value.includes("$${") || value.includes("%{")) return undefined;
  const parts: (string | Required<Reference>)[] = [];
  let at = 0;
  const text = (literal: string) => (literal.includes("${") ? undefined : literal);
  for (const match of value.matchAll(INTERPOLATION)) {
    const ref = parseReference(match[1] ?? "");
    // A `${` left in the text opens an expression this one sits inside (`${jsonencode({"a" = "${x.y.z}"})}`).
    const before = text(value.slice(at, match.index));
    if (!ref || before === undefined) return undefined;
    if (before) parts.push(before);
    parts.push(ref);
    at = match.index + match[0].length;
  }
  const after = text(value.slice(at));
  if (at === 0 || after === undefined) return undefined;
  if (after) parts.push(after);
  return parts;
}

/**
 * Every reference inside the `${...}` interpolations of a value: in strings, lists and objects, deeply,
 * and inside a `${jsonencode(...)}` argument.
 */
export function referencesIn(value: unknown): Reference[] {
  if (isJsonencode(value)) return referencesIn(decodeJsonencode(value));
  if (Array.isArray(value)) return value.flatMap((v) => referencesIn(v));
  if (isObject(value)) return Object.values(value).flatMap((v) => referencesIn(v));
  if (typeof value !== "string") return [];
  const found: Reference[] = [];
  for (const [, expression = ""] of value.matchAll(INTERPOLATION)) {
    for (const [, data, type = "", name = "", attribute] of expression.matchAll(REFERENCE_IN_EXPRESSION)) {
      found.push(reference(data, type, name, attribute));
    }
  }
  return found;
}

/** True when `value` refers to `address` (`${aws_s3_bucket.x.arn}/*` refers to `aws_s3_bucket.x`). */
export function refersTo(value: unknown, address: string): boolean {
  return referencesIn(value).some((ref) => ref.address === address);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A nested block's instances: cdktf writes a nested block as one object or as a list of them. */
export function nestedBlocks(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/**
 * The addresses of one stack and their configuration: `type.name` for resources, `data.type.name`,
 * `output.name`, `var.name`, `module.name`, `provider.name`, and `terraform` / `locals` as a whole.
 */
export function addressesOf(json: TerraformJson): Map<string, unknown> {
  const result = new Map<string, unknown>();
  for (const [block, body] of Object.entries(json)) {
    if (block === METADATA) continue;
    const entries = isObject(body) ? Object.entries(body).filter(([key]) => key !== METADATA) : [];
    switch (block) {
      case "resource":
      case "data":
        for (const [type, byName] of entries) {
          for (const [name, config] of Object.entries(isObject(byName) ? byName : {})) {
            result.set(`${block === "data" ? "data." : ""}${type}.${name}`, config);
          }
        }
        break;
      case "output":
      case "module":
      case "provider":
        for (const [name, config] of entries) result.set(`${block}.${name}`, config);
        break;
      case "variable":
        for (const [name, config] of entries) result.set(`var.${name}`, config);
        break;
      default:
        result.set(block, body);
    }
  }
  return result;
}

/** The addresses of the resources and data sources of a stack, sorted (`aws_x.y`, `data.aws_x.y`). */
export function resourceAddresses(json: TerraformJson): string[] {
  return [...addressesOf({ resource: json.resource ?? {}, data: json.data ?? {} }).keys()].sort();
}
