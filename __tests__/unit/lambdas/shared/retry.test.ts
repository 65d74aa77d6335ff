import {
  backoffDelay,
  drainWithBackoff,
  maxTotalBackoffMs,
  RetriesExhaustedError,
  retryWithBackoff,
} from "../../../../lambdas/shared/retry";

describe("backoffDelay", () => {
  it("picks a full-jitter delay below an exponentially growing, capped ceiling", () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.5 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
  });

  it("defaults to a 50 ms base and a 2 s cap", () => {
    const almostOne = () => 0.999999;
    expect(backoffDelay(1, { random: almostOne })).toBe(49);
    expect(backoffDelay(10, { random: almostOne })).toBe(1999);
  });
});

describe("maxTotalBackoffMs", () => {
  it("is the sum of the delay ceilings before the last attempt: 50+100+...+1600+2000 by default", () => {
    expect(maxTotalBackoffMs()).toBe(50 + 100 + 200 + 400 + 800 + 1600 + 2000);
  });

  it("follows the options", () => {
    expect(maxTotalBackoffMs({ maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 15 })).toBe(10 + 15);
    expect(maxTotalBackoffMs({ maxAttempts: 1 })).toBe(0);
  });

  it("bounds what drainWithBackoff really sleeps when every call leaves work", async () => {
    const slept: number[] = [];
    const options = { random: () => 0.999999, sleep: async (ms: number) => void slept.push(ms) };
    await expect(drainWithBackoff("x", async (x) => x, "op", options)).rejects.toThrow(RetriesExhaustedError);
    expect(slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(maxTotalBackoffMs());
    expect(slept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(maxTotalBackoffMs() - slept.length);
  });
});

describe("drainWithBackoff", () => {
  it("calls once when nothing is left over, without sleeping", async () => {
    const send = jest.fn(async () => undefined);
    const sleep = jest.fn(async () => undefined);
    await drainWithBackoff(["a", "b"], send, "op", { sleep });
    expect(send.mock.calls).toEqual([[["a", "b"]]]);
    expect(sleep).not.toHaveBeenCalled();
  });

  it("re-sends only the leftovers, sleeping a backoff delay between calls", async () => {
    const leftovers: (string[] | undefined)[] = [["b", "c"], ["c"], undefined];
    const send = jest.fn(async (_request: string[]) => leftovers.shift());
    const sleeps: number[] = [];
    await drainWithBackoff(["a", "b", "c"], send, "op", {
      baseDelayMs: 10,
      random: () => 0.5,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(send.mock.calls).toEqual([[["a", "b", "c"]], [["b", "c"]], [["c"]]]);
    expect(sleeps).toEqual([5, 10]);
  });

  it("gives up after maxAttempts calls with RetriesExhaustedError", async () => {
    const send = jest.fn(async (request: string[]) => request);
    const sleep = jest.fn(async () => undefined);
    const failure = drainWithBackoff(["a"], send, "BatchWriteItem on t", { maxAttempts: 3, sleep });
    await expect(failure).rejects.toThrow(
      new RetriesExhaustedError("BatchWriteItem on t still had unprocessed items after 3 attempts", 3),
    );
    await expect(failure).rejects.toMatchObject({ name: "RetriesExhaustedError", attempts: 3 });
    expect(send).toHaveBeenCalledTimes(3);
    expect(sleep).toHaveBeenCalledTimes(2);
  });

  it("defaults to 8 attempts", async () => {
    const send = jest.fn(async (request: string[]) => request);
    await expect(drainWithBackoff(["a"], send, "op", { sleep: async () => undefined })).rejects.toThrow(
      "op still had unprocessed items after 8 attempts",
    );
    expect(send).toHaveBeenCalledTimes(8);
  });

  it("sleeps with real timers by default", async () => {
    jest.useFakeTimers();
    try {
      const leftovers: (string[] | undefined)[] = [["a"], undefined];
      const send = jest.fn(async () => leftovers.shift());
      const done = drainWithBackoff(["a"], send, "op", { baseDelayMs: 1000, random: () => 0.5 });
      await jest.advanceTimersByTimeAsync(499);
      expect(send).toHaveBeenCalledTimes(1);
      await jest.advanceTimersByTimeAsync(1);
      await done;
      expect(send).toHaveBeenCalledTimes(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it("propagates an error thrown by send", async () => {
    await expect(
      drainWithBackoff(
        ["a"],
        async () => {
          throw new Error("ProvisionedThroughputExceeded");
        },
        "op",
      ),
    ).rejects.toThrow("ProvisionedThroughputExceeded");
  });
});

describe("retryWithBackoff", () => {
  const noSleep = { sleep: async () => undefined };

  it("returns the value of the first attempt that is done, numbering the attempts", async () => {
    const seen: number[] = [];
    const value = await retryWithBackoff(
      async (attempt) => {
        seen.push(attempt);
        return attempt < 3 ? { done: false, reason: `busy ${attempt}` } : { done: true, value: "ok" };
      },
      () => new Error("exhausted"),
      noSleep,
    );
    expect(value).toBe("ok");
    expect(seen).toEqual([1, 2, 3]);
  });

  it("throws the exhausted error, built from the attempts and the last reason", async () => {
    const exhausted = jest.fn(
      (attempts: number, reason: unknown) => new Error(`gave up after ${attempts}`, { cause: reason }),
    );
    const failure = retryWithBackoff(
      async (attempt) => ({ done: false, reason: `busy ${attempt}` }),
      exhausted,
      { ...noSleep, maxAttempts: 4 },
    );
    await expect(failure).rejects.toThrow("gave up after 4");
    await expect(failure).rejects.toHaveProperty("cause", "busy 4");
    expect(exhausted).toHaveBeenCalledTimes(1);
  });

  it("stops at once when an attempt throws", async () => {
    const attempt = jest.fn(async () => {
      throw new Error("ValidationException");
    });
    await expect(retryWithBackoff(attempt, () => new Error("exhausted"), noSleep)).rejects.toThrow(
      "ValidationException",
    );
    expect(attempt).toHaveBeenCalledTimes(1);
  });
});
