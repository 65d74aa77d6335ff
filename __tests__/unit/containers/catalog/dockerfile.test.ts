import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { projectRoot } from "../../../../tooling/project-root";

/**
 * No Docker engine runs here, so the image is never built in the tests: these check what the build relies
 * on. The build stage copies only some folders (and Dockerfile.dockerignore sends only those), so every
 * file the server's bundle reads must be in them.
 */
const dockerfile = readFileSync(join(projectRoot, "containers", "catalog", "Dockerfile"), "utf8");
const ignore = readFileSync(join(projectRoot, "containers", "catalog", "Dockerfile.dockerignore"), "utf8");
const instructions = dockerfile.split("\n").filter((l) => /^[A-Z]+ /.test(l));

describe("containers/catalog/Dockerfile", () => {
  it("builds in one stage and runs in another, as the unprivileged node user, with a health check", () => {
    expect(instructions.filter((l) => l.startsWith("FROM "))).toEqual([
      "FROM node:20.19-bookworm-slim AS build",
      "FROM node:20.19-bookworm-slim",
    ]);
    const runtime = instructions.slice(instructions.findIndex((l, i) => i > 0 && l.startsWith("FROM ")));
    expect(runtime).toContain("USER node");
    expect(runtime.findIndex((l) => l === "USER node")).toBeLessThan(
      runtime.findIndex((l) => l.startsWith("CMD ")),
    );
    expect(runtime).toContain(
      'HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 CMD ["node", "healthcheck.js"]',
    );
    expect(runtime).toContain('CMD ["node", "index.js"]');
  });

  it("copies every file the server's and the health check's bundles read, and the ignore file lets them through", () => {
    const copied = instructions
      .filter((l) => l.startsWith("COPY ") && !l.includes("--from="))
      .flatMap((l) => l.split(" ").slice(1, -1));
    expect(copied).toEqual([
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "lambdas/",
      "containers/catalog/",
    ]);
    for (const path of copied) expect(ignore.split("\n")).toContain(`!${path}`);
    const { metafile } = buildSync({
      entryPoints: ["containers/catalog/index.ts", "containers/catalog/healthcheck.ts"],
      absWorkingDir: projectRoot,
      bundle: true,
      platform: "node",
      write: false,
      outdir: "out",
      metafile: true,
      logLevel: "silent",
    });
    const sources = Object.keys(metafile.inputs).filter((input) => !input.startsWith("node_modules/"));
    expect(sources.filter((s) => !copied.some((c) => c.endsWith("/") && s.startsWith(c)))).toEqual([]);
    expect(sources).toContain("lambdas/get-movie/get-movie.ts");
  });
});
