import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCognitoLocal, startDynamoDbLocal, startS3Server, type Emulator } from "../../local/emulators";
import synthOnce from "./global-synth";

/** The environment variables through which test files find the run's DynamoDB Local and S3 server. */
export const EMULATOR_VARIABLES = {
  dynamodb: "MOVIES_TEST_DYNAMODB_ENDPOINT",
  s3: "MOVIES_TEST_S3_ENDPOINT",
  cognito: "MOVIES_TEST_COGNITO_ENDPOINT",
} as const;

/** What global-emulators-teardown.ts stops: setup and teardown run in jest's main process. */
const RUNNING = Symbol.for("movies-cdktf.test-emulators");
type WithEmulators = typeof globalThis & { [RUNNING]?: () => Promise<void> };

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * The integration project's global setup: the stacks synthesized once (global-synth.ts), then ONE
 * DynamoDB Local (in memory), ONE s3rver and ONE cognito-local for the whole run, on free 127.0.0.1 ports. Test files reach
 * them through {@link EMULATOR_VARIABLES} (helpers/local-aws.ts), each with tables and buckets of its own
 * names. Jest runs it only when an integration test is selected, so unit runs start no JVM.
 *
 * The emulators never outlive the run: global-emulators-teardown.ts stops them after the last test,
 * passed or failed; if jest is killed by a signal instead, the JVM is stopped before jest goes, and on
 * any other exit local/emulators.ts kills it.
 */
export default async function globalSetup(): Promise<void> {
  synthOnce();
  const s3Dir = mkdtempSync(join(tmpdir(), "s3rver-"));
  const cognitoDir = mkdtempSync(join(tmpdir(), "cognito-local-"));
  const started = await Promise.allSettled([
    startDynamoDbLocal(),
    startS3Server({ directory: s3Dir }),
    startCognitoLocal({ directory: cognitoDir }),
  ]);
  const [dynamodb, s3, cognito] = started.map((r) => (r.status === "fulfilled" ? r.value : undefined)) as [
    Emulator | undefined,
    Emulator | undefined,
    Emulator | undefined,
  ];
  const stopAll = async () => {
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    await Promise.all([dynamodb?.stop(), s3?.stop(), cognito?.stop()]);
    rmSync(s3Dir, { recursive: true, force: true });
    rmSync(cognitoDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // stop() sends the JVM its SIGTERM at once; then the signal does to jest what it would have done.
    void stopAll();
    process.kill(process.pid, signal);
  };
  if (!dynamodb || !s3 || !cognito) {
    await stopAll();
    throw started.find((r): r is PromiseRejectedResult => r.status === "rejected")?.reason;
  }
  for (const signal of SIGNALS) process.once(signal, onSignal);
  (globalThis as WithEmulators)[RUNNING] = stopAll;
  process.env[EMULATOR_VARIABLES.dynamodb] = dynamodb.endpoint;
  process.env[EMULATOR_VARIABLES.s3] = s3.endpoint;
  process.env[EMULATOR_VARIABLES.cognito] = cognito.endpoint;
}

/** Stops what {@link globalSetup} started (global-emulators-teardown.ts). */
export async function stopEmulators(): Promise<void> {
  const stop = (globalThis as WithEmulators)[RUNNING];
  delete (globalThis as WithEmulators)[RUNNING];
  delete process.env[EMULATOR_VARIABLES.dynamodb];
  delete process.env[EMULATOR_VARIABLES.s3];
  delete process.env[EMULATOR_VARIABLES.cognito];
  await stop?.();
}
