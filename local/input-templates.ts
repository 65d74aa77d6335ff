/**
 * The input templates of EventBridge Pipes (`<$.dynamodb.NewImage.order_id.S>`) and of EventBridge rule
 * targets' input transformers (`<name>` from `input_paths`), and the JSONPath subset both use. A
 * placeholder's value is written as JSON when it is an object, an array, a number, a boolean or null;
 * a string is written as it is (so an unquoted `<$...N>` of a DynamoDB number becomes a JSON number),
 * JSON-escaped when the placeholder sits inside quotes. A path that finds nothing writes nothing.
 */

/** `$`, `$.a.b`, `$.a[0]`, `$['a b']`: the value at that path, or undefined. */
export function jsonPath(value: unknown, path: string): unknown {
  if (!path.startsWith("$")) return undefined;
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g)];
  let node: unknown = value;
  for (const [, dotted, index, single, double] of steps) {
    if (node === null || typeof node !== "object") return undefined;
    const key = dotted ?? single ?? double;
    node = key !== undefined ? (node as Record<string, unknown>)[key] : (node as unknown[])[Number(index)];
  }
  return node;
}

/** Is the character at `at` inside a JSON string of `template` (an odd number of unescaped quotes before it)? */
function insideQuotes(template: string, at: number): boolean {
  let quotes = 0;
  for (let i = 0; i < at; i++) if (template[i] === '"' && template[i - 1] !== "\\") quotes++;
  return quotes % 2 === 1;
}

/**
 * Renders `template`, replacing each `<placeholder>` that `lookup` knows (undefined means it is not a
 * placeholder: the text stays as written).
 */
export function renderTemplate(
  template: string,
  lookup: (name: string) => { value: unknown } | undefined,
): string {
  return template.replace(/<([^<>\s]+)>/g, (whole, name: string, offset: number) => {
    const found = lookup(name);
    if (!found) return whole;
    const { value } = found;
    if (value === undefined) return "";
    if (typeof value !== "string") return JSON.stringify(value);
    return insideQuotes(template, offset) ? JSON.stringify(value).slice(1, -1) : value;
  });
}

/** What a Pipes template may name besides JSON paths (`<aws.pipes.pipe-arn>`, ...). */
export interface PipeContext {
  readonly pipeArn: string;
  readonly pipeName: string;
  readonly sourceArn: string;
  readonly targetArn: string;
  readonly ingestionTime: string;
}

/** A Pipes input template applied to one source record. */
export function renderPipeTemplate(template: string, record: unknown, context: PipeContext): string {
  const reserved: Record<string, unknown> = {
    "aws.pipes.pipe-arn": context.pipeArn,
    "aws.pipes.pipe-name": context.pipeName,
    "aws.pipes.source-arn": context.sourceArn,
    "aws.pipes.target-arn": context.targetArn,
    "aws.pipes.event.ingestion-time": context.ingestionTime,
    "aws.pipes.event": JSON.stringify(record),
    "aws.pipes.event.json": record,
  };
  return renderTemplate(template, (name) =>
    name.startsWith("$")
      ? { value: jsonPath(record, name) }
      : name in reserved
        ? { value: reserved[name] }
        : undefined,
  );
}

/** A rule target's `input_transformer`: `input_paths` name values of the event, the template uses them. */
export function renderInputTransformer(
  transformer: { readonly inputPaths: Readonly<Record<string, string>>; readonly inputTemplate: string },
  event: unknown,
  rule: { readonly arn: string; readonly name: string },
): string {
  const reserved: Record<string, unknown> = {
    "aws.events.rule-arn": rule.arn,
    "aws.events.rule-name": rule.name,
    "aws.events.event.ingestion-time": (event as { time?: string }).time,
    "aws.events.event": JSON.stringify(event),
    "aws.events.event.json": event,
  };
  return renderTemplate(transformer.inputTemplate, (name) =>
    name in transformer.inputPaths
      ? { value: jsonPath(event, transformer.inputPaths[name] as string) }
      : name in reserved
        ? { value: reserved[name] }
        : undefined,
  );
}
