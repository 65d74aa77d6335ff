/**
 * Reading the HCL expressions cdktf writes into cdk.tf.json, starting with `${jsonencode(...)}` values
 * (see constructs/core/jsonencode for the writing side). Pure string work with no cdktf import, so the local runner
 * and guardrails can use it without loading cdktf.
 */

const PREFIX = "${jsonencode(";
const SUFFIX = ")}";

/** True when `value` is a whole `${jsonencode(...)}` expression, as cdk.tf.json holds it. */
export function isJsonencode(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(PREFIX) && value.endsWith(SUFFIX);
}

/**
 * The value inside a `${jsonencode(...)}` expression of cdk.tf.json, as JSON data. Terraform references
 * come back as `${...}` strings (`"${aws_sqs_queue.x.arn}"`), and strings stay in Terraform's template
 * form, as every other string of cdk.tf.json: `${...}` is an interpolation, `$${` a literal `${`. So
 * `JSON.stringify` of the result is what a `JSON.stringify`-built argument used to hold, and
 * `TerraformResolver.resolve` fills the references in. Throws, naming the position, on anything else.
 */
export function decodeJsonencode(value: string): unknown {
  if (!isJsonencode(value)) {
    throw new Error(`Not a \${jsonencode(...)} expression: ${String(value).slice(0, 80)}`);
  }
  const parser = new ExpressionParser(value, PREFIX.length);
  const decoded = parser.value();
  parser.expectEnd(SUFFIX);
  return decoded;
}

/**
 * The index of the `}` that closes the interpolation (`${`) or directive (`%{`) opening at `start`,
 * or -1. Braces inside quoted strings of the expression do not count: `${jsonencode({"a" = "}"})}`.
 */
export function interpolationEnd(text: string, start: number): number {
  try {
    return new ExpressionParser(text, start).skipTemplateSequence();
  } catch {
    return -1;
  }
}

/**
 * The string Terraform's `jsonencode` yields for a known value: object keys sorted, no whitespace,
 * and `<`, `>`, `&`, U+2028 and U+2029 escaped as `\u003c`... (Go's JSON encoder).
 */
