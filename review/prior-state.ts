/**
 * Builds a Terraform state (format 4) from a plan, so the next configuration can be planned against it
 * offline: what a first apply of the base configuration would have left, with every value only AWS
 * knows replaced by a stable placeholder. Pure: no files, no Terraform.
 *
 * The rules (measured, see the plan-review docs): computed-only attributes get a placeholder derived
 * from the address and the attribute path (ARN-shaped where the attribute is an ARN; numbers 0, bools
 * false); optional+computed ones stay null, or an empty collection (a null collection reads back as
 * "known after apply"); `id` always gets a placeholder (a null id means "does not exist"). An unknown
 * value whose configuration is made only of references to other resources' attributes (a plain
 * reference, a string template of them, a list or map or `jsonencode` of those) gets what they hold: the
 * referenced attribute's planned value where the plan knows it, else its placeholder, so references
 * line up in one pass. What else is unknown (a function's result, a data source's) converges by
 * planning again: each plan is one more layer known.
 */
import { decodeJsonencode, isJsonencode, terraformJsonString } from "../tooling/hcl-expression";
import { templateParts, type Reference } from "../tooling/terraform-json";
import {
  OFFLINE_ACCOUNT_ID,
  type PlanJson,
  type ProviderSchemas,
  type ResourceChange,
  type SchemaBlock,
} from "./terraform";

/** The provider every resource of this project's stacks uses. */
const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";

type Path = readonly (string | number)[];

