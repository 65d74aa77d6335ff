import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LOCALHOST } from "./emulators";

/** A request body read up to a limit: the bytes, or how many arrived when the limit was passed. */
export type LimitedBody =
  { readonly ok: true; readonly body: Buffer } | { readonly ok: false; readonly receivedBytes: number };

/**
 * Reads a request body, keeping at most `limitBytes`. Past the limit the rest is read and dropped, not
 * kept, so an oversized upload costs no memory and the client still gets a clean answer once it has
 * sent everything (a response in the middle of its upload would reach it as a reset connection).
 */
export function readLimitedBody(req: IncomingMessage, limitBytes: number): Promise<LimitedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    req.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limitBytes) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("end", () =>
      resolve(
        received <= limitBytes
          ? { ok: true, body: Buffer.concat(chunks) }
          : { ok: false, receivedBytes: received },
      ),
    );
    req.on("error", reject);
  });
}

/** Listens on 127.0.0.1 (`port` 0: a free port); resolves with the port, rejects when it is taken. */
export async function listenOnLocalhost(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LOCALHOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Stops accepting requests and drops open connections (keep-alive ones too). */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
