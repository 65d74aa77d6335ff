import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { anyCancelledWith, cancellationCodes } from "../../../../lambdas/shared/transactions";

const ACTIONS = ["order", "idempotencyKey"] as const;

function cancelled(reasons?: { Code?: string }[]): TransactionCanceledException {
  return new TransactionCanceledException({
    message: "Transaction cancelled",
    $metadata: {},
    ...(reasons ? { CancellationReasons: reasons } : {}),
  });
}

describe("cancellationCodes", () => {
  it("names each action's reason, in the order of TransactItems", () => {
    expect(
      cancellationCodes(cancelled([{ Code: "None" }, { Code: "ConditionalCheckFailed" }]), ACTIONS),
    ).toEqual({
      order: "None",
      idempotencyKey: "ConditionalCheckFailed",
    });
  });

  it("reads None for an action DynamoDB gave no reason for", () => {
    expect(cancellationCodes(cancelled(), ACTIONS)).toEqual({ order: "None", idempotencyKey: "None" });
    expect(cancellationCodes(cancelled([{}]), ACTIONS)).toEqual({ order: "None", idempotencyKey: "None" });
  });

  it("is undefined for anything but a cancelled transaction", () => {
    expect(cancellationCodes(new Error("ThrottlingException"), ACTIONS)).toBeUndefined();
    expect(cancellationCodes("TransactionCanceledException", ACTIONS)).toBeUndefined();
  });
});

describe("anyCancelledWith", () => {
  it("tells whether any action failed with the code", () => {
    const codes = { order: "TransactionConflict", idempotencyKey: "None" };
    expect(anyCancelledWith(codes, "TransactionConflict")).toBe(true);
    expect(anyCancelledWith(codes, "ConditionalCheckFailed")).toBe(false);
  });
});
