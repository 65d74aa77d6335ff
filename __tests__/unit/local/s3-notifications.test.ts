import {
  declaredNotifications,
  encodeS3Key,
  notificationMatches,
  toS3EventRecord,
  type DeclaredNotification,
} from "../../../local/s3-notifications";
import { TerraformResolver, type TerraformJson } from "../../../local/terraform";
import { synthesized } from "../../helpers/synth";

const csvToUpload: DeclaredNotification = {
  address: "aws_s3_bucket_notification.movies_bucket_notification",
  bucket: "000000000000-movie-infos-dev",
  id: "upload_movie_infos_lambda_on_object_created",
  functionName: "upload-infos-dev",
  events: ["s3:ObjectCreated:*"],
  filterSuffix: ".csv",
};

describe("declaredNotifications", () => {
  it("resolves the movies bucket's notification to the upload-infos alias's function", () => {
    const resolver = new TerraformResolver(synthesized("movies-dev"));
    expect(declaredNotifications(resolver)).toEqual({ notifications: [csvToUpload], unsupported: [] });
  });

  it("reads prefixes and unqualified function ARNs, and reports queue and topic targets", () => {
    const stack: TerraformJson = {
      resource: {
        aws_lambda_function: { f: { function_name: "f-dev" } },
        aws_s3_bucket: { b: { bucket: "b-dev" } },
        aws_s3_bucket_notification: {
          n: {
            bucket: "${aws_s3_bucket.b.id}",
            lambda_function: [
              {
                lambda_function_arn: "${aws_lambda_function.f.arn}",
                events: ["s3:ObjectCreated:Put"],
                filter_prefix: "in/",
              },
            ],
            queue: [{ queue_arn: "arn:aws:sqs:eu-central-1:0:q", events: ["s3:ObjectCreated:*"] }],
          },
        },
      },
    };
    expect(declaredNotifications(new TerraformResolver(stack))).toEqual({
      notifications: [
        {
          address: "aws_s3_bucket_notification.n",
          bucket: "b-dev",
          id: "n-0",
          functionName: "f-dev",
          events: ["s3:ObjectCreated:Put"],
          filterPrefix: "in/",
        },
      ],
      unsupported: ["aws_s3_bucket_notification.n: queue targets are not delivered locally"],
    });
  });
});

describe("notificationMatches", () => {
  const bucket = csvToUpload.bucket;
  it("matches the event pattern, the suffix and the bucket", () => {
    expect(notificationMatches(csvToUpload, bucket, "ObjectCreated:Put", "movie-infos.csv")).toBe(true);
    expect(notificationMatches(csvToUpload, bucket, "ObjectCreated:Copy", "a/b c.csv")).toBe(true);
    expect(notificationMatches(csvToUpload, bucket, "ObjectCreated:Put", "notes.txt")).toBe(false);
    expect(notificationMatches(csvToUpload, bucket, "ObjectRemoved:Delete", "movie-infos.csv")).toBe(false);
    expect(notificationMatches(csvToUpload, "other", "ObjectCreated:Put", "movie-infos.csv")).toBe(false);
  });

  it("matches exact event names and prefixes", () => {
    const putsUnderIn = { ...csvToUpload, events: ["s3:ObjectCreated:Put"], filterPrefix: "in/" };
    expect(notificationMatches(putsUnderIn, bucket, "ObjectCreated:Put", "in/x.csv")).toBe(true);
    expect(notificationMatches(putsUnderIn, bucket, "ObjectCreated:Post", "in/x.csv")).toBe(false);
    expect(notificationMatches(putsUnderIn, bucket, "ObjectCreated:Put", "out/x.csv")).toBe(false);
  });
});

describe("encodeS3Key", () => {
  it("encodes a key as S3 event notifications do: '+' for spaces, '/' kept", () => {
    expect(encodeS3Key("movie-infos.csv")).toBe("movie-infos.csv");
    expect(encodeS3Key("uploads/my file(1).csv")).toBe("uploads/my+file%281%29.csv");
    expect(encodeS3Key("é+ü.csv")).toBe("%C3%A9%2B%C3%BC.csv");
  });
});

describe("toS3EventRecord", () => {
  it("turns s3rver's record into the one S3 sends", () => {
    const record = toS3EventRecord(
      {
        eventName: "ObjectCreated:Put",
        eventTime: "2025-11-21T20:58:07.000Z",
        s3: {
          bucket: { name: csvToUpload.bucket },
          object: { key: "new movies.csv", size: 136, eTag: "0123abcd", sequencer: "18F" },
        },
      },
      { region: "eu-central-1", notification: csvToUpload },
    );
    expect(record).toEqual({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "eu-central-1",
      eventTime: "2025-11-21T20:58:07.000Z",
      eventName: "ObjectCreated:Put",
      userIdentity: { principalId: "AWS:LOCAL" },
      requestParameters: { sourceIPAddress: "127.0.0.1" },
      responseElements: { "x-amz-request-id": "LOCAL", "x-amz-id-2": "LOCAL" },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "upload_movie_infos_lambda_on_object_created",
        bucket: {
          name: "000000000000-movie-infos-dev",
          ownerIdentity: { principalId: "LOCAL" },
          arn: "arn:aws:s3:::000000000000-movie-infos-dev",
        },
        object: { key: "new+movies.csv", size: 136, eTag: "0123abcd", sequencer: "18F" },
      },
    });
  });
});
