import { DEFAULT_STACKS, parseStartArgs } from "../../../local/start";
import { services } from "../../../stacks/services";

describe("parseStartArgs", () => {
  it("runs the dev stack of every service by default", () => {
    expect(DEFAULT_STACKS).toEqual(services.map((service) => `${service.name}-dev`));
  });

  it("defaults to every service's dev stack on ports 3000, 4569, 8000, 9001 and 9229 (Cognito), reloading, with data in .local", () => {
    expect(parseStartArgs([], "/repo")).toEqual({
      stacks: ["auth-dev", "movies-dev", "orders-dev", "catalog-dev", "notifications-dev"],
      apiPort: 3000,
      s3Port: 4569,
      dynamodbPort: 8000,
      lambdaPort: 9001,
      cognitoPort: 9229,
      fresh: false,
      watch: true,
      stateDir: "/repo/.local",
      outdir: "/repo/cdktf.out",
      help: false,
    });
  });

  it("takes several stacks, ports, --fresh and directories", () => {
    expect(
      parseStartArgs(
        [
          "--stack",
          "movies-dev",
          "--stack",
          "orders-dev",
          "--port",
          "4000",
          "--s3-port",
          "0",
          "--dynamodb-port=8001",
          "--lambda-port",
          "9100",
          "--fresh",
          "--no-watch",
          "--state-dir",
          "/tmp/x",
        ],
        "/repo",
      ),
    ).toMatchObject({
      stacks: ["movies-dev", "orders-dev"],
      apiPort: 4000,
      s3Port: 0,
      dynamodbPort: 8001,
      lambdaPort: 9100,
      fresh: true,
      watch: false,
      stateDir: "/tmp/x",
    });
  });

  it("names the flag of a bad port, and refuses unknown flags", () => {
    expect(() => parseStartArgs(["--port", "http"])).toThrow('--port must be a port number, not "http"');
    expect(() => parseStartArgs(["--s3-port", "70000"])).toThrow("--s3-port must be a port number");
    expect(() => parseStartArgs(["--lambda-port", "http"])).toThrow("--lambda-port must be a port number");
    expect(() => parseStartArgs(["--prot", "1"])).toThrow(/Unknown option '--prot'/);
  });
});
