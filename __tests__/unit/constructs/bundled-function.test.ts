import { Testing, TerraformStack } from "cdktf";
import { BundledFunction, type BundledFunctionProps } from "../../../constructs/bundled-function";
import { synthesize } from "../../helpers/synth";

function environmentOf(props: Partial<BundledFunctionProps>): Record<string, string> | undefined {
  const stack = new TerraformStack(Testing.app(), "scratch");
  new BundledFunction(stack, "probe_lambda", {
    entry: "lambdas/get-movie/index.ts",
    functionName: "probe-test",
    ...props,
  });
  const fn = synthesize(stack).resource.aws_lambda_function?.probe_lambda as {
    environment: { variables: Record<string, string> };
  };
  return fn.environment.variables;
}

describe("BundledFunction source maps", () => {
  it("leaves NODE_OPTIONS alone without source maps", () => {
    expect(environmentOf({ environment: { A: "1" } })).toEqual({ A: "1" });
  });

  it("tells Node to read the map it puts in the zip", () => {
    expect(environmentOf({ sourceMap: true })).toEqual({ NODE_OPTIONS: "--enable-source-maps" });
  });

  it("keeps the caller's NODE_OPTIONS and adds the flag once", () => {
    expect(
      environmentOf({ sourceMap: true, environment: { NODE_OPTIONS: "--max-old-space-size=200" } }),
    ).toEqual({
      NODE_OPTIONS: "--max-old-space-size=200 --enable-source-maps",
    });
    expect(environmentOf({ sourceMap: true, environment: { NODE_OPTIONS: "--enable-source-maps" } })).toEqual(
      {
        NODE_OPTIONS: "--enable-source-maps",
      },
    );
  });
});
