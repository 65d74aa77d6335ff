import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { join, relative } from "node:path";
import { LOCALHOST } from "./emulators";
import { deliveryFile } from "./event-path";
import { closeServer, listenOnLocalhost, readLimitedBody } from "./http-server";
import type { TerraformResolver } from "./terraform";

/** SNS's own limit on a message, with room for the form encoding around it. */
const MAX_REQUEST_BYTES = 1024 * 1024;
const XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/";

/** The ARN of every `aws_sns_topic` of the stack. */
export function declaredTopicArns(resolver: TerraformResolver): string[] {
  return resolver
    .resources("aws_sns_topic")
    .map(([name]) => resolver.attribute("aws_sns_topic", name, "arn"));
}

/** One published message as the local endpoint records it: SNS's notification fields. */
export interface PublishedMessage {
  readonly Type: "Notification";
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly MessageAttributes: Readonly<Record<string, { readonly Type: string; readonly Value: string }>>;
}

/**
 * A Publish request's fields, from SNS's query protocol (`Action=Publish&TopicArn=…&Message=…&
 * MessageAttributes.entry.1.Name=…&MessageAttributes.entry.1.Value.StringValue=…`).
 */
export function parsePublish(
  form: URLSearchParams,
): Omit<PublishedMessage, "Type" | "MessageId" | "Timestamp"> {
  const attributes: Record<string, { Type: string; Value: string }> = {};
  for (let i = 1; form.has(`MessageAttributes.entry.${i}.Name`); i++) {
    const entry = `MessageAttributes.entry.${i}`;
    attributes[String(form.get(`${entry}.Name`))] = {
      Type: form.get(`${entry}.Value.DataType`) ?? "String",
      Value: form.get(`${entry}.Value.StringValue`) ?? "",
    };
  }
  const subject = form.get("Subject");
  return {
    TopicArn: form.get("TopicArn") ?? "",
    ...(subject !== null ? { Subject: subject } : {}),
    Message: form.get("Message") ?? "",
    MessageAttributes: attributes,
  };
}

export interface SnsEndpointOptions {
  /** The topics that exist (the stacks' `aws_sns_topic`s); `update` replaces them on a reload. */
  readonly topicArns: readonly string[];
  /** Where each topic's messages are appended, as `sns_<topic>.jsonl`. */
  readonly eventsDir: string;
  readonly log: (line: string) => void;
  /** @default a free port */
  readonly port?: number;
}

export interface SnsEndpoint {
  /** `http://127.0.0.1:<port>`: the functions' `AWS_ENDPOINT_URL_SNS`. */
  readonly endpoint: string;
  update(topicArns: readonly string[]): void;
  stop(): Promise<void>;
}

function xml(status: number, body: string) {
  return { status, body: `<?xml version="1.0"?>\n${body}` };
}

/**
 * SNS's Publish, locally: no SNS emulator that is kept up runs on Node 20, and a local run has no
 * subscribers to deliver to, so each message published to a declared topic is appended, in SNS's
 * notification shape, to `<eventsDir>/sns_<topic>.jsonl` (beside the files of the rule targets, see
 * event-path.ts) with a log line, and answered with a message id as SNS answers. A topic no stack
 * declares gets SNS's `NotFound`; any other action, `InvalidAction`.
 */
export async function startSnsEndpoint(options: SnsEndpointOptions): Promise<SnsEndpoint> {
  let topics = new Set(options.topicArns);
  const server = createServer((request, response) => {
    void readLimitedBody(request, MAX_REQUEST_BYTES).then((read) => {
      const form = new URLSearchParams(read.ok ? read.body.toString("utf8") : "");
      const requestId = randomUUID();
      const error = (status: number, code: string, message: string) =>
        xml(
          status,
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${code}</Code>` +
            `<Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
        );
      let answer: { status: number; body: string };
      if (form.get("Action") !== "Publish") {
        answer = error(400, "InvalidAction", `${form.get("Action") ?? "?"} is not answered locally`);
      } else {
        const published = parsePublish(form);
        if (!topics.has(published.TopicArn)) {
          answer = error(404, "NotFound", "Topic does not exist");
        } else {
          const message: PublishedMessage = {
            Type: "Notification",
            MessageId: randomUUID(),
            ...published,
            Timestamp: new Date().toISOString(),
          };
          mkdirSync(options.eventsDir, { recursive: true });
          const file = join(options.eventsDir, deliveryFile(message.TopicArn));
          appendFileSync(file, `${JSON.stringify(message)}\n`);
          const shown = file.startsWith(process.cwd()) ? relative(process.cwd(), file) : file;
          options.log(`[sns] Publish to ${message.TopicArn} → ${shown}`);
          answer = xml(
            200,
            `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${message.MessageId}</MessageId>` +
              `</PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`,
          );
        }
      }
      response.writeHead(answer.status, { "content-type": "text/xml" });
      response.end(answer.body);
    });
  });
  const port = await listenOnLocalhost(server, options.port ?? 0);
  return {
    endpoint: `http://${LOCALHOST}:${port}`,
    update: (topicArns) => (topics = new Set(topicArns)),
    stop: () => closeServer(server),
  };
}
