/**
 * EventBridge event pattern matching, which EventBridge rules and the filter criteria of Pipes (and of
 * Lambda event source mappings) share. A pattern is an object whose leaves are arrays of matchers; an
 * event matches when every field of the pattern matches (nested objects recurse, `$or` offers
 * alternatives), and a leaf matches when any of its matchers matches the field's value, or any element
 * of it when the field is an array. Matchers: exact values (strings, numbers, booleans, null), `prefix`,
 * `suffix` (both also with `equals-ignore-case`), `equals-ignore-case`, `anything-but` (values, prefix,
 * suffix, equals-ignore-case), `numeric` ranges, `exists`, `wildcard` and `cidr`.
 */

export type EventPattern = Readonly<Record<string, unknown>>;

/** A pattern EventBridge would refuse (`InvalidEventPatternException`), with what is wrong. */
export class InvalidEventPatternError extends Error {
  override readonly name = "InvalidEventPatternError";
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function wildcardMatches(pattern: string, value: string): boolean {
  const source = pattern
    .split(/(\\\*|\*)/)
    .map((part) =>
      part === "*" ? ".*" : part === "\\*" ? "\\*" : part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${source}$`, "s").test(value);
}

function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function cidrMatches(cidr: string, value: string): boolean {
  const [network = "", bits = "32"] = cidr.split("/");
  const base = ipv4ToNumber(network);
  const ip = ipv4ToNumber(value);
  if (base === undefined || ip === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ip / size) === Math.floor(base / size);
}

/** `[">", 0, "<=", 5]`: every comparison must hold. */
function numericMatches(range: unknown, value: unknown): boolean {
  if (typeof value !== "number" || !Array.isArray(range) || range.length % 2 !== 0) return false;
  for (let i = 0; i < range.length; i += 2) {
    const limit = Number(range[i + 1]);
    const holds = {
      "=": value === limit,
      "<": value < limit,
      "<=": value <= limit,
      ">": value > limit,
      ">=": value >= limit,
    }[String(range[i]) as "="];
    if (holds !== true) return false;
  }
  return true;
}

/** A `prefix`/`suffix` operand: a string, or `{"equals-ignore-case": "..."}`. */
function affixMatches(
  operand: unknown,
  value: unknown,
  test: (v: string, affix: string) => boolean,
): boolean {
  if (typeof value !== "string") return false;
  if (typeof operand === "string") return test(value, operand);
  if (isObject(operand) && typeof operand["equals-ignore-case"] === "string") {
    return test(value.toLowerCase(), operand["equals-ignore-case"].toLowerCase());
  }
  return false;
}

function anythingButMatches(operand: unknown, value: unknown): boolean {
  if (Array.isArray(operand)) return !operand.some((o) => o === value);
  if (isObject(operand)) {
    if ("prefix" in operand)
      return typeof value === "string" && !affixMatches(operand.prefix, value, (v, a) => v.startsWith(a));
    if ("suffix" in operand)
      return typeof value === "string" && !affixMatches(operand.suffix, value, (v, a) => v.endsWith(a));
    if ("equals-ignore-case" in operand) {
      const values = Array.isArray(operand["equals-ignore-case"])
        ? operand["equals-ignore-case"]
        : [operand["equals-ignore-case"]];
      return (
        typeof value === "string" && !values.some((v) => String(v).toLowerCase() === value.toLowerCase())
      );
    }
    throw new InvalidEventPatternError(`unsupported anything-but operand ${JSON.stringify(operand)}`);
  }
  return operand !== value;
}

/** One matcher of a leaf against one scalar value (present in the event). */
function matcherMatches(matcher: unknown, value: unknown): boolean {
  if (!isObject(matcher)) return matcher === value;
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case "prefix":
      return affixMatches(operand, value, (v, a) => v.startsWith(a));
    case "suffix":
      return affixMatches(operand, value, (v, a) => v.endsWith(a));
    case "equals-ignore-case":
      return (
        typeof value === "string" &&
        typeof operand === "string" &&
        value.toLowerCase() === operand.toLowerCase()
      );
    case "anything-but":
      return anythingButMatches(operand, value);
    case "numeric":
      return numericMatches(operand, value);
    case "exists":
      return operand === true;
    case "wildcard":
      return typeof value === "string" && typeof operand === "string" && wildcardMatches(operand, value);
    case "cidr":
      return typeof value === "string" && typeof operand === "string" && cidrMatches(operand, value);
    default:
      throw new InvalidEventPatternError(`unsupported matcher ${JSON.stringify(matcher)}`);
  }
}

/** A leaf (array of matchers) against the event's value at that field (undefined when absent). */
function leafMatches(matchers: readonly unknown[], value: unknown): boolean {
  if (value === undefined) return matchers.some((m) => isObject(m) && m.exists === false);
  // exists matches leaves only: an object value is not "present" for it.
  if (isObject(value)) return false;
  const values = Array.isArray(value) ? value : [value];
  return matchers.some((m) => {
    if (isObject(m) && "exists" in m) return m.exists === true && values.length > 0;
    if (isObject(m) && "anything-but" in m)
      return values.length > 0 && values.every((v) => matcherMatches(m, v));
    return values.some((v) => matcherMatches(m, v));
  });
}

/** Does `event` match `pattern`? Throws InvalidEventPatternError for a pattern EventBridge would refuse. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  const fields = isObject(event) ? event : {};
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === "$or") {
      if (!Array.isArray(sub)) throw new InvalidEventPatternError("$or must be an array of patterns");
      return sub.some((alternative) => matchesPattern(alternative as EventPattern, event));
    }
    if (Array.isArray(sub)) return leafMatches(sub, fields[key]);
    if (isObject(sub)) return matchesPattern(sub, fields[key]);
    throw new InvalidEventPatternError(`the value of "${key}" must be an object or an array`);
  });
}
