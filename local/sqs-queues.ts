import { createHash, randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { decodeJsonencode, isJsonencode } from "../tooling/hcl-expression";
import { referenceOf } from "../tooling/terraform-json";
import type { Invoke } from "./api-server";
import { deliveryFile } from "./event-path";
import { functionNameOfArn } from "./functions";
import type { TerraformResolver } from "./terraform";

/** An SQS queue that a Lambda event source mapping reads, as the stack declares them. */
export interface DeclaredQueueConsumer {
  /** `aws_lambda_event_source_mapping.<name>`. */
  readonly address: string;
  readonly queueName: string;
  readonly queueArn: string;
  readonly functionName: string;
  readonly batchSize: number;
  /** `function_response_types` holds `ReportBatchItemFailures`: the answer names the records that failed. */
  readonly reportsBatchItemFailures: boolean;
  /** From the queue's redrive policy; without one, a failing message is retried forever (as on AWS). */
  readonly deadLetter?: { readonly queueArn: string; readonly maxReceiveCount: number };
}

type Block = Record<string, unknown>;

/** The queue's redrive policy: where, and after how many receives. */
function redriveOf(resolver: TerraformResolver, config: Block): DeclaredQueueConsumer["deadLetter"] {
  const policy = config.redrive_policy;
  if (policy === undefined) return undefined;
  const decoded = (
    isJsonencode(policy)
      ? resolver.resolve(decodeJsonencode(policy))
      : JSON.parse(resolver.resolveString(String(policy)))
  ) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
  if (!decoded.deadLetterTargetArn) return undefined;
  return { queueArn: decoded.deadLetterTargetArn, maxReceiveCount: Number(decoded.maxReceiveCount ?? 1) };
}

/** Every SQS event source mapping of the stack, with its queue; other sources are not run locally. */
export function declaredQueueConsumers(resolver: TerraformResolver): DeclaredQueueConsumer[] {
  return resolver.resources("aws_lambda_event_source_mapping").flatMap(([name, config]) => {
    const source = referenceOf(config.event_source_arn);
    if (source?.type !== "aws_sqs_queue" || config.enabled === false) return [];
    const queue = resolver.config("aws_sqs_queue", source.name);
    const target = resolver.resolveString(String(config.function_name));
    const functionName = functionNameOfArn(target) ?? target;
    const deadLetter = redriveOf(resolver, queue);
    return [
      {
        address: `aws_lambda_event_source_mapping.${name}`,
        queueName: resolver.attribute("aws_sqs_queue", source.name, "name"),
        queueArn: resolver.attribute("aws_sqs_queue", source.name, "arn"),
        functionName,
        batchSize: Number(config.batch_size ?? 10),
        reportsBatchItemFailures: ((config.function_response_types as string[] | undefined) ?? []).includes(
          "ReportBatchItemFailures",
        ),
        ...(deadLetter ? { deadLetter } : {}),
      },
    ];
  });
}

interface Message {
  readonly messageId: string;
  readonly body: string;
  readonly sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  visibleAt: number;
}

export interface LocalQueuesOptions {
  readonly invoke: Invoke;
  /** Where dead-lettered messages are written (`sqs_<dlq>.jsonl`, as undelivered rule targets are). */
  readonly eventsDir: string;
  readonly region: string;
  readonly log: (line: string) => void;
  /** How often the queues are polled. @default 200 ms */
  readonly pollMs?: number;
  /**
   * How long a failed message stays invisible before it is received again; AWS waits the queue's
   * visibility timeout (a minute for notify), which would make a local retry wait as long.
   * @default 1000 ms
   */
  readonly retryDelayMs?: number;
}

/**
 * The SQS queues that Lambda event source mappings read, run locally in memory: a message sent to one
 * (by a rule target, see event-path.ts) is received in batches of the mapping's `batch_size` and the
 * function is invoked with the SQS event Lambda would send. What the answer names in `batchItemFailures`
 * (or the whole batch, when the invocation fails) is received again after `retryDelayMs`, with its
 * `ApproximateReceiveCount` raised, and moved to the dead-letter queue's file
 * (`<eventsDir>/sqs_<dlq>.jsonl`) once it has been received the redrive policy's `maxReceiveCount` times.
 * Messages live as long as the run: a restart starts with empty queues.
 */
export class LocalQueues {
  private consumers = new Map<string, DeclaredQueueConsumer>();
  private readonly messages = new Map<string, Message[]>();
  private readonly busy = new Set<string>();
  private readonly timer: NodeJS.Timeout;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly options: LocalQueuesOptions) {
    this.timer = setInterval(() => this.poll(), options.pollMs ?? 200);
  }

  /** Serves these consumers from now on (a reload); messages of queues still consumed are kept. */
  update(consumers: readonly DeclaredQueueConsumer[]): void {
    this.consumers = new Map(consumers.map((c) => [c.queueArn, c]));
  }

  /** The consumers served now. */
  list(): DeclaredQueueConsumer[] {
    return [...this.consumers.values()];
  }

  /** Sends `body` to the queue `queueArn` if a function consumes it here; false otherwise. */
  send(queueArn: string, body: string): boolean {
    if (!this.consumers.has(queueArn)) return false;
    const queue = this.messages.get(queueArn) ?? [];
    queue.push({ messageId: randomUUID(), body, sentAt: Date.now(), receiveCount: 0, visibleAt: 0 });
    this.messages.set(queueArn, queue);
    return true;
  }

  /** Stops polling, and waits for the batches being processed. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.running]);
  }

  private poll(): void {
    for (const consumer of this.consumers.values()) {
      if (this.busy.has(consumer.queueArn)) continue;
      const now = Date.now();
      const queue = this.messages.get(consumer.queueArn) ?? [];
      const batch = queue.filter((m) => m.visibleAt <= now).slice(0, consumer.batchSize);
      if (batch.length === 0) continue;
      this.busy.add(consumer.queueArn);
      const run = this.process(consumer, batch).finally(() => {
        this.busy.delete(consumer.queueArn);
        this.running.delete(run);
      });
      this.running.add(run);
    }
  }

  private async process(consumer: DeclaredQueueConsumer, batch: Message[]): Promise<void> {
    const now = Date.now();
    for (const message of batch) {
      message.receiveCount++;
      message.firstReceivedAt ??= now;
      message.visibleAt = Number.POSITIVE_INFINITY; // in flight
    }
    const event: SQSEvent = { Records: batch.map((m) => this.record(consumer, m)) };
    const outcome = await this.options.invoke(consumer.functionName, event);
    let failed: Set<string>;
    if (!outcome.ok) {
      failed = new Set(batch.map((m) => m.messageId));
      this.options.log(
        `[sqs ${consumer.queueName}] ${consumer.functionName} failed the whole batch: ${outcome.error.message}`,
      );
    } else if (consumer.reportsBatchItemFailures) {
      const response = (outcome.result ?? {}) as Partial<SQSBatchResponse>;
      failed = new Set((response.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    } else {
      failed = new Set();
    }
    const queue = this.messages.get(consumer.queueArn) ?? [];
    for (const message of batch) {
      if (!failed.has(message.messageId)) {
        queue.splice(queue.indexOf(message), 1);
        continue;
      }
      const { deadLetter } = consumer;
      if (deadLetter && message.receiveCount >= deadLetter.maxReceiveCount) {
        queue.splice(queue.indexOf(message), 1);
        const file = join(this.options.eventsDir, deliveryFile(deadLetter.queueArn));
        mkdirSync(this.options.eventsDir, { recursive: true });
        appendFileSync(file, `${message.body}\n`);
        this.options.log(
          `[sqs ${consumer.queueName}] message ${message.messageId} failed ${message.receiveCount} receives ` +
            `(maxReceiveCount): moved to the DLQ ${deadLetter.queueArn} (${file})`,
        );
        continue;
      }
      message.visibleAt = Date.now() + (this.options.retryDelayMs ?? 1000);
    }
    const done = batch.length - batch.filter((m) => failed.has(m.messageId)).length;
    this.options.log(
      `[sqs ${consumer.queueName}] → ${consumer.functionName}: ${batch.length} message(s), ${done} done, ` +
        `${failed.size} reported failed`,
    );
  }

  /** One message as Lambda's SQS event source delivers it. */
  private record(consumer: DeclaredQueueConsumer, message: Message): SQSRecord {
    return {
      messageId: message.messageId,
      receiptHandle: Buffer.from(`${message.messageId}:${message.receiveCount}`).toString("base64"),
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: "AROALOCALEVENTBRIDGE",
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
      },
      messageAttributes: {},
      md5OfBody: createHash("md5").update(message.body).digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: consumer.queueArn,
      awsRegion: this.options.region,
    };
  }
}
