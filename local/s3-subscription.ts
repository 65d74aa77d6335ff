import type { Invoke } from "./api-server";
import type { S3Server } from "./emulators";
import {
  notificationMatches,
  toS3EventRecord,
  type DeclaredNotification,
  type S3rverRecord,
} from "./s3-notifications";

/** A bucket notification of a running stack, with the region its events carry. */
export interface NotificationTarget {
  readonly notification: DeclaredNotification;
  readonly region: string;
}

/**
 * Invokes the notification's function for every matching object written to the S3 server, the way S3
 * does: asynchronously (the PUT is not held up), one record per event. A failure is logged with the
 * function's error; the local run keeps serving. S3 would retry a failed invocation twice; locally it
 * is logged once, so the log reads in order. `targets` is read for every event, so a reload applies to
 * the next object written. Returns how to unsubscribe (waiting for the invocations in flight).
 */
export function subscribeNotifications(
  s3: S3Server,
  targets: () => readonly NotificationTarget[],
  invoke: Invoke,
  log: (line: string) => void,
): () => Promise<void> {
  const inFlight = new Set<Promise<unknown>>();
  const listener = (event: { Records: S3rverRecord[] }) => {
    for (const record of event.Records) {
      const key = record.s3.object.key;
      for (const { notification, region } of targets()) {
        if (!notificationMatches(notification, record.s3.bucket.name, record.eventName, key)) continue;
        const s3Event = { Records: [toS3EventRecord(record, { region, notification })] };
        const started = Date.now();
        const run = invoke(notification.functionName, s3Event).then((outcome) => {
          const took = `${Date.now() - started} ms`;
          const what = `s3://${notification.bucket}/${key} ${record.eventName} → ${notification.functionName}`;
          if (outcome.ok) log(`[s3] ${what} ok ${took}`);
          else log(`[s3] ${what} FAILED ${took}: ${outcome.error.name}: ${outcome.error.message}`);
        });
        inFlight.add(run);
        void run.finally(() => inFlight.delete(run));
      }
    }
  };
  s3.server.on("event", listener as (...args: unknown[]) => void);
  return async () => {
    s3.server.removeListener("event", listener as (...args: unknown[]) => void);
    await Promise.allSettled([...inFlight]);
  };
}
