import { deadlineIn, invocationDeadline } from "../../../../lambdas/shared/deadline";
import { lambdaContext } from "../../../helpers/context";

describe("invocationDeadline", () => {
  it("is the invocation's remaining time less the reserve", () => {
    const deadline = invocationDeadline({ getRemainingTimeInMillis: () => 30_000 }, 1_000);
    expect(deadline.remainingMs()).toBeGreaterThan(28_900);
    expect(deadline.remainingMs()).toBeLessThanOrEqual(29_000);
    expect(deadline.signal.aborted).toBe(false);
  });

  it("keeps 1 s in reserve by default", () => {
    expect(invocationDeadline(lambdaContext).remainingMs()).toBeLessThanOrEqual(29_000);
  });
});

describe("deadlineIn", () => {
  it("aborts its signal when the time is up, and counts below zero after", async () => {
    const deadline = deadlineIn(20);
    await new Promise((resolve) => deadline.signal.addEventListener("abort", resolve));
    expect(deadline.remainingMs()).toBeLessThanOrEqual(0);
  });

  it("is already aborted when there is no time left", async () => {
    const deadline = deadlineIn(-5);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(deadline.signal.aborted).toBe(true);
  });
});
