import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import { nestedBlocks, referenceOf } from "../tooling/terraform-json";
import { LOCAL_CREDENTIALS } from "./emulators";
import { matchesPattern, type EventPattern } from "./event-patterns";
import { jsonPath, renderInputTransformer, renderPipeTemplate } from "./input-templates";
import type { TerraformResolver } from "./terraform";

/**
 * The event path of the stacks, run locally from cdk.tf.json: each `aws_pipes_pipe` whose source is a
 * DynamoDB table's stream reads that stream from DynamoDB Local (DescribeTable → stream ARN,
 * GetShardIterator, GetRecords), keeps the records its filter criteria match, renders its input template
 * and puts the event on its `aws_cloudwatch_event_bus`; every `aws_cloudwatch_event_rule` of that bus
 * whose event pattern matches delivers it to each `aws_cloudwatch_event_target`, transformed as the
 * target says (`input`, `input_path`, `input_transformer`). No SQS or SNS emulator that is kept up runs
 * on Node 20, so a target's deliveries are appended to `<stateDir>/events/<service>_<name>.jsonl`, one
 * message a line, exactly as the target would receive it, with a log line per delivery.
 */

type Block = Record<string, unknown>;
/** The first (here: only) instance of a nested block, or an empty one. */
const first = (value: unknown): Block => nestedBlocks(value)[0] ?? {};

export interface DeclaredPipe {
  readonly address: string;
  readonly name: string;
  readonly arn: string;
  /** The table whose stream is the source. */
  readonly tableName: string;
  readonly startingPosition: "LATEST" | "TRIM_HORIZON";
  /** A record passes when it matches any of them (all pass when there are none). */
  readonly filters: readonly EventPattern[];
  readonly inputTemplate?: string;
  readonly busName: string;
  readonly busArn: string;
  readonly detailType: string;
  readonly source: string;
  readonly resources: readonly string[];
}

export interface DeclaredTarget {
  readonly targetId: string;
  readonly arn: string;
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: {
    readonly inputPaths: Readonly<Record<string, string>>;
    readonly inputTemplate: string;
  };
  /** `sqs_order-created-dev.jsonl`: where its deliveries go. */
  readonly file: string;
}

export interface DeclaredRule {
  readonly address: string;
  readonly name: string;
  readonly arn: string;
  readonly busName: string;
  readonly pattern: EventPattern;
  readonly targets: readonly DeclaredTarget[];
}

/** `arn:aws:sqs:eu-central-1:000000000000:order-created-dev` → `sqs_order-created-dev.jsonl`. */
export function deliveryFile(arn: string): string {
  const [, , service = "target", , , ...rest] = arn.split(":");
  const name = rest.join(":").split(/[:/]/).pop() ?? "target";
  return `${service}_${name}`.replace(/[^A-Za-z0-9_.-]/g, "_") + ".jsonl";
}

