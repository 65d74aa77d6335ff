import { Testing, TerraformStack } from "cdktf";
import { EventBus } from "../../../constructs/event-bus";
import { Table } from "../../../constructs/table";
import { TableStreamPipe } from "../../../constructs/table-stream-pipe";
import { synthesize } from "../../helpers/synth";

function pipeStack(streamSettleSeconds?: number) {
  const stack = new TerraformStack(Testing.app(), "test");
  const table = new Table(stack, "carts_table", {
    name: "carts",
    environment: "dev",
    hashKey: { name: "cart_id", type: "S" },
    streamViewType: "NEW_IMAGE",
  });
  const bus = new EventBus(stack, "shop_bus", { name: "shop", environment: "dev" });
  new TableStreamPipe(stack, "cart_pipe", {
    name: "cart-dev",
    table,
    eventBus: bus,
    detailType: "CartChanged",
    eventSource: "shop.carts",
    ...(streamSettleSeconds === undefined ? {} : { streamSettleSeconds }),
  });
  return stack;
}

describe("TableStreamPipe: the wait between a new stream and its pipe", () => {
  it("takes the caller's wait, and waits not at all with 0 (still re-created with a new stream)", () => {
    const attachment = (seconds: number) =>
      synthesize(pipeStack(seconds)).resource.aws_iam_role_policy_attachment?.cart_pipe_policy_attachment;
    expect(attachment(30)).toMatchObject({
      provisioner: [{ "local-exec": { command: 'node -e "setTimeout(() => {}, 30000)"' } }],
      lifecycle: { replace_triggered_by: ["aws_dynamodb_table.carts_table.stream_arn"] },
    });
    expect(attachment(0)).not.toHaveProperty("provisioner");
    expect(attachment(0)).toMatchObject({
      lifecycle: { replace_triggered_by: ["aws_dynamodb_table.carts_table.stream_arn"] },
    });
  });

  it("refuses a wait that is not a whole number of seconds", () => {
    expect(() => pipeStack(-1)).toThrow(
      "cart_pipe: streamSettleSeconds must be an integer of at least 0, got -1",
    );
    expect(() => pipeStack(1.5)).toThrow(
      "cart_pipe: streamSettleSeconds must be an integer of at least 0, got 1.5",
    );
  });
});
