/**
 * The part of API Gateway's Velocity Template Language that gateway response templates use: references
 * (`$context.error.message`, `${context.requestId}`, `$!ref`), `$util.escapeJavaScript(...)`,
 * `$util.urlEncode(...)`, `$util.base64Encode(...)`, and Java String methods on the result
 * (`.replaceAll(regex, replacement)`, `.replace(a, b)`, `.toUpperCase()`, `.toLowerCase()`, `.trim()`).
 * As in Velocity, a reference that names nothing is written out as it stands. Directives (`#if`,
 * `#set`, `#foreach`) are not evaluated: {@link unsupportedDirectives} names them so the caller can say so.
 */

/** The variables a template sees (`context`, `stageVariables`, ...), nested objects of strings. */
export type VtlVariables = Readonly<Record<string, unknown>>;

/**
 * Apache Commons' escapeJavaScript, which `$util.escapeJavaScript` is: `'` `"` `\` `/` escaped with a
 * backslash, control characters as `\n`-style or `\u00XX`, anything beyond ASCII as `\uXXXX`.
 */
export function escapeJavaScript(value: string): string {
  let out = "";
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    const hex = (n: number) => `\\u${n.toString(16).toUpperCase().padStart(4, "0")}`;
    if (code > 0xffff) {
      out += hex(ch.charCodeAt(0)) + hex(ch.charCodeAt(1));
    } else if (code > 0x7f) {
      out += hex(code);
    } else if (code < 32) {
      const named: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" };
      out += named[code] ?? hex(code);
    } else if (ch === "'" || ch === '"' || ch === "\\" || ch === "/") {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  return out;
}

const UTIL: Readonly<Record<string, (value: string) => string>> = {
  escapeJavaScript,
  urlEncode: (v) => encodeURIComponent(v).replace(/%20/g, "+"),
  urlDecode: (v) => decodeURIComponent(v.replace(/\+/g, " ")),
  base64Encode: (v) => Buffer.from(v).toString("base64"),
  base64Decode: (v) => Buffer.from(v, "base64").toString(),
};

/** Java's `String.replaceAll`: a Java regex (the common subset is JavaScript's) and `$n` groups. */
function javaReplaceAll(value: string, regex: string, replacement: string): string {
  const js = replacement.replace(/\\(.)/g, (_, c: string) => (c === "$" ? "$$" : c));
  return value.replace(new RegExp(regex, "g"), js);
}

const STRING_METHODS: Readonly<Record<string, (value: string, ...args: string[]) => string>> = {
  replaceAll: (v, regex = "", replacement = "") => javaReplaceAll(v, regex, replacement),
  replace: (v, from = "", to = "") => v.split(from).join(to),
  toUpperCase: (v) => v.toUpperCase(),
  toLowerCase: (v) => v.toLowerCase(),
  trim: (v) => v.trim(),
};

/** The directives a template uses, which are not evaluated locally. */
export function unsupportedDirectives(template: string): string[] {
  return [
    ...new Set(
      [
        ...template.matchAll(
          /(?<!\\)#\{?(if|elseif|else|end|set|foreach|macro|parse|include|define|break|stop)\b/g,
        ),
      ].map((m) => `#${m[1]}`),
    ),
  ];
}

interface Cursor {
  readonly text: string;
  at: number;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*/;

/** A string literal: Velocity keeps backslashes as they are; a doubled quote is one quote. */
function stringLiteral(c: Cursor, vars: VtlVariables): string | undefined {
  const quote = c.text[c.at];
  if (quote !== '"' && quote !== "'") return undefined;
  let value = "";
  let i = c.at + 1;
  for (; i < c.text.length; i++) {
    if (c.text[i] === quote) {
      if (c.text[i + 1] === quote) {
        value += quote;
        i++;
        continue;
      }
      c.at = i + 1;
      // Double-quoted strings are interpolated, single-quoted ones are not.
      return quote === '"' ? renderVtl(value, vars) : value;
    }
    value += c.text[i];
  }
  return undefined;
}

/** Arguments of a call, `(` already consumed: literals, numbers or references, up to `)`. */
function callArguments(c: Cursor, vars: VtlVariables): string[] | undefined {
  const args: string[] = [];
  for (;;) {
    while (c.text[c.at] === " ") c.at++;
    if (c.text[c.at] === ")") {
      c.at++;
      return args;
    }
    const literal = stringLiteral(c, vars);
    if (literal !== undefined) {
      args.push(literal);
    } else if (c.text[c.at] === "$") {
      const ref = reference(c, vars);
      if (ref?.value === undefined) return undefined;
      args.push(ref.value);
    } else {
      const number = /^-?\d+/.exec(c.text.slice(c.at));
      if (!number) return undefined;
      args.push(number[0]);
      c.at += number[0].length;
    }
    while (c.text[c.at] === " ") c.at++;
    if (c.text[c.at] === ",") c.at++;
    else if (c.text[c.at] !== ")") return undefined;
  }
}

/** One `$ref.path.method(args)` at `c.at`; its value, or undefined when it names nothing. */
function reference(c: Cursor, vars: VtlVariables): { value: string | undefined; quiet: boolean } | undefined {
  const start = c.at;
  c.at++; // $
  const quiet = c.text[c.at] === "!";
  if (quiet) c.at++;
  const braced = c.text[c.at] === "{";
  if (braced) c.at++;
  const head = IDENT.exec(c.text.slice(c.at));
  if (!head) {
    c.at = start + 1;
    return undefined;
  }
  c.at += head[0].length;
  let value: unknown = vars[head[0]];
  let isUtil = head[0] === "util";
  for (;;) {
    if (c.text[c.at] !== "." || !IDENT.test(c.text.slice(c.at + 1))) break;
    const name = (IDENT.exec(c.text.slice(c.at + 1)) as RegExpExecArray)[0];
    const after = c.at + 1 + name.length;
    if (c.text[after] === "(") {
      const saved = c.at;
      c.at = after + 1;
      const args = callArguments(c, vars);
      const fn = isUtil ? UTIL[name] : STRING_METHODS[name];
      if (!args || !fn || (!isUtil && typeof value !== "string")) {
        c.at = saved;
        value = undefined;
        break;
      }
      value = isUtil ? fn(args[0] ?? "") : fn(value as string, ...args);
      isUtil = false;
    } else {
      c.at = after;
      value = value && typeof value === "object" ? (value as Record<string, unknown>)[name] : undefined;
    }
  }
  if (braced) {
    if (c.text[c.at] === "}") c.at++;
    else return { value: undefined, quiet };
  }
  return { value: typeof value === "string" || typeof value === "number" ? String(value) : undefined, quiet };
}

/**
 * Renders a template: each reference is replaced by its value; one that names nothing stays as written
 * (or is dropped when quiet, `$!ref`), as Velocity does.
 */
export function renderVtl(template: string, vars: VtlVariables): string {
  const c: Cursor = { text: template, at: 0 };
  let out = "";
  while (c.at < template.length) {
    const next = template.indexOf("$", c.at);
    if (next === -1) {
      out += template.slice(c.at);
      break;
    }
    out += template.slice(c.at, next);
    c.at = next;
    const ref = reference(c, vars);
    if (!ref) {
      out += "$";
      continue;
    }
    out += ref.value ?? (ref.quiet ? "" : template.slice(next, c.at));
  }
  return out;
}