/** The stack's pipes from a table stream to an event bus; anything else is named in `unsupported`. */
export function declaredPipes(resolver: TerraformResolver): { pipes: DeclaredPipe[]; unsupported: string[] } {
  const pipes: DeclaredPipe[] = [];
  const unsupported: string[] = [];
  for (const [name, config] of resolver.resources("aws_pipes_pipe")) {
    const address = `aws_pipes_pipe.${name}`;
    const source = referenceOf(config.source);
    const target = referenceOf(config.target);
    if (source?.type !== "aws_dynamodb_table" || source.attribute !== "stream_arn") {
      unsupported.push(
        `${address}: only DynamoDB stream sources run locally; ${String(config.source)} does not`,
      );
      continue;
    }
    if (target?.type !== "aws_cloudwatch_event_bus") {
      unsupported.push(`${address}: only event bus targets run locally; ${String(config.target)} does not`);
      continue;
    }
    if (config.desired_state === "STOPPED") continue;
    const sourceParameters = first(config.source_parameters);
    const stream = first(sourceParameters.dynamodb_stream_parameters);
    const targetParameters = first(config.target_parameters);
    const bus = first(targetParameters.eventbridge_event_bus_parameters);
    const pipeName = resolver.resolveString(String(config.name));
    pipes.push({
      address,
      name: pipeName,
      arn: `arn:aws:pipes:${resolver.region}:${resolver.accountId}:pipe/${pipeName}`,
      tableName: resolver.attribute("aws_dynamodb_table", source.name, "name"),
      startingPosition: stream.starting_position === "TRIM_HORIZON" ? "TRIM_HORIZON" : "LATEST",
      filters: ((first(sourceParameters.filter_criteria).filter as Block[] | undefined) ?? []).map(
        (f) => JSON.parse(resolver.resolveString(String(f.pattern))) as EventPattern,
      ),
      ...(typeof targetParameters.input_template === "string"
        ? { inputTemplate: resolver.resolveString(targetParameters.input_template) }
        : {}),
      busName: resolver.attribute("aws_cloudwatch_event_bus", target.name, "name"),
      busArn: resolver.resolveString(String(config.target)),
      detailType:
        typeof bus.detail_type === "string"
          ? resolver.resolveString(bus.detail_type)
          : "Event from aws:dynamodb",
      source: typeof bus.source === "string" ? resolver.resolveString(bus.source) : `Pipe ${pipeName}`,
      resources: (resolver.resolve(bus.resources ?? []) as string[]) ?? [],
    });
  }
  return { pipes, unsupported };
}

/** The stack's rules with an event pattern, and their targets. */
export function declaredRules(resolver: TerraformResolver): DeclaredRule[] {
  const targets = resolver
    .resources("aws_cloudwatch_event_target")
    .map(([, config]) => resolver.resolve(config) as Block);
  return resolver
    .resources("aws_cloudwatch_event_rule")
    .filter(
      ([, config]) =>
        config.event_pattern !== undefined && config.state !== "DISABLED" && config.is_enabled !== false,
    )
    .map(([name, config]) => {
      const ruleName = resolver.attribute("aws_cloudwatch_event_rule", name, "name");
      const busName =
        config.event_bus_name === undefined
          ? "default"
          : resolver.resolveString(String(config.event_bus_name));
      const arn = `arn:aws:events:${resolver.region}:${resolver.accountId}:rule/${busName === "default" ? "" : `${busName}/`}${ruleName}`;
      return {
        address: `aws_cloudwatch_event_rule.${name}`,
        name: ruleName,
        arn,
        busName,
        pattern: JSON.parse(resolver.resolveString(String(config.event_pattern))) as EventPattern,
        targets: targets
          .filter((t) => t.rule === ruleName && String(t.event_bus_name ?? "default") === busName)
          .map((t) => {
            const transformer = first(t.input_transformer);
            return {
              targetId: String(t.target_id ?? t.arn),
              arn: String(t.arn),
              ...(typeof t.input === "string" ? { input: t.input } : {}),
              ...(typeof t.input_path === "string" ? { inputPath: t.input_path } : {}),
              ...(typeof transformer.input_template === "string"
                ? {
                    inputTransformer: {
                      inputPaths: (transformer.input_paths ?? {}) as Record<string, string>,
                      inputTemplate: transformer.input_template,
                    },
                  }
                : {}),
              file: deliveryFile(String(t.arn)),
            };
          }),
      };
    });
}

/** What a target receives for an event: the whole event, or what its input settings make of it. */
export function targetInput(
  target: DeclaredTarget,
  event: Block,
  rule: Pick<DeclaredRule, "arn" | "name">,
): unknown {
  if (target.input !== undefined) return JSON.parse(target.input) as unknown;
  if (target.inputPath !== undefined) return jsonPath(event, target.inputPath);
  if (target.inputTransformer) {
    const rendered = renderInputTransformer(target.inputTransformer, event, rule);
    try {
      return JSON.parse(rendered) as unknown;
    } catch {
      return rendered; // a transformer may render plain text
    }
  }
  return event;
}