/** A value a real apply would have computed: the same for the same address and path, every time. */
export function placeholder(address: string, path: Path, type: unknown): unknown {
  if (type === "number") return 0;
  if (type === "bool") return false;
  if (Array.isArray(type) && (type[0] === "list" || type[0] === "set")) return [];
  if (Array.isArray(type) && type[0] === "map") return {};
  if (Array.isArray(type)) return null;
  const name = String(path.filter((p) => typeof p === "string").at(-1) ?? "");
  const where = [address, ...path.map(String)].join("/");
  if (name === "arn" || name.endsWith("_arn")) {
    return `arn:aws:offline:eu-central-1:${OFFLINE_ACCOUNT_ID}:${where}`;
  }
  return `offline:${where}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The synthesized configuration's resources (`resource.<type>.<name>`), for the reference fill. */
export type ResourceConfigs = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

interface FillContext {
  readonly address: string;
  readonly schemas: ProviderSchemas;
  /** The planned value (`after`) and unknown marks of every managed resource, by address. */
  readonly planned: ReadonlyMap<string, { readonly value: unknown; readonly unknown: unknown }>;
}

function attributeType(schemas: ProviderSchemas, type: string, attribute: string): unknown {
  return schemas.provider_schemas[AWS_PROVIDER]?.resource_schemas[type]?.block.attributes?.[attribute]?.type;
}

/**
 * What a managed resource's attribute holds after the apply the state stands for: its planned value when
 * the plan knows it, else its placeholder. Undefined for a data source's (read during the plan).
 */
function referenced(context: FillContext, ref: Required<Reference>): unknown {
  if (ref.data) return undefined;
  const address = `${ref.type}.${ref.name}`;
  const planned = context.planned.get(address);
  const known = isObject(planned?.value) ? planned.value[ref.attribute] : undefined;
  const unknown = isObject(planned?.unknown) && planned.unknown[ref.attribute] === true;
  if (known !== undefined && known !== null && !unknown) return known;
  return placeholder(address, [ref.attribute], attributeType(context.schemas, ref.type, ref.attribute));
}

/** The argument of a `${jsonencode(...)}` as data, or undefined when it is more than data and references. */
function decodedJsonencode(configured: string): unknown {
  try {
    return decodeJsonencode(configured);
  } catch {
    return undefined;
  }
}

/**
 * The value a configuration made only of references evaluates to ({@link referenced}): `${x.y.arn}`, a
 * template of references and text, a list or map of those, `${jsonencode(...)}` of those. Undefined
 * when any part is something else.
 */
function evaluate(context: FillContext, configured: unknown): unknown {
  if (configured === null || typeof configured === "number" || typeof configured === "boolean")
    return configured;
  if (Array.isArray(configured)) {
    const items = configured.map((item) => evaluate(context, item));
    return items.includes(undefined) ? undefined : items;
  }
  if (isObject(configured)) {
    const entries = Object.entries(configured).filter(([key]) => key !== "//");
    const values = entries.map(([key, item]) => [key, evaluate(context, item)] as const);
    return values.some(([, item]) => item === undefined) ? undefined : Object.fromEntries(values);
  }
  if (isJsonencode(configured)) {
    const value = evaluate(context, decodedJsonencode(configured));
    return value === undefined ? undefined : terraformJsonString(value);
  }
  const parts = templateParts(configured);
  if (!parts) return typeof configured === "string" && !configured.includes("${") ? configured : undefined;
  const values = parts.map((part) => (typeof part === "string" ? part : referenced(context, part)));
  if (values.length === 1) return values[0];
  const text = values.every((v) => typeof v === "string" || typeof v === "number" || typeof v === "boolean");
  return text ? values.join("") : undefined;
}

/**
 * What a configured value evaluates to ({@link evaluate}) when it has an interpolation (`${...}`) anywhere in
 * it; undefined for a literal, which the provider itself left unknown.
 */
function fromReferences(context: FillContext, configured: unknown): unknown {
  const interpolated = configured !== undefined && JSON.stringify(configured).includes("${");
  return interpolated ? evaluate(context, configured) : undefined;
}

/** What an unknown attribute becomes: what its references hold, a computed value's placeholder, or null/empty. */
function unknownValue(
  context: FillContext,
  path: Path,
  attribute: { type?: unknown; optional?: boolean; computed?: boolean },
  configured: unknown,
): unknown {
  // A value made only of references (`${aws_iam_role.x.arn}`, `${aws_x.y.arn}/*`): filled before planning.
  const evaluated = fromReferences(context, configured);
  if (evaluated !== undefined) return evaluated;
  const name = path.at(-1);
  const computedOnly = attribute.computed === true && attribute.optional !== true;
  if (computedOnly || (path.length === 1 && name === "id"))
    return placeholder(context.address, path, attribute.type);
  const type = attribute.type;
  if (Array.isArray(type) && (type[0] === "list" || type[0] === "set")) return [];
  if (Array.isArray(type) && type[0] === "map") return {};
  return null;
}

/**
 * Fills the unknown values of one object of `block` (the planned `after`, with `after_unknown` marking
 * what is unknown), following nested blocks; `configured` is the same object in the synthesized JSON.
 */
function fillBlock(
  context: FillContext,
  block: SchemaBlock,
  value: unknown,
  unknown: unknown,
  configured: unknown,
  path: Path,
): Record<string, unknown> {
  const known = isObject(value) ? value : {};
  const marks = isObject(unknown) ? unknown : {};
  const config = isObject(configured) ? configured : {};
  const result: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) {
    const here = [...path, name];
    if (marks[name] === true) result[name] = unknownValue(context, here, attribute, config[name]);
    else result[name] = fillNested(known[name], marks[name], here, context, config[name]);
  }
  for (const [name, nested] of Object.entries(block.block_types ?? {})) {
    const here = [...path, name];
    const items = known[name];
    const itemMarks = marks[name];
    const itemConfig = config[name];
    if (nested.nesting_mode === "single" || nested.nesting_mode === "group") {
      result[name] =
        items === null || items === undefined
          ? null
          : fillBlock(context, nested.block, items, itemMarks, itemConfig, here);
    } else if (nested.nesting_mode === "map") {
      const entries = isObject(items) ? Object.entries(items) : [];
      result[name] = Object.fromEntries(
        entries.map(([key, item]) => [
          key,
          fillBlock(
            context,
            nested.block,
            item,
            isObject(itemMarks) ? itemMarks[key] : undefined,
            undefined,
            [...here, key],
          ),
        ]),
      );
    } else {
      const list = Array.isArray(items) ? items : [];
      const configs = Array.isArray(itemConfig) ? itemConfig : [itemConfig];
      result[name] = list.map((item, i) =>
        fillBlock(
          context,
          nested.block,
          item,
          Array.isArray(itemMarks) ? itemMarks[i] : undefined,
          configs[i],
          [...here, i],
        ),
      );
    }
  }
  return result;
}