export function terraformJsonString(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sorted(value)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * A reader of the HCL expressions cdktf writes as the argument of `jsonencode`: objects (`{"k" = v}`,
 * `k = v` or `"k": v`, separated by commas or newlines), tuples, quoted templates, numbers, `true`,
 * `false`, `null`, and any other expression (a reference, a function call) kept whole as `${...}`.
 */
class ExpressionParser {
  private index: number;

  constructor(
    private readonly text: string,
    start: number,
  ) {
    this.index = start;
  }

  value(): unknown {
    this.skipSpace(true);
    const start = this.index;
    const literal = this.literal();
    if (literal.found) {
      // `5 + var.n`, `"a" == x ? ...`: not a literal after all, but an expression that starts with one.
      this.skipSpace(false);
      const next = this.text[this.index];
      if (next === undefined || /[,\n)\]}]/.test(next)) return literal.value;
      this.index = start;
    }
    return `\${${this.expression()}}`;
  }

  /** An object, tuple, quoted template, number, `true`, `false` or `null` at the cursor, if one is there. */
  private literal(): { found: boolean; value?: unknown } {
    const c = this.text[this.index];
    if (c === "{") return { found: true, value: this.object() };
    if (c === "[") return { found: true, value: this.tuple() };
    if (c === '"') return { found: true, value: this.template() };
    NUMBER.lastIndex = this.index;
    const number = NUMBER.exec(this.text)?.[0];
    if (number !== undefined) {
      this.index += number.length;
      return { found: true, value: Number(number) };
    }
    IDENTIFIER.lastIndex = this.index;
    const word = IDENTIFIER.exec(this.text)?.[0];
    const next = word === undefined ? undefined : this.text[this.index + word.length];
    if (
      word !== undefined &&
      ["true", "false", "null"].includes(word) &&
      (next === undefined || !/[.[(\w]/.test(next))
    ) {
      this.index += word.length;
      return { found: true, value: word === "null" ? null : word === "true" };
    }
    return { found: false };
  }

  expectEnd(suffix: string): void {
    this.skipSpace(true);
    if (this.text.slice(this.index) !== suffix) this.fail(`expected "${suffix}" at the end`);
  }

  /** At `${` or `%{`: skips the sequence, returns the index of its closing `}`. */
  skipTemplateSequence(): number {
    this.index += 2;
    this.expression("}");
    if (this.text[this.index] !== "}") this.fail("unterminated template sequence");
    return this.index++;
  }

  private object(): Record<string, unknown> {
    this.index++;
    const result: Record<string, unknown> = {};
    for (;;) {
      this.skipSpace(true);
      if (this.text[this.index] === "}") {
        this.index++;
        return result;
      }
      const key = this.key();
      this.skipSpace(false);
      const separator = this.text[this.index];
      if (separator !== "=" && separator !== ":") this.fail(`expected "=" after key "${key}"`);
      this.index++;
      result[key] = this.value();
      this.skipSpace(false);
      const next = this.text[this.index];
      if (next === "," || next === "\n") this.index++;
      else if (next !== "}") this.fail('expected "," or "}" in an object');
    }
  }

  private key(): string {
    if (this.text[this.index] === '"') {
      const start = this.index;
      const key = this.template();
      if (/(^|[^$])\$\{|(^|[^%])%\{/.test(key)) {
        this.index = start;
        this.fail("an object key holds an interpolation");
      }
      return key.replace(/\$\$\{/g, () => "${").replace(/%%\{/g, () => "%{");
    }
    IDENTIFIER.lastIndex = this.index;
    const word = IDENTIFIER.exec(this.text)?.[0];
    if (word === undefined) this.fail("expected an object key");
    this.index += word.length;
    return word;
  }

  private tuple(): unknown[] {
    this.index++;
    const result: unknown[] = [];
    for (;;) {
      this.skipSpace(true);
      if (this.text[this.index] === "]") {
        this.index++;
        return result;
      }
      result.push(this.value());
      this.skipSpace(true);
      const next = this.text[this.index];
      if (next === ",") this.index++;
      else if (next !== "]") this.fail('expected "," or "]" in a tuple');
    }
  }

  /** A quoted template: escapes decoded, `${...}`, `%{...}`, `$${` and `%%{` kept as written. */
  private template(): string {
    this.index++;
    let result = "";
    for (;;) {
      const c = this.text[this.index];
      if (c === undefined || c === "\n") this.fail("unterminated string");
      if (c === '"') {
        this.index++;
        return result;
      }
      if (c === "\\") {
        result += this.escape();
        continue;
      }
      const pair = this.text.slice(this.index, this.index + 3);
      if (pair === "$${" || pair === "%%{") {
        result += pair;
        this.index += 3;
        continue;
      }
      if ((c === "$" || c === "%") && this.text[this.index + 1] === "{") {
        const start = this.index;
        const end = this.skipTemplateSequence();
        result += this.text.slice(start, end + 1);
        continue;
      }
      result += c;
      this.index++;
    }
  }

  private escape(): string {
    const c = this.text[this.index + 1];
    const simple: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };
    if (c !== undefined && c in simple) {
      this.index += 2;
      return simple[c] as string;
    }
    const digits = c === "u" ? 4 : c === "U" ? 8 : 0;
    const hex = this.text.slice(this.index + 2, this.index + 2 + digits);
    if (digits === 0 || !new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) {
      this.fail(`unknown escape \\${c ?? ""}`);
    }
    this.index += 2 + digits;
    return String.fromCodePoint(Number.parseInt(hex, 16));
  }

  /**
   * Any other expression, kept as written: up to a `,`, newline, or closing bracket at its own depth
   * (or up to `stop` there). Brackets and quoted strings inside it are skipped whole.
   */
  private expression(stop?: string): string {
    const start = this.index;
    const closers: string[] = [];
    for (;;) {
      const c = this.text[this.index];
      if (c === undefined) {
        if (stop !== undefined) this.fail("unterminated expression");
        break;
      }
      if (closers.length === 0 && (c === stop || (stop === undefined && /[,\n)\]}]/.test(c)))) break;
      if (c === '"') {
        this.template();
        continue;
      }
      if (c === "{" || c === "[" || c === "(") closers.push(c === "{" ? "}" : c === "[" ? "]" : ")");
      else if (c === "}" || c === "]" || c === ")") {
        if (closers.pop() !== c) this.fail(`unbalanced "${c}"`);
      }
      this.index++;
    }
    const expression = this.text.slice(start, this.index).trim();
    if (expression === "") this.fail("expected a value");
    return expression;
  }

  private skipSpace(newlines: boolean): void {
    const space = newlines ? /[ \t\r\n]/ : /[ \t\r]/;
    while (this.index < this.text.length && space.test(this.text[this.index] as string)) this.index++;
  }

  private fail(problem: string): never {
    const around = this.text.slice(Math.max(0, this.index - 30), this.index + 30);
    throw new Error(
      `Cannot read the jsonencode expression: ${problem} at offset ${this.index} (…${around}…)`,
    );
  }
}
