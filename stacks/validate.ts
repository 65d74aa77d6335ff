/**
 * Small, typed checks for the environment configuration. Each returns `undefined` when the value is
 * fine, or the sentence that goes after `<environment>.<key>: ` in the error.
 *
 * Hand-written rather than a schema library: the rules are a dozen one-liners whose messages must name
 * AWS's own limits (`must be an integer from 1 to 900, got 0`), and synth loads this on every run, so a
 * dependency would cost start-up time and buy us only messages we would rewrite anyway.
 */
export type Check = (value: unknown) => string | undefined;

const got = (value: unknown): string => `got ${JSON.stringify(value) ?? String(value)}`;

/** An integer in `[min, max]`. */
export const integer =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (value) => {
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max)
      return undefined;
    return max === Number.MAX_SAFE_INTEGER
      ? `must be an integer of at least ${min}, ${got(value)}`
      : `must be an integer from ${min} to ${max}, ${got(value)}`;
  };

/** `true` or `false`. */
export const boolean: Check = (value) =>
  typeof value === "boolean" ? undefined : `must be true or false, ${got(value)}`;

/** A finite number greater than zero. */
export const positive: Check = (value) =>
  typeof value === "number" && Number.isFinite(value) && value > 0
    ? undefined
    : `must be a number greater than 0, ${got(value)}`;

/** One of `allowed`. */
export const oneOf =
  (allowed: readonly (string | number)[], what: string): Check =>
  (value) =>
    allowed.includes(value as string | number)
      ? undefined
      : `must be one of the ${what} (${allowed.join(", ")}), ${got(value)}`;

/** A string matching `pattern`, described as `description` in the message. */
export const matches =
  (pattern: RegExp, description: string): Check =>
  (value) =>
    typeof value === "string" && pattern.test(value) ? undefined : `must be ${description}, ${got(value)}`;

/** `eu-central-1`, `us-gov-west-1`, `ap-southeast-4`. */
export const region = matches(
  /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/,
  "an AWS region like eu-central-1",
);

export const accountId = matches(/^\d{12}$/, "a 12-digit AWS account id");

/** A KMS key's ARN (a key, not an alias: S3 bucket policies compare key ARNs). */
export const kmsKeyArn = matches(
  /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
  "a KMS key ARN like arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
);

/** API Gateway stage names: letters, digits, hyphens and underscores, up to 128 characters. */
export const apiStageName = matches(
  /^[A-Za-z0-9_-]{1,128}$/,
  "1 to 128 letters, digits, hyphens or underscores",
);

export const email = matches(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "an e-mail address like team@example.com");

/** The retention periods CloudWatch Logs accepts (`PutRetentionPolicy`); 0 (never expire) is not allowed here. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const logRetentionDays = oneOf(LOG_RETENTION_DAYS, "retention periods CloudWatch Logs allows");

/**
 * S3 general purpose bucket naming rules, minus dots: a dotted name breaks TLS for virtual-hosted
 * requests, and the state bucket refuses anything but TLS.
 */
export const bucketName: Check = (value) => {
  if (typeof value !== "string" || !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(value)) {
    return `must be 3 to 63 lowercase letters, digits or hyphens, starting and ending with a letter or digit, ${got(value)}`;
  }
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(value) || /(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(value)) {
    return `must not use a prefix or suffix S3 reserves, ${got(value)}`;
  }
  return undefined;
};

/** Collects the problems of one object: `check(key, value, rule)` records `<prefix>.<key>: <problem>`. */
export class Problems {
  readonly list: string[] = [];

  constructor(private readonly prefix: string) {}

  check(key: string, value: unknown, rule: Check): void {
    const problem = rule(value);
    if (problem) this.list.push(`${this.prefix}.${key}: ${problem}`);
  }

  /** Like {@link check}, for optional fields: `undefined` is fine. */
  optional(key: string, value: unknown, rule: Check): void {
    if (value !== undefined) this.check(key, value, rule);
  }

  add(key: string, problem: string): void {
    this.list.push(`${this.prefix}.${key}: ${problem}`);
  }
}

/** Thrown when configuration is invalid; the message lists every problem, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}
