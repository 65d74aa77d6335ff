import { dirname } from "node:path";
import {
  annotationLines,
  reservationLines,
  reservationOf,
  synthReport,
  type StackReservation,
} from "../../../stacks/synth-report";
import { stackFile, synthesized } from "../../helpers/synth";

describe("what npm run synth prints about reserved concurrency", () => {
  it("reads each stack's reservation from its functions and provider", () => {
    expect(reservationOf("movies-prod", synthesized("movies-prod"))).toEqual({
      stack: "movies-prod",
      region: "eu-central-1",
      functions: 4,
      reserved: 200,
      perFunction: [50],
    });
    expect(reservationOf("movies-dev", synthesized("movies-dev"))).toMatchObject({
      reserved: 0,
      perFunction: [],
    });
  });

  it("prints the total of every stack, and the quota the account needs: reserved + the 100 Lambda keeps", () => {
    const outdir = dirname(dirname(stackFile("movies-dev", ".")));
    expect(synthReport(outdir).slice(0, 11)).toEqual([
      "Reserved concurrency (lambda.reservedConcurrency; Lambda keeps 100 of the account's quota unreserved):",
      "  movies-dev: none reserved (4 functions)",
      "  movies-prod: 200 (4 functions, 50 each)",
      "  movies-staging: none reserved (4 functions)",
      "  notifications-dev: none reserved (1 function)",
      "  notifications-prod: 50 (1 function, 50 each)",
      "  notifications-staging: none reserved (1 function)",
      "  orders-dev: none reserved (1 function)",
      "  orders-prod: 50 (1 function, 50 each)",
      "  orders-staging: none reserved (1 function)",
      "  eu-central-1 (stacks not pinned to an account, counted together): 300 reserved by movies-prod, " +
        "notifications-prod, orders-prod; the account's concurrent executions quota there must be at least 400",
    ]);
  });

  it("counts each account and region apart once stacks are pinned", () => {
    const r = (stack: string, accountId: string, reserved: number): StackReservation => ({
      stack,
      region: "eu-central-1",
      accountId,
      functions: 2,
      reserved,
      perFunction: [reserved / 2],
    });
    expect(
      reservationLines([r("movies-prod", "222222222222", 40), r("movies-staging", "111111111111", 10)]),
    ).toEqual([
      "Reserved concurrency (lambda.reservedConcurrency; Lambda keeps 100 of the account's quota unreserved):",
      "  movies-prod: 40 (2 functions, 20 each)",
      "  movies-staging: 10 (2 functions, 5 each)",
      "  account 222222222222, eu-central-1: 40 reserved by movies-prod; the account's concurrent executions quota there must be at least 140",
      "  account 111111111111, eu-central-1: 10 reserved by movies-staging; the account's concurrent executions quota there must be at least 110",
    ]);
  });
});

describe("what npm run synth prints about the stacks' annotations", () => {
  it("prints each warning and error once, with the stacks that carry it, and says what errors stop", () => {
    const annotation = (level: string, message: string) => ({ constructPath: "x", level, message });
    expect(
      annotationLines({
        "movies-prod": {
          synthesizedStackPath: "",
          annotations: [
            annotation("@cdktf/warn", "prod.alarmEmail is not set"),
            annotation("@cdktf/error", "No state bucket"),
          ],
        },
        "orders-prod": {
          synthesizedStackPath: "",
          annotations: [
            annotation("@cdktf/warn", "prod.alarmEmail is not set"),
            annotation("@cdktf/info", "guardrail waived"),
          ],
        },
      }),
    ).toEqual([
      "WARN [movies-prod, orders-prod] prod.alarmEmail is not set",
      "ERROR [movies-prod] No state bucket",
      "cdktf deploy, diff and synth stop on these errors until they are fixed; npm run synth, validate, the tests and npm start go on.",
    ]);
  });
});
