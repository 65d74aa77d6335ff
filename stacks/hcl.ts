/**
 * HCL that Terraform reads, and that `terraform fmt` leaves as it is, from `cdktf synth --hcl`.
 *
 * cdktf 0.21's HCL printer (cdktf/lib/hcl/render.js) quotes each string but escapes `"` only in strings
 * that hold no `${`, and never escapes `\`. So `${aws_sqs_queue.q.name} holds messages: see "Operating
 * the service"` does not parse, and `replaceAll("\\'","'")` in an API Gateway template reads back with
 * one backslash, not two. It also writes every reference as an interpolation-only template
 * (`bucket = "${aws_s3_bucket.b.id}"`), which `terraform fmt` rewrites to `bucket = aws_s3_bucket.b.id`.
 *
 * {@link readableHcl} works around both without touching cdk.tf.json: while the stack renders its HCL,
 * the strings each element hands the printer are escaped first (`\` and `"`, except in multi-line
 * strings, which the printer writes as heredocs where escapes are not read), and the rendered text has
 * its interpolation-only values unwrapped, as `terraform fmt` would. The CLI then aligns it (hclwrite).
 */
import { TerraformElement, TerraformStack, Tokenization } from "cdktf";
import { interpolationEnd } from "../tooling/hcl-expression";

/**
 * Renders `stack`'s HCL with `render` (the stack's own `toHclTerraform`), its strings escaped for cdktf's
 * printer and its interpolation-only values unwrapped. Stacks call it from `toHclTerraform`.
 */
export function readableHcl<T extends { [key: string]: unknown }>(stack: TerraformStack, render: () => T): T {
  const elements = stack.node
    .findAll()
    .filter((c): c is TerraformElement => c instanceof TerraformElement && TerraformStack.of(c) === stack);
  for (const element of elements) {
    const original = element.toHclTerraform.bind(element);
    element.toHclTerraform = () => escapeForPrinter(original());
  }
  try {
    const output = render();
    return typeof output.hcl === "string" ? { ...output, hcl: unwrapInterpolations(output.hcl) } : output;
  } finally {
    for (const element of elements) Reflect.deleteProperty(element, "toHclTerraform");
  }
}

/**
 * Escapes `\` and `"` in every single-line string of an element's HCL description, as the printer will
 * then write them as they are. Tokens are left for the stack to resolve: their markers hold neither
 * character, and what they resolve to (`${aws_x.y.arn}`, `${jsonencode(...)}`) is an expression.
 */
export function escapeForPrinter(value: unknown): unknown {
  if (typeof value === "string")
    return /[\r\n]/.test(value) ? value : value.replace(/[\\"]/g, (c) => `\\${c}`);
  if (Array.isArray(value)) return value.map(escapeForPrinter);
  if (isPlainObject(value) && !Tokenization.isResolvable(value)) {
    // `//` is cdktf's metadata (metadata.json), never printed as HCL.
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === "//" ? v : escapeForPrinter(v)]),
    );
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

const ATTRIBUTE = /^(\s*(?:[A-Za-z_][A-Za-z0-9_-]*|"(?:[^"\\]|\\.)*")\s*=\s*)(.*?)\s*$/;
const HEREDOC = /<<-?([A-Za-z_][A-Za-z0-9_-]*)$/;
/** `depends_on = [`, the list cdktf writes one address a line. */
const DEPENDS_ON_OPEN = /^\s*depends_on\s*=\s*\[\s*$/;
/** `"aws_x.y",` in a `depends_on` list: an address, which Terraform wants unquoted (quoted is deprecated). */
const QUOTED_ADDRESS = /^(\s*)"((?:data\.|module\.)?[a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+)"(,?)\s*$/;

/**
 * `name = "${expression}"` becomes `name = expression`, as `terraform fmt` writes it, when the quoted
 * template is that one interpolation and nothing else (`"${a}-${b}"` and `"arn:${a}"` stay); the quoted
 * addresses of a `depends_on` list lose their quotes, which Terraform deprecates. Heredoc bodies are left
 * alone.
 */
export function unwrapInterpolations(hcl: string): string {
  let heredoc: string | undefined;
  let dependsOn = false;
  return hcl
    .split("\n")
    .map((line) => {
      if (heredoc !== undefined) {
        if (line.trim() === heredoc) heredoc = undefined;
        return line;
      }
      heredoc = HEREDOC.exec(line.trimEnd())?.[1];
      if (heredoc !== undefined) return line;
      if (dependsOn) {
        if (line.trim() === "]") dependsOn = false;
        return line.replace(QUOTED_ADDRESS, "$1$2$3");
      }
      if (DEPENDS_ON_OPEN.test(line)) {
        dependsOn = true;
        return line;
      }
      const match = ATTRIBUTE.exec(line);
      const value = match?.[2] ?? "";
      if (!match || !value.startsWith('"${') || !value.endsWith('}"')) return line;
      if (interpolationEnd(value, 1) !== value.length - 2) return line;
      return `${match[1]}${value.slice(3, -2).trim()}`;
    })
    .join("\n");
}
