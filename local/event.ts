import { readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { projectRoot } from "../tooling/project-root";
import { parseCommand, runCommand, UsageError } from "./cli";
import { apiEvent, s3PutEvent, SampleEventError, sqsEvent } from "./sample-events";
import { WORKSHOP_CSV } from "./scenario";
import { DEFAULT_STACKS } from "./start";
import { readStack, TerraformResolver } from "./terraform";

export const EVENT_USAGE = `Usage: npm run -s event -- <s3-put|api|sqs> [options]

Prints a sample event in AWS's shape for the synthesized stacks' resources (real bucket, API route, queue),
ready for \`npm run invoke -- <function> --event -\`. (-s keeps npm's own lines out of the output.)

  s3-put   [--bucket <name>] [--key <key>] [--file <path>]
           The ObjectCreated:Put record S3 sends for --file (default: the workshop's movie-infos.csv;
           its size and ETag), under --key (default: the notification's prefix + the file's name).
  api      [--method <GET|POST|...>] --path </resource/path?query> [--body <text>] [--header 'Name: value']
           [--stage <name>]   The REST API proxy event of the route that matches, as API Gateway sends it.
  sqs      [--queue <name>] [--body <text>]   One message, as Lambda's SQS event source delivers it.

Common options:
  --stack <name>    Stack to read; repeat for several (default: ${DEFAULT_STACKS.join(", ")})
  --outdir <dir>    Where the synthesized stacks are (default: cdktf.out)`;

function resolversOf(stacks: readonly string[], outdir: string): TerraformResolver[] {
  return stacks.map((stack) => {
    const json = readStack(outdir, stack);
    const region = (json as { provider?: { aws?: { region?: string }[] } }).provider?.aws?.[0]?.region;
    return new TerraformResolver(json, { region });
  });
}

/** `npm run event -- <kind> [options]`: prints the event as JSON on stdout. */
export async function eventCommand(
  argv: string[],
  write: (text: string) => void = (text) => void process.stdout.write(text),
): Promise<number> {
  const parsed = parseCommand(
    argv,
    {
      stack: { type: "string", multiple: true },
      outdir: { type: "string" },
      bucket: { type: "string" },
      key: { type: "string" },
      file: { type: "string" },
      method: { type: "string" },
      path: { type: "string" },
      body: { type: "string" },
      header: { type: "string", multiple: true },
      stage: { type: "string" },
      queue: { type: "string" },
    },
    EVENT_USAGE,
  );
  if (!parsed) return 0;
  const { values, positionals } = parsed;
  const stacks = values.stack?.length ? values.stack : [...DEFAULT_STACKS];
  const resolvers = resolversOf(stacks, resolve(values.outdir ?? join(projectRoot, "cdktf.out")));
  const kind = positionals[0];
  try {
    const event = buildEvent(kind, resolvers, values);
    write(`${JSON.stringify(event, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof SampleEventError) throw new UsageError(error.message);
    throw error;
  }
}

function buildEvent(
  kind: string | undefined,
  resolvers: readonly TerraformResolver[],
  values: Record<string, string | string[] | boolean | undefined>,
): unknown {
  const text = (name: string) => values[name] as string | undefined;
  if (kind === "s3-put") {
    const file = text("file") ?? WORKSHOP_CSV;
    return s3PutEvent(resolvers, {
      bucket: text("bucket"),
      key: text("key"),
      body: readFileSync(file),
      fileName: basename(file),
    });
  }
  if (kind === "api") {
    const path = text("path");
    if (!path) throw new UsageError(`api needs --path (e.g. --path /movies/mv1)\n\n${EVENT_USAGE}`);
    const headers = values.header as string[] | undefined;
    return apiEvent(resolvers, {
      method: text("method"),
      path,
      body: text("body"),
      headers,
      stage: text("stage"),
    });
  }
  if (kind === "sqs") return sqsEvent(resolvers, { queue: text("queue"), body: text("body") });
  throw new UsageError(
    `${kind ? `Unknown event "${kind}"` : "Which event?"}: s3-put, api or sqs\n\n${EVENT_USAGE}`,
  );
}

if (require.main === module) runCommand("event", eventCommand);