/** A stream record as Pipes (and Lambda) see it: attribute values as JSON, times in epoch seconds. */
export function pipeRecord(record: StreamRecord, streamArn: string, region: string): Block {
  const plain = JSON.parse(
    JSON.stringify(record, (key, value: unknown) =>
      value instanceof Uint8Array ? Buffer.from(value).toString("base64") : value,
    ),
  ) as Block;
  const dynamodb = (plain.dynamodb ?? {}) as Block;
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    eventID: plain.eventID,
    eventName: plain.eventName,
    eventVersion: plain.eventVersion ?? "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: region,
    dynamodb: {
      ...dynamodb,
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
    },
    eventSourceARN: streamArn,
  };
}

/** An EventBridge event as PutEvents makes it: envelope, and the rendered detail. */
export function busEvent(
  pipe: DeclaredPipe,
  detail: unknown,
  scope: { region: string; accountId: string },
): Block {
  return {
    version: "0",
    id: randomUUID(),
    "detail-type": pipe.detailType,
    source: pipe.source,
    account: scope.accountId,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    region: scope.region,
    resources: [...pipe.resources],
    detail,
  };
}

export interface EventPathOptions {
  readonly resolvers: readonly TerraformResolver[];
  /** DynamoDB Local itself (the pipe reads as the service, not through the local IAM gateway). */
  readonly dynamodbEndpoint: string;
  readonly region: string;
  readonly accountId: string;
  /** Where the JSONL files of the targets are written. */
  readonly eventsDir: string;
  readonly log: (line: string) => void;
  /** How often each stream is read. @default 200 ms */
  readonly pollMs?: number;
  /**
   * The queues a function consumes locally (sqs-queues.ts): a target that is one of them gets the
   * message there, and its function runs, instead of in a file.
   * @default none: every delivery goes to a file
   */
  readonly queues?: { send(queueArn: string, body: string): boolean };
}

export interface EventPath {
  readonly pipes: readonly DeclaredPipe[];
  readonly rules: readonly DeclaredRule[];
  stop(): Promise<void>;
}

/** Puts one event on a bus: every matching rule delivers it to each of its targets' files. */
function putOnBus(
  event: Block,
  busName: string,
  rules: readonly DeclaredRule[],
  options: EventPathOptions,
): number {
  let delivered = 0;
  for (const rule of rules.filter((r) => r.busName === busName)) {
    if (!matchesPattern(rule.pattern, event)) continue;
    for (const target of rule.targets) {
      const input = JSON.stringify(targetInput(target, event, rule));
      delivered++;
      if (options.queues?.send(target.arn, input)) {
        options.log(
          `[events] ${String(event["detail-type"])} (${String(event.source)}) on ${busName} → rule ${rule.name} → ` +
            `${target.arn} (a local queue: its event source mapping invokes the function)`,
        );
        continue;
      }
      const file = join(options.eventsDir, target.file);
      appendFileSync(file, `${input}\n`);
      options.log(
        `[events] ${String(event["detail-type"])} (${String(event.source)}) on ${busName} → rule ${rule.name} → ` +
          `${target.arn} (${file.startsWith(process.cwd()) ? relative(process.cwd(), file) : file})`,
      );
    }
  }
  return delivered;
}

