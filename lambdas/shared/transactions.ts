import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";

/**
 * Why DynamoDB cancelled a TransactWriteItems, per action, under the names the caller gave the actions:
 * `ConditionalCheckFailed`, `TransactionConflict`, ... or `None` for an action that did not fail.
 */
export type CancellationCodes<Action extends string> = Readonly<Record<Action, string>>;

/**
 * Decodes a cancelled transaction. DynamoDB lists one reason per action, in the order of `TransactItems`;
 * `actions` names them in that order, so callers read `codes.idempotencyKey` instead of `reasons[1]`.
 * An action DynamoDB gave no reason for reads `None`.
 *
 * @returns `undefined` when `error` is not a `TransactionCanceledException`.
 */
export function cancellationCodes<Action extends string>(
  error: unknown,
  actions: readonly Action[],
): CancellationCodes<Action> | undefined {
  if (!(error instanceof TransactionCanceledException)) return undefined;
  const reasons = error.CancellationReasons ?? [];
  return Object.fromEntries(
    actions.map((action, index) => [action, reasons[index]?.Code ?? "None"]),
  ) as Record<Action, string>;
}

/** Whether any action of a cancelled transaction failed with `code`. */
export function anyCancelledWith<Action extends string>(
  codes: CancellationCodes<Action>,
  code: string,
): boolean {
  return Object.values<string>(codes).includes(code);
}
