import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Invoke } from "./api-server";
import { LOCALHOST } from "./emulators";
import { closeServer, listenOnLocalhost, readLimitedBody } from "./http-server";
import type { TerraformResolver } from "./terraform";

/**
 * Step Functions does not run locally, so the local run answers the two calls our code makes
 * (`StartExecution`, `DescribeExecution`, on `AWS_ENDPOINT_URL_SFN`) and executes the one shape of state
 * machine the stacks declare, read from cdk.tf.json: a Distributed Map whose item reader reads a CSV object,
 * whose ItemSelector and ItemBatcher build batches, whose processor is one `lambda:invoke` Task, and whose
 * ResultWriter puts the results in S3. The batches run through the run's own function processes, one after
 * the other, with the definition's batch size, retries (without their waits) and tolerated failure
 * percentage; the results are written under the same prefix, in the same files, as on AWS. What differs is in
 * docs/ingestion.md ("Locally").
 */

type Json = unknown;
type JsonObject = Record<string, Json>;

/** One `aws_sfn_state_machine` of a stack, its definition resolved. */
export interface DeclaredStateMachine {
  readonly address: string;
  readonly name: string;
  readonly arn: string;
  readonly definition: JsonObject;
}

/** Every `aws_sfn_state_machine` of the stack, its references resolved to local names. */
export function declaredStateMachines(resolver: TerraformResolver): DeclaredStateMachine[] {
  return resolver.resources("aws_sfn_state_machine").map(([name, config]) => ({
    address: `aws_sfn_state_machine.${name}`,
    name: resolver.attribute("aws_sfn_state_machine", name, "name"),
    arn: resolver.attribute("aws_sfn_state_machine", name, "arn"),
    definition: JSON.parse(String(resolver.resolve(config.definition))) as JsonObject,
  }));
}

/** An execution as `DescribeExecution` answers it. */
export interface LocalExecution {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  status: "RUNNING" | "SUCCEEDED" | "FAILED";
  readonly startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  /** Settles when the execution ends. */
  readonly done: Promise<void>;
}

export interface LocalStepFunctionsOptions {
  /** 0 for a free port. @default 0 */
  readonly port?: number;
  /** The S3 server, as the service reads and writes it (not through the IAM gateway). */
  readonly s3: S3Client;
  /** Invokes one of the run's functions by name. */
  readonly invoke: Invoke;
  /** The state machines the run's stacks declare now. */
  readonly machines: () => readonly DeclaredStateMachine[];
  readonly log: (line: string) => void;
}

export interface LocalStepFunctions {
  /** `http://127.0.0.1:<port>`: what functions get as `AWS_ENDPOINT_URL_SFN`. */
  readonly endpoint: string;
  /** Executions by name, for tests and the log. */
  execution(name: string): LocalExecution | undefined;
  stop(): Promise<void>;
}

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** The executions of a local run, started and described as Step Functions does. */
class Executions {
  private readonly byArn = new Map<string, LocalExecution>();
  readonly running = new Set<Promise<void>>();

  constructor(private readonly options: LocalStepFunctionsOptions) {}

  byName(name: string): LocalExecution | undefined {
    return [...this.byArn.values()].find((e) => e.name === name);
  }

  start(body: JsonObject): JsonObject {
    const machine = this.options.machines().find((m) => m.arn === body.stateMachineArn);
    if (!machine) {
      throw new ServiceError(
        "StateMachineDoesNotExist",
        `State Machine Does Not Exist: '${String(body.stateMachineArn)}'`,
      );
    }
    const name = typeof body.name === "string" ? body.name : randomUUID();
    const input = typeof body.input === "string" ? body.input : "{}";
    const executionArn = `${machine.arn.replace(":stateMachine:", ":execution:")}:${name}`;
    const existing = this.byArn.get(executionArn);
    if (existing) {
      // As Step Functions: the same name and input while it runs is the same execution; otherwise refused.
      if (existing.status === "RUNNING" && existing.input === input) {
        return { executionArn, startDate: existing.startDate.getTime() / 1000 };
      }
      throw new ServiceError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
    }
    let finish: () => void = () => undefined;
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      input,
      status: "RUNNING",
      startDate: new Date(),
      done: new Promise<void>((resolve) => (finish = resolve)),
    };
    this.byArn.set(executionArn, execution);
    const run = runExecution(machine, execution, this.options)
      .catch((error: unknown) => {
        execution.status = "FAILED";
        execution.error = error instanceof ExecutionError ? error.error : "States.Runtime";
        execution.cause = (error as Error).message;
      })
      .finally(() => {
        execution.stopDate = new Date();
        const seconds = ((execution.stopDate.getTime() - execution.startDate.getTime()) / 1000).toFixed(1);
        this.options.log(
          `[states] ${machine.name} ${name}: ${execution.status} in ${seconds} s` +
            (execution.error ? ` (${execution.error}: ${execution.cause ?? ""})` : ""),
        );
        this.running.delete(run);
        finish();
      });
    this.running.add(run);
    return { executionArn, startDate: execution.startDate.getTime() / 1000 };
  }

  describe(body: JsonObject): JsonObject {
    const execution = this.byArn.get(String(body.executionArn));
    if (!execution) {
      throw new ServiceError(
        "ExecutionDoesNotExist",
        `Execution Does Not Exist: '${String(body.executionArn)}'`,
      );
    }
    return {
      executionArn: execution.executionArn,
      stateMachineArn: execution.stateMachineArn,
      name: execution.name,
      status: execution.status,
      startDate: execution.startDate.getTime() / 1000,
      ...(execution.stopDate ? { stopDate: execution.stopDate.getTime() / 1000 } : {}),
      input: execution.input,
      ...(execution.output !== undefined ? { output: execution.output } : {}),
      ...(execution.error !== undefined ? { error: execution.error, cause: execution.cause } : {}),
    };
  }
}

