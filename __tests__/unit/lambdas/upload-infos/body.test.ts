import { PassThrough } from "node:stream";
import { BodyStalledError, chunksOf } from "../../../../lambdas/upload-infos/body";

const ref = { bucket: "movie-infos", key: "movies.csv" };

async function collect(source: AsyncIterable<Buffer>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of source) chunks.push(chunk.toString());
  return chunks;
}

describe("chunksOf", () => {
  it("yields the body's chunks and ends with it", async () => {
    const body = new PassThrough();
    body.write("a,b\n");
    body.end("c,d\n");
    expect((await collect(chunksOf(body, ref, 1_000))).join("")).toBe("a,b\nc,d\n");
  });

  it("fails with BodyStalledError when no byte arrives in time, and destroys the stream", async () => {
    const body = new PassThrough();
    body.write("mv1,Heat,US,1995-12-15\n");
    const started = Date.now();
    const error = await collect(chunksOf(body, ref, 50)).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(BodyStalledError);
    expect((error as Error).message).toBe("s3://movie-infos/movies.csv: no data for 50 ms after 23 bytes");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(body.destroyed).toBe(true);
  });

  it("does not count the time the caller spends between chunks", async () => {
    const body = new PassThrough();
    body.write("one\n");
    body.write("two\n");
    body.end();
    const chunks: string[] = [];
    for await (const chunk of chunksOf(body, ref, 30)) {
      chunks.push(chunk.toString());
      await new Promise((resolve) => setTimeout(resolve, 80));
    }
    expect(chunks.join("")).toBe("one\ntwo\n");
  });

  it("destroys the stream when the caller stops early", async () => {
    const body = new PassThrough();
    body.write("one\n");
    const chunks = chunksOf(body, ref, 1_000);
    await chunks.next();
    await chunks.return(undefined);
    expect(body.destroyed).toBe(true);
  });
});