/**
 * An unknown item of a known collection: what its configuration's references hold (a list whose item
 * is `${aws_sns_topic.alerts.arn}`), else a placeholder for its path.
 */
function unknownItem(context: FillContext, path: Path, configured: unknown): unknown {
  return fromReferences(context, configured) ?? placeholder(context.address, path, "string");
}

/**
 * Unknown values inside a known collection attribute (a list of strings with one reference in it);
 * `configured` is the same collection in the synthesized JSON. A list's items line up with the
 * configuration's only when both have as many.
 */
function fillNested(
  value: unknown,
  marks: unknown,
  path: Path,
  context: FillContext,
  configured: unknown,
): unknown {
  if (marks === undefined || marks === false || value === undefined) return value ?? null;
  if (Array.isArray(value) && Array.isArray(marks)) {
    const configs = Array.isArray(configured) && configured.length === value.length ? configured : [];
    return value.map((item, i) =>
      marks[i] === true
        ? unknownItem(context, [...path, i], configs[i])
        : fillNested(item, marks[i], [...path, i], context, configs[i]),
    );
  }
  if (isObject(value) && isObject(marks)) {
    const config = isObject(configured) ? configured : {};
    return Object.fromEntries(
      Object.entries({ ...value, ...Object.fromEntries(Object.keys(marks).map((k) => [k, value[k]])) }).map(
        ([k, v]) => [
          k,
          marks[k] === true
            ? unknownItem(context, [...path, k], config[k])
            : fillNested(v, marks[k], [...path, k], context, config[k]),
        ],
      ),
    );
  }
  return value ?? null;
}

/** Terraform's type for an output's value, as a state records it. */
function ctyType(value: unknown): unknown {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return ["tuple", value.map(ctyType)];
  if (isObject(value))
    return ["object", Object.fromEntries(Object.entries(value).map(([k, v]) => [k, ctyType(v)]))];
  return "string";
}

/** A state (format 4) as `terraform plan` reads it from `terraform.tfstate`. */
export interface StateV4 {
  readonly version: 4;
  readonly terraform_version: string;
  readonly serial: number;
  readonly lineage: string;
  readonly outputs: Record<string, { value: unknown; type: unknown; sensitive?: boolean }>;
  readonly resources: unknown[];
}

/** The value a resource has after the plan is applied: `after`, or `before` for what is kept as it is. */
function appliedValue(
  change: ResourceChange,
): { value: unknown; unknown: unknown; sensitive: unknown } | undefined {
  const actions = change.change.actions;
  if (actions.includes("create") || actions.includes("update")) {
    return {
      value: change.change.after,
      unknown: change.change.after_unknown,
      sensitive: change.change.after_sensitive,
    };
  }
  if (actions.length === 1 && actions[0] === "no-op")
    return { value: change.change.before, unknown: undefined, sensitive: change.change.before_sensitive };
  return undefined;
}

/** A step of a state's `sensitive_attributes` path (cty's path format). */
type PathStep =
  | { type: "get_attr"; value: string }
  | { type: "index"; value: { value: string | number; type: "string" | "number" } };

/**
 * The paths a plan marks sensitive (`after_sensitive`: `true` at a sensitive value, objects and lists of
 * marks around it), as a state's `sensitive_attributes`. Without them a resource with a sensitive attribute
 * (an SSM parameter's `value`) plans as "updated in-place" with nothing changed: Terraform sees the mark
 * appear between the state and the plan.
 */
