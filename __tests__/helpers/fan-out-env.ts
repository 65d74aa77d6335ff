/**
 * upload-infos's fan-out variables, for the tests of its routing: import after lambda-env and before the
 * handler. Jest gives each test file its own `process.env`, so no other file sees them.
 */
export const FAN_OUT_ENV = {
  INGESTION_STATE_MACHINE_ARN:
    "arn:aws:states:eu-west-1:123456789012:stateMachine:movie-infos-ingestion-test",
  FAN_OUT_THRESHOLD_BYTES: "1000",
} as const;

Object.assign(process.env, FAN_OUT_ENV);
