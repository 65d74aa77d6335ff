import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthesize } from "../../../local/synth";

describe("the local run's synth", () => {
  let root: string;
  const saved = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "local-synth-"));
    mkdirSync(join(root, "dist", "infra"), { recursive: true });
    // Stands in for the compiled app: prints what cdktf would read.
    writeFileSync(
      join(root, "dist", "infra", "main.js"),
      "process.stdout.write(String(process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS));\n",
    );
    // The test run's global synth sets it; a shell running `npm start` does not.
    delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
  });
  afterAll(() => {
    if (saved !== undefined) process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = saved;
    rmSync(root, { recursive: true, force: true });
  });

  it("goes on past the stacks' error annotations, as npm run synth does (a fresh clone has no state bucket)", async () => {
    await expect(synthesize(root, { compile: false })).resolves.toEqual({ ok: true, output: "1" });
  });
});
