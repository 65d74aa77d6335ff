import { request, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { LOCALHOST } from "../../local/emulators";

/** Sends a request on to `target` as it came, and resolves with the whole answer. */
export function forward(
  target: string,
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): Promise<{ status: number; headers: IncomingHttpHeaders; payload: Buffer }> {
  const url = new URL(path, target);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method, headers: { ...headers, host: url.host, "content-length": String(body.length) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 502,
            headers: response.headers,
            payload: Buffer.concat(chunks),
          }),
        );
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

/**
 * Forwards a request to `target` and streams the answer to `res` as it comes (a 65 MiB object is never
 * held whole here), or answers 502 when the target cannot be reached.
 */
export function relay(
  target: string,
  incoming: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer },
  res: ServerResponse,
): void {
  const url = new URL(incoming.url, target);
  const outgoing = request(
    url,
    {
      method: incoming.method,
      headers: { ...incoming.headers, host: url.host, "content-length": String(incoming.body.length) },
    },
    (response) => {
      res.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(res);
    },
  );
  outgoing.on("error", () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  outgoing.end(incoming.body);
}

/** Listens on 127.0.0.1 on a free port; `stop` drops open connections (a stuck one too) and closes. */
export async function listenOnLoopback(
  server: Server,
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, LOCALHOST, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${LOCALHOST}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
