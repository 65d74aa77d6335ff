import { Testing, type TerraformStack } from "cdktf";
import { addStacks, STATE_BOOTSTRAP_STACK, type Service } from "../../../stacks/app";
import { MoviesStack } from "../../../stacks/movies-stack";
import { synthesize, type SynthesizedStack } from "../../helpers/synth";

const services: readonly Service[] = [{ name: "movies", stack: MoviesStack }];

/** The resource types whose names are account- or region-wide, and the attribute holding the name. */
const PHYSICAL_NAMES: Record<string, string> = {
  aws_dynamodb_table: "name",
  aws_lambda_function: "function_name",
  aws_iam_role: "name",
  aws_iam_policy: "name",
  aws_cloudwatch_log_group: "name",
  aws_s3_bucket: "bucket",
  aws_api_gateway_rest_api: "name",
  aws_sns_topic: "name",
  aws_sqs_queue: "name",
  aws_kms_alias: "name",
  aws_cloudwatch_dashboard: "dashboard_name",
};

function physicalNames(synth: SynthesizedStack): string[] {
  return Object.entries(PHYSICAL_NAMES)
    .flatMap(([type, attribute]) =>
      Object.values(synth.resource[type] ?? {}).map((resource) => resource[attribute] as string),
    )
    .sort();
}

function stacksFor(env: NodeJS.ProcessEnv): Map<string, TerraformStack> {
  const stacks = addStacks(Testing.app(), services, env);
  return new Map(stacks.map((s) => [s.node.id, s]));
}

describe("addStacks", () => {
  it("adds every service for dev, staging and prod, then the state bootstrap", () => {
    expect([...stacksFor({}).keys()]).toEqual([
      "movies-dev",
      "movies-staging",
      "movies-prod",
      "account-eu-central-1",
      STATE_BOOTSTRAP_STACK,
    ]);
  });

  it("adds the developer's own stack when MOVIES_STAGE is set", () => {
    expect([...stacksFor({ MOVIES_STAGE: "alice" }).keys()]).toEqual([
      "movies-dev",
      "movies-staging",
      "movies-prod",
      "movies-alice",
      "account-eu-central-1",
      STATE_BOOTSTRAP_STACK,
    ]);
  });

  it("fails before building anything when MOVIES_STAGE is invalid", () => {
    expect(() => stacksFor({ MOVIES_STAGE: "staging" })).toThrow(
      'MOVIES_STAGE: "staging" is a shared environment; use a name of your own',
    );
  });
});

describe("developer stacks are isolated", () => {
  let dev: SynthesizedStack;
  let alice: SynthesizedStack;
  let bob: SynthesizedStack;

  beforeAll(() => {
    const team = { MOVIES_STATE_BUCKET: "acme-movies-tfstate" };
    const withAlice = stacksFor({ ...team, MOVIES_STAGE: "alice" });
    dev = synthesize(withAlice.get("movies-dev") as TerraformStack);
    alice = synthesize(withAlice.get("movies-alice") as TerraformStack);
    bob = synthesize(stacksFor({ ...team, MOVIES_STAGE: "bob" }).get("movies-bob") as TerraformStack);
  });

  it("names every account-wide resource after the developer's stage", () => {
    expect(physicalNames(alice)).toEqual(
      [
        "movie_infos-alice",
        "movie_ratings-alice",
        "get-movie-alice",
        "update-rating-alice",
        "upload-infos-alice",
        "get-movie-alice",
        "update-rating-alice",
        "upload-infos-alice",
        "get-movie-alice",
        "update-rating-alice",
        "upload-infos-alice",
        "/aws/lambda/get-movie-alice",
        "/aws/lambda/update-rating-alice",
        "/aws/lambda/upload-infos-alice",
        "upload-infos-batch-alice",
        "upload-infos-batch-alice",
        "upload-infos-batch-alice",
        "/aws/lambda/upload-infos-batch-alice",
        "movie-infos-ingestion-alice",
        "movie-infos-ingestion-alice",
        "/aws/vendedlogs/states/movie-infos-ingestion-alice",
        "/aws/apigateway/movies_api-alice/access-logs",
        "${data.aws_caller_identity.current.account_id}-movie-infos-alice",
        "movies_api-alice",
        "movies-alerts-alice",
        "upload-infos-alice-failures",
        "alias/movies-alerts-alice",
        "movies-alice",
      ].sort(),
    );
  });

  it("shares no physical name with dev or with another developer", () => {
    const aliceNames = new Set(physicalNames(alice));
    for (const other of [dev, bob]) {
      expect(physicalNames(other).filter((name) => aliceNames.has(name))).toEqual([]);
    }
  });

  it("keeps state under its own key, in the team's bucket", () => {
    const backend = (s: SynthesizedStack) => (s.terraform.backend as { s3: Record<string, unknown> }).s3;
    expect(backend(alice)).toEqual({
      bucket: "acme-movies-tfstate",
      key: "movies/movies-alice.tfstate",
      region: "eu-central-1",
      encrypt: true,
      use_lockfile: true,
    });
    expect(backend(bob).key).toBe("movies/movies-bob.tfstate");
    expect(backend(dev).key).toBe("movies/movies-dev.tfstate");
  });

  it("deploys the API to a stage named after the developer, and tags resources with it", () => {
    expect(alice.resource.aws_api_gateway_stage?.movies_api_stage?.stage_name).toBe("alice");
    const provider = JSON.parse(alice.json).provider.aws[0];
    expect(provider.default_tags[0].tags.environment).toBe("alice");
  });
});
