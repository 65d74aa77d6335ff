/**
 * What `npm run synth` says after writing cdktf.out: how much Lambda concurrency each stack reserves, and
 * what that asks of the account's quota; then the warnings and errors the stacks carry, which cdktf
 * prints too (and stops on, for errors) but which `node main.js` alone would leave in the manifest.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TerraformJson } from "../tooling/terraform-json";

/** Lambda keeps this much of an account's regional concurrency quota unreserved, whatever is reserved. */
export const UNRESERVED_MINIMUM = 100;

/** The concurrency one stack reserves. */
export interface StackReservation {
  readonly stack: string;
  readonly region: string;
  /** The account the provider is pinned to, if any. */
  readonly accountId?: string;
  readonly functions: number;
  /** Sum of `reserved_concurrent_executions` over its functions. */
  readonly reserved: number;
  /** The distinct per-function reservations (`[50]`). */
  readonly perFunction: readonly number[];
}

interface ManifestStack {
  readonly synthesizedStackPath: string;
  readonly annotations?: readonly { constructPath: string; level: string; message: string }[];
}

/** What one stack's functions reserve, read from its synthesized JSON. */
export function reservationOf(stack: string, json: TerraformJson): StackReservation {
  const functions = Object.values(json.resource?.aws_lambda_function ?? {});
  const reservations = functions
    .map((fn) => fn.reserved_concurrent_executions)
    .filter((r): r is number => typeof r === "number");
  const provider = json.provider?.aws?.[0] ?? {};
  const accounts = provider.allowed_account_ids;
  const accountId = Array.isArray(accounts) && typeof accounts[0] === "string" ? accounts[0] : undefined;
  return {
    stack,
    region: String(provider.region ?? "?"),
    ...(accountId ? { accountId } : {}),
    functions: functions.length,
    reserved: reservations.reduce((sum, r) => sum + r, 0),
    perFunction: [...new Set(reservations)].sort((a, b) => a - b),
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** One line per stack with functions, then one per account and region that reserves anything. */
export function reservationLines(reservations: readonly StackReservation[]): string[] {
  const withFunctions = reservations.filter((r) => r.functions > 0);
  if (withFunctions.length === 0) return [];
  const lines = [
    `Reserved concurrency (lambda.reservedConcurrency; Lambda keeps ${UNRESERVED_MINIMUM} of the account's quota unreserved):`,
  ];
  for (const r of withFunctions) {
    const what =
      r.reserved === 0
        ? `none reserved (${plural(r.functions, "function")})`
        : `${r.reserved} (${plural(r.functions, "function")}, ${r.perFunction.join("/")} each)`;
    lines.push(`  ${r.stack}: ${what}`);
  }
  const groups = new Map<string, StackReservation[]>();
  for (const r of withFunctions.filter((r) => r.reserved > 0)) {
    const key = `${r.region} ${r.accountId ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const group of groups.values()) {
    const first = group[0] as StackReservation;
    const total = group.reduce((sum, r) => sum + r.reserved, 0);
    const where = first.accountId
      ? `account ${first.accountId}, ${first.region}`
      : `${first.region} (stacks not pinned to an account, counted together)`;
    lines.push(
      `  ${where}: ${total} reserved by ${group.map((r) => r.stack).join(", ")}; ` +
        `the account's concurrent executions quota there must be at least ${total + UNRESERVED_MINIMUM}`,
    );
  }
  return lines;
}

/**
 * The stacks' warning and error annotations, each distinct message once with the stacks that carry it,
 * as `WARN [movies-staging, orders-staging] ...`.
 */
export function annotationLines(stacks: Readonly<Record<string, ManifestStack>>): string[] {
  const lines: string[] = [];
  for (const [level, label] of [
    ["@cdktf/warn", "WARN"],
    ["@cdktf/error", "ERROR"],
  ] as const) {
    const byMessage = new Map<string, string[]>();
    for (const [name, stack] of Object.entries(stacks)) {
      for (const a of stack.annotations ?? []) {
        if (a.level === level) byMessage.set(a.message, [...(byMessage.get(a.message) ?? []), name]);
      }
    }
    for (const [message, names] of byMessage) lines.push(`${label} [${names.join(", ")}] ${message}`);
  }
  if (lines.some((line) => line.startsWith("ERROR"))) {
    lines.push(
      "cdktf deploy, diff and synth stop on these errors until they are fixed; npm run synth, validate, the tests and npm start go on.",
    );
  }
  return lines;
}

/** The report on the output folder `outdir` that `app.synth()` just wrote, one line per entry. */
export function synthReport(outdir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, ManifestStack>;
  };
  const reservations = Object.entries(manifest.stacks).map(([name, stack]) =>
    reservationOf(
      name,
      JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8")) as TerraformJson,
    ),
  );
  return [...reservationLines(reservations), ...annotationLines(manifest.stacks)];
}