export function sensitivePaths(marks: unknown, path: PathStep[] = []): PathStep[][] {
  if (marks === true) return path.length > 0 ? [path] : [];
  if (Array.isArray(marks)) {
    return marks.flatMap((mark, index) =>
      sensitivePaths(mark, [...path, { type: "index", value: { value: index, type: "number" } }]),
    );
  }
  if (typeof marks === "object" && marks !== null) {
    // An object at the top or in a list is a resource or a nested block (attributes); under an attribute
    // it is a map (keys), as the provider's SDKv2 schemas have no object attributes.
    const attributes = path.length === 0 || path.at(-1)?.type === "index";
    return Object.entries(marks).flatMap(([key, mark]) =>
      sensitivePaths(mark, [
        ...path,
        attributes
          ? { type: "get_attr", value: key }
          : { type: "index", value: { value: key, type: "string" } },
      ]),
    );
  }
  return [];
}

/**
 * The state a successful apply of `plan` would leave: every managed resource it creates, updates or keeps,
 * with unknown values filled (see the module comment), and the outputs. `configs` are the synthesized
 * resources (`type → name → config`), used to line plain references up with their placeholders.
 */
export function priorStateFrom(
  plan: PlanJson,
  schemas: ProviderSchemas,
  configs: ResourceConfigs,
  options: { terraformVersion: string; serial?: number },
): StateV4 {
  const grouped = new Map<string, { type: string; name: string; instances: unknown[] }>();
  const planned = new Map<string, { value: unknown; unknown: unknown }>();
  for (const change of plan.resource_changes ?? []) {
    const applied = change.mode === "managed" && change.index === undefined && appliedValue(change);
    if (applied) planned.set(`${change.type}.${change.name}`, applied);
  }
  for (const change of plan.resource_changes ?? []) {
    if (change.mode !== "managed") continue;
    const applied = appliedValue(change);
    if (!applied) continue;
    const schema = schemas.provider_schemas[AWS_PROVIDER]?.resource_schemas[change.type];
    if (!schema) throw new Error(`No provider schema for ${change.type} (${change.address})`);
    const context = { address: `${change.type}.${change.name}`, schemas, planned };
    const configured = configs[change.type]?.[change.name];
    const attributes = fillBlock(context, schema.block, applied.value, applied.unknown, configured, []);
    const key = `${change.type}.${change.name}`;
    const entry = grouped.get(key) ?? { type: change.type, name: change.name, instances: [] };
    entry.instances.push({
      ...(change.index === undefined ? {} : { index_key: change.index }),
      schema_version: schema.version,
      attributes,
      sensitive_attributes: sensitivePaths(applied.sensitive),
    });
    grouped.set(key, entry);
  }
  const outputs: StateV4["outputs"] = {};
  for (const [name, output] of Object.entries(plan.output_changes ?? {})) {
    if (output.actions.includes("delete")) continue;
    const value = output.after_unknown === true ? placeholder(`output.${name}`, [], "string") : output.after;
    outputs[name] = {
      value,
      type: ctyType(value),
      ...(output.after_sensitive === true ? { sensitive: true } : {}),
    };
  }
  return {
    version: 4,
    terraform_version: options.terraformVersion,
    serial: options.serial ?? 1,
    lineage: "00000000-0000-4000-8000-00000000cafe",
    outputs,
    resources: [...grouped.values()].map((entry) => ({
      mode: "managed",
      type: entry.type,
      name: entry.name,
      provider: `provider["${AWS_PROVIDER}"]`,
      instances: entry.instances,
    })),
  };
}

/** True when a plan changes nothing: every resource a no-op (or a data read), every output unchanged. */
export function planIsEmpty(plan: PlanJson): boolean {
  const resources = (plan.resource_changes ?? []).every(
    (c) => c.mode === "data" || (c.change.actions.length === 1 && c.change.actions[0] === "no-op"),
  );
  const outputs = Object.values(plan.output_changes ?? {}).every(
    (o) => o.actions.length === 1 && o.actions[0] === "no-op",
  );
  return resources && outputs;
}
