/**
 * Compares two synthesized apps (stack name → cdk.tf.json) address by address, the way a reviewer
 * reads a plan: what is added, what is removed, and which attributes of the rest change. Pure: no
 * files, no Terraform, no credentials. Secrets are redacted here, so no renderer can print them.
 */

import { addressesOf, type TerraformJson } from "../tooling/terraform-json";

/** Synthesized stacks by name. */
export type StackSet = Readonly<Record<string, TerraformJson>>;

/** One attribute that differs. A missing side (`before` or `after` absent) means the attribute is new or gone. */
export interface AttributeChange {
  /** `memory_size`, `environment.variables.TABLE`, `default_tags[0].tags["managed-by"]`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
  /** The values are secret, and left out. */
  readonly sensitive?: true;
}

/** An address present on both sides whose configuration differs. */
export interface AddressChange {
  readonly address: string;
  readonly attributes: readonly AttributeChange[];
}

export interface StackDiff {
  readonly stack: string;
  /** `added`/`removed`: the whole stack is new or gone; `changed`: some address differs. */
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly AddressChange[];
}

/** Attribute names whose values we never print. */
export const SECRET_KEY =
  /passw(or)?d|passphrase|secret|token|private_?key|api_?key|access_?key|credential|connection_?string/i;
/** Values that are secrets whatever they are called: PEM private keys, AWS access key ids. */
export const SECRET_VALUE = /-----BEGIN [A-Z ]*PRIVATE KEY-----|\b(AKIA|ASIA)[A-Z0-9]{16}\b/;

/** The cdktf metadata key (`"//"`), present at every level; it is not configuration. */
const METADATA = "//";

/** Every stack of `before` and `after`, sorted by name, with what changes between them. */
export function diffStacks(before: StackSet, after: StackSet): StackDiff[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.map((stack) => diffStack(stack, before[stack], after[stack]));
}

function diffStack(stack: string, before?: TerraformJson, after?: TerraformJson): StackDiff {
  const a = addressesOf(before ?? {});
  const b = addressesOf(after ?? {});
  const added = [...b.keys()].filter((k) => !a.has(k)).sort();
  const removed = [...a.keys()].filter((k) => !b.has(k)).sort();
  const changed: AddressChange[] = [];
  for (const address of [...a.keys()].filter((k) => b.has(k)).sort()) {
    const attributes: AttributeChange[] = [];
    const sensitive = address.startsWith("output.") || address.startsWith("var.");
    diffValues(a.get(address), b.get(address), [], attributes, sensitive && isMarkedSensitive(a, b, address));
    if (attributes.length > 0) changed.push({ address, attributes });
  }
  const status = !before
    ? "added"
    : !after
      ? "removed"
      : added.length + removed.length + changed.length > 0
        ? "changed"
        : "unchanged";
  return { stack, status, added, removed, changed };
}

/** An output or variable with `sensitive = true` on either side has all its values redacted. */
function isMarkedSensitive(a: Map<string, unknown>, b: Map<string, unknown>, address: string): boolean {
  return [a.get(address), b.get(address)].some((c) => isObject(c) && c.sensitive === true);
}

function diffValues(
  before: unknown,
  after: unknown,
  path: readonly (string | number)[],
  out: AttributeChange[],
  sensitive: boolean,
): void {
  const secret = sensitive || path.some((p) => typeof p === "string" && SECRET_KEY.test(p));
  if (isContainer(before, after)) {
    const keys = new Set<string | number>();
    for (const side of [before, after]) {
      if (Array.isArray(side)) side.forEach((_, i) => keys.add(i));
      else if (isObject(side)) Object.keys(side).forEach((k) => k !== METADATA && keys.add(k));
    }
    const sorted = [...keys].sort((x, y) =>
      typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y)),
    );
    const count = out.length;
    for (const key of sorted) diffValues(child(before, key), child(after, key), [...path, key], out, secret);
    // An empty block that appears or disappears (`filter {}`) has no leaves to report: report it whole.
    if (out.length > count || JSON.stringify(before) === JSON.stringify(after)) return;
  } else if (JSON.stringify(before) === JSON.stringify(after)) {
    return;
  }
  const change = { path: formatPath(path) };
  if (secret || looksSecret(before) || looksSecret(after)) {
    out.push({ ...change, sensitive: true });
  } else {
    out.push({
      ...change,
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
    });
  }
}

/** Recurse while both sides are objects or arrays (or one side is missing and the other is one). */
function isContainer(before: unknown, after: unknown): boolean {
  const container = (v: unknown) => Array.isArray(v) || isObject(v);
  const bothArrays = Array.isArray(before) && Array.isArray(after);
  const bothObjects = isObject(before) && isObject(after);
  const oneMissing = (before === undefined && container(after)) || (after === undefined && container(before));
  return bothArrays || bothObjects || oneMissing;
}

function child(value: unknown, key: string | number): unknown {
  if (Array.isArray(value)) return typeof key === "number" ? value[key] : undefined;
  return isObject(value) ? value[key as string] : undefined;
}

function looksSecret(value: unknown): boolean {
  return value !== undefined && SECRET_VALUE.test(JSON.stringify(value));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `a.b[0].c`, with keys that are not identifiers quoted: `tags["managed-by"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path
    .map((p, i) =>
      typeof p === "number"
        ? `[${p}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p)
          ? `${i === 0 ? "" : "."}${p}`
          : `[${JSON.stringify(p)}]`,
    )
    .join("");
}

/** How many addresses a stack diff adds, changes and removes. */
export function counts(diff: StackDiff): { add: number; change: number; remove: number } {
  return { add: diff.added.length, change: diff.changed.length, remove: diff.removed.length };
}