/** Starts the local Step Functions endpoint. */
export async function startLocalStepFunctions(
  options: LocalStepFunctionsOptions,
): Promise<LocalStepFunctions> {
  const executions = new Executions(options);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const reply = (status: number, body: JsonObject, type?: string) => {
        res.writeHead(status, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": randomUUID(),
          ...(type ? { "x-amzn-errortype": type } : {}),
        });
        res.end(JSON.stringify(body));
      };
      try {
        const read = await readLimitedBody(req, 1024 * 1024);
        if (!read.ok) throw new ServiceError("ValidationException", "request too large");
        const body = JSON.parse(read.body.toString("utf8") || "{}") as JsonObject;
        const target = String(req.headers["x-amz-target"] ?? "");
        if (target === "AWSStepFunctions.StartExecution") reply(200, executions.start(body));
        else if (target === "AWSStepFunctions.DescribeExecution") reply(200, executions.describe(body));
        else
          throw new ServiceError(
            "UnknownOperationException",
            `${target || "this operation"} is not served locally`,
          );
      } catch (error) {
        const type = error instanceof ServiceError ? error.type : "InternalServerError";
        reply(400, { __type: type, message: (error as Error).message }, type);
      }
    })();
  });
  const port = await listenOnLocalhost(server, options.port ?? 0);
  return {
    endpoint: `http://${LOCALHOST}:${port}`,
    execution: (name) => executions.byName(name),
    stop: async () => {
      await closeServer(server);
      await Promise.allSettled([...executions.running]);
    },
  };
}

