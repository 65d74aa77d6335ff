/**
 * The environment the Lambdas read at module init. Import this module before any handler module, so the
 * variables are set when the handler's `requireEnv` calls run.
 */
export const TEST_ENV = {
  AWS_REGION: "eu-west-1",
  MOVIE_INFOS_TABLE: "movie_infos-test",
  MOVIE_RATINGS_TABLE: "movie_ratings-test",
  MOVIE_INFOS_BUCKET: "movie-infos-test",
  ORDERS_TABLE: "orders-test",
  NOTIFICATIONS_TABLE: "notifications-test",
  NOTIFICATIONS_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:customer-notifications-test",
} as const;

Object.assign(process.env, TEST_ENV);