/** Reads one table stream: every shard, new shards as DynamoDB Local opens them, in order. */
class StreamReader {
  private readonly iterators = new Map<string, string | undefined>();
  private readonly done = new Set<string>();
  private streamArn?: string;

  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly streams: DynamoDBStreamsClient,
    private readonly pipe: DeclaredPipe,
  ) {}

  get arn(): string | undefined {
    return this.streamArn;
  }

  /** Finds the stream and positions every shard it has now at the pipe's starting position. */
  async open(): Promise<void> {
    const table = await this.ddb.send(new DescribeTableCommand({ TableName: this.pipe.tableName }));
    this.streamArn = table.Table?.LatestStreamArn;
    if (!this.streamArn) throw new Error(`${this.pipe.address}: table ${this.pipe.tableName} has no stream`);
    await this.discover(this.pipe.startingPosition);
  }

  private async discover(position: "LATEST" | "TRIM_HORIZON"): Promise<void> {
    const stream = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
    for (const shard of stream.StreamDescription?.Shards ?? []) {
      const id = shard.ShardId as string;
      if (this.iterators.has(id) || this.done.has(id)) continue;
      const iterator = await this.streams.send(
        new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: id, ShardIteratorType: position }),
      );
      this.iterators.set(id, iterator.ShardIterator);
    }
  }

  /** The records written since the last read, shard by shard. */
  async read(): Promise<StreamRecord[]> {
    // A shard opened after the start holds only new records: read it from its beginning.
    await this.discover("TRIM_HORIZON");
    const records: StreamRecord[] = [];
    for (const [id, iterator] of this.iterators) {
      if (!iterator) continue;
      const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      records.push(...(page.Records ?? []));
      if (page.NextShardIterator) {
        this.iterators.set(id, page.NextShardIterator);
      } else {
        this.iterators.delete(id);
        this.done.add(id);
      }
    }
    return records;
  }
}

/** One record through the pipe: filter, template, bus. */
function runPipe(
  pipe: DeclaredPipe,
  streamArn: string,
  raw: StreamRecord,
  rules: readonly DeclaredRule[],
  options: EventPathOptions,
) {
  const record = pipeRecord(raw, streamArn, options.region);
  if (pipe.filters.length > 0 && !pipe.filters.some((f) => matchesPattern(f, record))) return;
  const context = {
    ...{ pipeArn: pipe.arn, pipeName: pipe.name, sourceArn: streamArn, targetArn: pipe.busArn },
    ingestionTime: new Date().toISOString(),
  };
  const rendered = pipe.inputTemplate
    ? renderPipeTemplate(pipe.inputTemplate, record, context)
    : JSON.stringify(record);
  let detail: unknown;
  try {
    detail = JSON.parse(rendered);
  } catch {
    options.log(
      `[pipe ${pipe.name}] FAILED: the input template rendered no JSON (${rendered}); AWS sends the record to the pipe's DLQ`,
    );
    return;
  }
  const event = busEvent(pipe, detail, options);
  const delivered = putOnBus(event, pipe.busName, rules, options);
  options.log(
    `[pipe ${pipe.name}] ${String(record.eventName)} → ${pipe.detailType} on ${pipe.busName} (${delivered} deliveries)`,
  );
}

/** Starts reading every declared pipe's stream; see the module's description. */
export async function startEventPath(options: EventPathOptions): Promise<EventPath> {
  const pipes: DeclaredPipe[] = [];
  const rules: DeclaredRule[] = [];
  for (const resolver of options.resolvers) {
    const declared = declaredPipes(resolver);
    for (const note of declared.unsupported) options.log(`[events] ${note}`);
    pipes.push(...declared.pipes);
    rules.push(...declaredRules(resolver));
  }
  if (pipes.length === 0) return { pipes, rules, stop: async () => undefined };
  mkdirSync(options.eventsDir, { recursive: true });
  const config = {
    region: options.region,
    endpoint: options.dynamodbEndpoint,
    credentials: LOCAL_CREDENTIALS,
  };
  const ddb = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  const readers = pipes.map((pipe) => ({ pipe, reader: new StreamReader(ddb, streams, pipe) }));
  await Promise.all(readers.map(({ reader }) => reader.open()));
  let stopped = false;
  let reported = false;
  const loop = (async () => {
    while (!stopped) {
      for (const { pipe, reader } of readers) {
        try {
          for (const record of await reader.read())
            runPipe(pipe, reader.arn as string, record, rules, options);
          reported = false;
        } catch (error) {
          if (!stopped && !reported)
            options.log(`[pipe ${pipe.name}] reading the stream failed: ${(error as Error).message}`);
          reported = true;
        }
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
    }
  })();
  return {
    pipes,
    rules,
    stop: async () => {
      stopped = true;
      await loop;
      ddb.destroy();
      streams.destroy();
    },
  };
}