/** An execution's failure, with Step Functions' error name. */
class ExecutionError extends Error {
  constructor(
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

/** The value at a JSONPath of the simple forms the definition uses: `$`, `$.a.b`, `$$.Map.Item.Index`. */
function pathValue(path: string, input: Json, context: JsonObject): Json {
  const [root, rest] = path.startsWith("$$") ? [context as Json, path.slice(2)] : [input, path.slice(1)];
  let value = root;
  for (const key of rest.split(".").filter(Boolean)) {
    if (value === null || typeof value !== "object") {
      throw new ExecutionError("States.Runtime", `The JSONPath '${path}' could not be found in the input`);
    }
    value = (value as JsonObject)[key];
  }
  if (value === undefined)
    throw new ExecutionError("States.Runtime", `The JSONPath '${path}' could not be found in the input`);
  return value;
}

/** A payload template applied: `"key.$": "<path>"` takes the path's value, other keys are literal. */
function applyTemplate(template: Json, input: Json, context: JsonObject = {}): Json {
  if (Array.isArray(template)) return template.map((t) => applyTemplate(t, input, context));
  if (template === null || typeof template !== "object") return template;
  return Object.fromEntries(
    Object.entries(template).map(([key, value]) =>
      key.endsWith(".$")
        ? [key.slice(0, -2), pathValue(String(value), input, context)]
        : [key, applyTemplate(value, input, context)],
    ),
  );
}

/**
 * The records of a CSV text as RFC 4180 reads them: fields split on commas, quoted fields may hold commas,
 * `""` and line breaks; a record ends at a line break outside quotes. A blank line is a record of one empty
 * field.
 */
export function csvRecords(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      fields.push(field);
      records.push(fields);
      fields = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || fields.length > 0) {
    fields.push(field);
    records.push(fields);
  }
  return records;
}

/** The one shape executed locally; anything else fails the execution, naming what is missing. */
function mapState(definition: JsonObject): JsonObject {
  const states = definition.States as JsonObject | undefined;
  const state = states?.[String(definition.StartAt)] as JsonObject | undefined;
  const reader = state?.ItemReader as JsonObject | undefined;
  const config = reader?.ReaderConfig as JsonObject | undefined;
  const processor = state?.ItemProcessor as JsonObject | undefined;
  const mode = (processor?.ProcessorConfig as JsonObject | undefined)?.Mode;
  const task = (processor?.States as JsonObject | undefined)?.[String(processor?.StartAt)] as
    JsonObject | undefined;
  if (
    state?.Type !== "Map" ||
    mode !== "DISTRIBUTED" ||
    reader?.Resource !== "arn:aws:states:::s3:getObject" ||
    config?.InputType !== "CSV" ||
    task?.Resource !== "arn:aws:states:::lambda:invoke"
  ) {
    throw new ExecutionError(
      "States.Runtime",
      "only a Distributed Map with a CSV item reader and one lambda:invoke Task runs locally",
    );
  }
  return state;
}

/** The map's items, as its reader and ItemSelector make them from the object the input names. */
async function readItems(map: JsonObject, input: Json, s3: S3Client): Promise<Json[]> {
  const reader = map.ItemReader as JsonObject;
  const config = reader.ReaderConfig as JsonObject;
  const object = applyTemplate(reader.Parameters, input) as { Bucket: string; Key: string };
  let text: string;
  try {
    // The S3 server keeps no versions, only the current object: the version the input names is not asked for.
    const got = await s3.send(new GetObjectCommand({ Bucket: object.Bucket, Key: object.Key }));
    text = (await got.Body?.transformToString("utf8")) ?? "";
  } catch (error) {
    throw new ExecutionError(
      "States.ItemReaderFailed",
      `reading s3://${object.Bucket}/${object.Key}: ${(error as Error).message}`,
    );
  }
  const records = csvRecords(text);
  const headers =
    config.CSVHeaderLocation === "GIVEN" ? (config.CSVHeaders as string[]) : (records.shift() ?? []);
  return records.map((fields, index) => {
    const value: Record<string, string> = {};
    headers.forEach((header, column) => {
      if (column < fields.length) value[header] = fields[column] as string;
    });
    return map.ItemSelector
      ? applyTemplate(map.ItemSelector, input, { Map: { Item: { Index: index, Value: value } } })
      : value;
  });
}

/** The ItemBatcher's batches: `MaxItemsPerBatch` items, fewer when `MaxInputBytesPerBatch` would be passed. */
function batchesOf(items: readonly Json[], batcher: JsonObject): Json[][] {
  const maxItems = Number(batcher.MaxItemsPerBatch ?? 1);
  const maxBytes = Number(batcher.MaxInputBytesPerBatch ?? 256 * 1024);
  const batches: Json[][] = [];
  let current: Json[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item));
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Runs each batch through the Task's function, one after the other, retried on the Task's errors. */
async function runBatches(
  map: JsonObject,
  batches: readonly Json[][],
  input: Json,
  context: { machine: DeclaredStateMachine; execution: LocalExecution; mapRunId: string },
  options: LocalStepFunctionsOptions,
): Promise<{ succeeded: JsonObject[]; failed: JsonObject[] }> {
  const { machine, execution, mapRunId } = context;
  const batcher = (map.ItemBatcher ?? {}) as JsonObject;
  const batchInput = batcher.BatchInput ? applyTemplate(batcher.BatchInput, input) : undefined;
  const processor = map.ItemProcessor as JsonObject;
  const task = (processor.States as JsonObject)[String(processor.StartAt)] as JsonObject;
  const parameters = task.Parameters as JsonObject;
  const functionName = functionNameOf(String(parameters.FunctionName));
  const retries = (task.Retry ?? []) as { ErrorEquals: string[]; MaxAttempts?: number }[];
  const succeeded: JsonObject[] = [];
  const failed: JsonObject[] = [];
  options.log(
    `[states] ${machine.name} ${execution.name}: ${batches.reduce((n, b) => n + b.length, 0)} items in ` +
      `${batches.length} batches → ${functionName}`,
  );
  for (const [index, batch] of batches.entries()) {
    const childInput = batchInput === undefined ? { Items: batch } : { BatchInput: batchInput, Items: batch };
    const payload = (applyTemplate(parameters, childInput) as { Payload?: Json }).Payload ?? childInput;
    const record = {
      ExecutionArn: `${execution.executionArn}/${mapRunId}:${index}`,
      Input: JSON.stringify(childInput),
      InputDetails: { Included: true },
      Name: `${index}`,
      StartDate: new Date().toISOString(),
      StateMachineArn: machine.arn,
    };
    let outcome = await options.invoke(functionName, payload);
    for (let attempt = 1; !outcome.ok; attempt++) {
      const name = outcome.error.name;
      const rule = retries.find((r) => r.ErrorEquals.includes(name) || r.ErrorEquals.includes("States.ALL"));
      if (!rule || attempt > (rule.MaxAttempts ?? 3)) break;
      outcome = await options.invoke(functionName, payload);
    }
    const StopDate = new Date().toISOString();
    if (outcome.ok) {
      // OutputPath "$.Payload": the function's result is the child's output.
      const Output = JSON.stringify(outcome.result);
      succeeded.push({ ...record, Output, OutputDetails: { Included: true }, Status: "SUCCEEDED", StopDate });
    } else {
      const { name, message } = outcome.error;
      options.log(`[states] ${machine.name} ${execution.name}: batch ${index} failed: ${name}: ${message}`);
      failed.push({ ...record, Error: name, Cause: message, Status: "FAILED", StopDate });
    }
  }
  return { succeeded, failed };
}

/** The ResultWriter's files: `<prefix>/<map run id>/manifest.json` and the results it lists. Returns its key. */
async function writeResults(
  writer: JsonObject,
  input: Json,
  run: { mapRunId: string; mapRunArn: string; succeeded: JsonObject[]; failed: JsonObject[] },
  s3: S3Client,
): Promise<{ Bucket: string; Key: string }> {
  const { Bucket, Prefix } = applyTemplate(writer.Parameters, input) as { Bucket: string; Prefix?: string };
  const base = `${Prefix ? `${Prefix.replace(/\/+$/, "")}/` : ""}${run.mapRunId}`;
  const put = async (name: string, value: Json) => {
    const body = JSON.stringify(value);
    await s3.send(
      new PutObjectCommand({ Bucket, Key: `${base}/${name}`, Body: body, ContentType: "application/json" }),
    );
    return { Key: `${base}/${name}`, Size: Buffer.byteLength(body) };
  };
  const ResultFiles = {
    FAILED: run.failed.length > 0 ? [await put("FAILED_0.json", run.failed)] : [],
    PENDING: [],
    SUCCEEDED: run.succeeded.length > 0 ? [await put("SUCCEEDED_0.json", run.succeeded)] : [],
  };
  const manifest = await put("manifest.json", {
    DestinationBucket: Bucket,
    MapRunArn: run.mapRunArn,
    ResultFiles,
  });
  return { Bucket, Key: manifest.Key };
}

/** Reads the object, builds the batches and runs each through the batch function, then writes the results. */
async function runExecution(
  machine: DeclaredStateMachine,
  execution: LocalExecution,
  options: LocalStepFunctionsOptions,
): Promise<void> {
  const map = mapState(machine.definition);
  const input = JSON.parse(execution.input) as Json;
  const batches = batchesOf(await readItems(map, input, options.s3), (map.ItemBatcher ?? {}) as JsonObject);
  const mapRunId = randomUUID();
  const mapRunArn = `${machine.arn.replace(":stateMachine:", ":mapRun:")}/${String(machine.definition.StartAt)}:${mapRunId}`;
  const { succeeded, failed } = await runBatches(
    map,
    batches,
    input,
    { machine, execution, mapRunId },
    options,
  );
  const writer = map.ResultWriter as JsonObject | undefined;
  if (writer) {
    const details = await writeResults(writer, input, { mapRunId, mapRunArn, succeeded, failed }, options.s3);
    execution.output = JSON.stringify({ MapRunArn: mapRunArn, ResultWriterDetails: details });
    options.log(`[states] ${machine.name} ${execution.name}: results s3://${details.Bucket}/${details.Key}`);
  }
  const tolerated = Number(map.ToleratedFailurePercentage ?? 0);
  if (batches.length > 0 && (failed.length / batches.length) * 100 > tolerated) {
    throw new ExecutionError(
      "States.ExceedToleratedFailureThreshold",
      `${failed.length} of ${batches.length} batches failed, over the tolerated ${tolerated}%`,
    );
  }
  execution.status = "SUCCEEDED";
}

/** `arn:aws:lambda:<region>:<account>:function:<name>[:<alias>]` → `<name>`; a plain name stays as it is. */
function functionNameOf(arnOrName: string): string {
  const match = /:function:([^:]+)/.exec(arnOrName);
  return match?.[1] ?? arnOrName;
}
