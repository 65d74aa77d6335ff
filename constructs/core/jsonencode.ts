/**
 * Terraform's `jsonencode`, both ways.
 *
 * JSON-valued arguments (policies, event patterns, dashboard bodies, schemas) are written the way a
 * Terraform author writes them, `redrive_policy = jsonencode({ deadLetterTargetArn = aws_sqs_queue.dlq.arn })`,
 * rather than as a JSON string built in TypeScript: a pre-serialized string holding `${...}` references
 * is valid in cdk.tf.json but not in the HCL `cdktf synth --hcl` writes, and it hides the references
 * from Terraform's own reading of the value.
 *
 * cdktf writes the argument of `Fn.jsonencode` as an HCL expression inside the interpolation:
 * `${jsonencode({"deadLetterTargetArn" = aws_sqs_queue.order_created_queue_dlq.arn, "maxReceiveCount" = 5})}`.
 * {@link jsonencode} makes sure string literals survive that (cdktf quotes them but escapes neither `"`
 * nor `\`); `decodeJsonencode` (tooling/hcl-expression, which does not load cdktf) reads such a value back for
 * guardrails, the local runner and tests.
 */
import { Fn, Tokenization } from "cdktf";

/**
 * The Terraform expression `jsonencode(<value>)`, for an argument that takes a JSON string. `value` is
 * plain data (objects, arrays, strings, numbers, booleans, null) whose strings may hold Terraform
 * tokens (`queue.arn`, `` `API ${api.name}` ``); `undefined` members are left out, as `JSON.stringify`
 * does. Terraform encodes it at plan time: keys sorted, no whitespace, `<`, `>` and `&` as `\u003c`...
 */
export function jsonencode(value: unknown): string {
  return Fn.jsonencode(escapeLiterals(value));
}

/** `"..."` quoting of a string literal: cdktf adds the quotes and escapes newlines and `${`, not the rest. */
function escapeLiterals(value: unknown): unknown {
  if (typeof value === "string") return escapeText(value);
  if (Array.isArray(value)) {
    // cdktf writes nothing for a null element (`[, "x"]`), which Terraform cannot read.
    if (value.some((v) => v === null || v === undefined)) {
      throw new Error("jsonencode: an array holds null or undefined, which cdktf cannot write; leave it out");
    }
    return value.map(escapeLiterals);
  }
  if (value !== null && typeof value === "object" && !Tokenization.isResolvable(value)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [escapeKey(k), escapeLiterals(v)]),
    );
  }
  return value;
}

/**
 * Escapes a string for a quoted HCL template: what cdktf leaves alone (`"`, `\`, control characters,
 * `%{`) and newlines. Token markers hold none of these characters.
 */
function escapeText(text: string): string {
  return text
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(/\t/g, "\\t")
    .replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/%\{/g, "%%{");
}

/** Keys are quoted by cdktf with no escaping at all. */
function escapeKey(key: string): string {
  if (Tokenization.reverseString(key).tokens.length > 0) {
    throw new Error(`jsonencode: object key "${key}" holds a Terraform token; keys must be literal`);
  }
  return escapeText(key).replace(/\$\{/g, () => "$${");
}
