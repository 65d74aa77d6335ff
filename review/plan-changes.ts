/**
 * What changes inside one planned resource, attribute by attribute, from `terraform show -json`:
 * before and after, values only known after apply, sensitive values redacted (the provider's marks and
 * our own secret patterns), and JSON-valued strings (policies, dashboard bodies, redrive policies)
 * compared as JSON, key by key, never cut short. Pure.
 */
import { formatPath, SECRET_KEY, SECRET_VALUE } from "./diff";
import type { ResourceChange } from "./terraform";

/** One attribute of a planned resource that changes. */
export interface PlannedAttribute {
  /** `hash_key`, `policy → Statement[0].Resource`, `tags["managed-by"]`. */
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
  /** The new value is only known after apply. */
  readonly unknown?: true;
  /** The values are secret, and left out. */
  readonly sensitive?: true;
  /** Terraform replaces the resource because of this attribute. */
  readonly forcesReplacement?: true;
}

type Path = readonly (string | number)[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A placeholder the prior state filled in for a value only AWS knows (see prior-state.ts). */
export function isPlaceholder(value: unknown): boolean {
  return typeof value === "string" && (value.startsWith("offline:") || value.startsWith("arn:aws:offline:"));
}

/** A string that holds a JSON object or array, parsed; else undefined. */
function parseJson(value: unknown): unknown {
  if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function child(value: unknown, key: string | number): unknown {
  if (Array.isArray(value)) return typeof key === "number" ? value[key] : undefined;
  return isObject(value) ? value[key as string] : undefined;
}

/** Treat null, "", [] and {} alike: Terraform and the provider use them interchangeably for "not set". */
function isEmpty(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    value === "" ||
    (Array.isArray(value) && value.length === 0) ||
    (isObject(value) && Object.keys(value).length === 0)
  );
}

/**
 * The value with unset object keys (null, "", [], {}) left out, so "not set" compares equal however
 * written, and object keys sorted, so equal JSON documents compare equal whatever their key order.
 */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? null : value.map(normalize);
  if (!isObject(value)) return isEmpty(value) ? null : value;
  const kept = Object.entries(value)
    .filter(([, v]) => !isEmpty(v))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => [k, normalize(v)] as const);
  return kept.length === 0 ? null : Object.fromEntries(kept);
}

function keysOf(...values: unknown[]): (string | number)[] {
  const keys = new Set<string | number>();
  for (const value of values) {
    if (Array.isArray(value)) value.forEach((_, i) => keys.add(i));
    else if (isObject(value)) Object.keys(value).forEach((k) => keys.add(k));
  }
  return [...keys].sort((x, y) =>
    typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y)),
  );
}

interface Walk {
  readonly replacePaths: readonly string[];
  readonly out: PlannedAttribute[];
}

/** `policy → Statement[0].Resource`: the attribute's path, then the path inside its JSON value. */
function label(path: Path, jsonPath: Path | undefined): string {
  return jsonPath === undefined
    ? formatPath(path)
    : `${formatPath(path)} → ${formatPath(jsonPath) || "(document)"}`;
}

function compare(
  before: unknown,
  after: unknown,
  unknown: unknown,
  sensitive: boolean,
  path: Path,
  jsonPath: Path | undefined,
  walk: Walk,
): void {
  const secret =
    sensitive || [...path, ...(jsonPath ?? [])].some((p) => typeof p === "string" && SECRET_KEY.test(p));
  const name = formatPath(path);
  const forces =
    jsonPath === undefined && walk.replacePaths.includes(name) ? ({ forcesReplacement: true } as const) : {};
  if (unknown === true) {
    // A computed value of a resource being replaced or updated: before was our placeholder, so say nothing.
    if (isPlaceholder(before) || isEmpty(before)) return;
    walk.out.push({ path: label(path, jsonPath), unknown: true, ...forces });
    return;
  }
  if (JSON.stringify(normalize(before)) === JSON.stringify(normalize(after))) return;
  if (secret) {
    walk.out.push({ path: label(path, jsonPath), sensitive: true, ...forces });
    return;
  }
  const beforeJson = jsonPath === undefined ? parseJson(before) : undefined;
  const afterJson = jsonPath === undefined ? parseJson(after) : undefined;
  if (beforeJson !== undefined && afterJson !== undefined) {
    // Equal documents written differently (key order, spacing) are no change.
    compare(beforeJson, afterJson, undefined, false, path, [], walk);
    return;
  }
  const container = (v: unknown) => Array.isArray(v) || isObject(v);
  if (
    (container(before) || before === undefined) &&
    (container(after) || after === undefined) &&
    !forces.forcesReplacement
  ) {
    const count = walk.out.length;
    for (const key of keysOf(before, after, unknown)) {
      const deeper =
        jsonPath === undefined
          ? { path: [...path, key], json: undefined }
          : { path, json: [...jsonPath, key] };
      compare(
        child(before, key),
        child(after, key),
        child(unknown, key),
        false,
        deeper.path,
        deeper.json,
        walk,
      );
    }
    // A block that appears or disappears empty (`filter {}`) has no leaves to report: report it whole.
    if (walk.out.length > count) return;
  }
  // Secret-looking values are checked here, on what is printed, so their non-secret siblings still show.
  if ([before, after].some((v) => SECRET_VALUE.test(JSON.stringify(v) ?? ""))) {
    walk.out.push({ path: label(path, jsonPath), sensitive: true, ...forces });
    return;
  }
  walk.out.push({
    path: label(path, jsonPath),
    ...(before === undefined || before === null ? {} : { before }),
    ...(after === undefined || after === null ? {} : { after }),
    ...forces,
  });
}

/** Marks (`before_sensitive`/`after_sensitive`): is anything at or below this path sensitive? */
function sensitiveAt(marks: unknown): boolean {
  if (marks === true) return true;
  if (Array.isArray(marks)) return marks.some(sensitiveAt);
  if (isObject(marks)) return Object.values(marks).some(sensitiveAt);
  return false;
}

/** The planned change of one resource, as the attributes that differ (top-level keys in order). */
export function plannedAttributes(change: Omit<ResourceChange["change"], "actions">): PlannedAttribute[] {
  const walk: Walk = { replacePaths: (change.replace_paths ?? []).map((p) => formatPath(p)), out: [] };
  for (const key of keysOf(change.before, change.after, change.after_unknown)) {
    if (typeof key !== "string") continue;
    const sensitive =
      sensitiveAt(child(change.before_sensitive, key)) || sensitiveAt(child(change.after_sensitive, key));
    compare(
      child(change.before, key),
      child(change.after, key),
      child(change.after_unknown, key),
      sensitive,
      [key],
      undefined,
      walk,
    );
  }
  return walk.out;
}
