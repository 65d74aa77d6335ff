import {
  formatEndpoints,
  moviesApp,
  ordersApi,
  tryItCommands,
  type LocalEndpoints,
} from "../../../local/endpoints";

const movies: LocalEndpoints = {
  region: "eu-central-1",
  credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  apis: [
    {
      stack: "movies-dev",
      address: "aws_api_gateway_rest_api.movies_api",
      name: "movies_api-dev",
      stage: "dev",
      url: "http://127.0.0.1:3000/dev",
      routes: [
        { method: "GET", path: "/movies/{movieId}", functionName: "get-movie-dev" },
        { method: "PATCH", path: "/movies/{movieId}", functionName: "update-rating-dev" },
      ],
    },
  ],
  s3: {
    endpoint: "http://127.0.0.1:4569",
    buckets: [
      {
        stack: "movies-dev",
        address: "aws_s3_bucket.movie_infos_bucket",
        name: "000000000000-movie-infos-dev",
        notifications: [
          { events: ["s3:ObjectCreated:*"], filterSuffix: ".csv", functionName: "upload-infos-dev" },
        ],
      },
    ],
  },
  dynamodb: {
    endpoint: "http://127.0.0.1:8000",
    tables: [
      { stack: "movies-dev", address: "aws_dynamodb_table.movie_infos_table", name: "movie_infos-dev" },
      { stack: "movies-dev", address: "aws_dynamodb_table.movie_ratings_table", name: "movie_ratings-dev" },
    ],
  },
  lambda: {
    endpoint: "http://127.0.0.1:9001",
    functions: [
      { stack: "movies-dev", address: "aws_lambda_function.get_movie_lambda", name: "get-movie-dev" },
      {
        stack: "movies-dev",
        address: "aws_lambda_function.update_movie_rating_lambda",
        name: "update-rating-dev",
      },
    ],
  },
  logs: "/repo/.local/logs",
};

const withOrders: LocalEndpoints = {
  ...movies,
  apis: [
    ...movies.apis,
    {
      stack: "orders-dev",
      address: "aws_api_gateway_rest_api.orders_api",
      name: "orders_api-dev",
      stage: "dev",
      url: "http://127.0.0.1:3001/dev",
      routes: [
        { method: "POST", path: "/orders", functionName: "create-order-dev" },
        { method: "GET", path: "/orders/{orderId}", functionName: "get-order-dev" },
      ],
    },
  ],
};

describe("formatEndpoints", () => {
  it("lists each API's exact URLs and functions, the buckets, the tables and the credentials", () => {
    expect(formatEndpoints(movies)).toBe(
      [
        "  API movies_api-dev (movies-dev, stage dev)  http://127.0.0.1:3000/dev",
        "      GET     http://127.0.0.1:3000/dev/movies/{movieId}  → get-movie-dev",
        "      PATCH   http://127.0.0.1:3000/dev/movies/{movieId}  → update-rating-dev",
        "  S3         http://127.0.0.1:4569",
        "      s3://000000000000-movie-infos-dev  (*.csv → upload-infos-dev)",
        "  DynamoDB   http://127.0.0.1:8000",
        "      movie_infos-dev, movie_ratings-dev",
        "  Lambda     http://127.0.0.1:9001  (aws lambda invoke --endpoint-url ...)",
        "      get-movie-dev, update-rating-dev",
        "  Logs       /repo/.local/logs/<function>.log  (npm run logs -- <function> --follow)",
        "  Credentials  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=eu-central-1 AWS_DEFAULT_REGION=eu-central-1",
      ].join("\n"),
    );
  });
});

describe("tryItCommands", () => {
  it("adapts the workshop's Test section to the local endpoints, for AWS CLI v1 and v2", () => {
    expect(tryItCommands(movies).split("\n")).toEqual([
      "  export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=eu-central-1 AWS_DEFAULT_REGION=eu-central-1",
      "  aws --endpoint-url http://127.0.0.1:4569 s3 cp __tests__/fixtures/movie-infos.csv s3://000000000000-movie-infos-dev/",
      "  curl --request PATCH --url http://127.0.0.1:3000/dev/movies/mv1 --header 'content-type: application/json' \\",
      `    --data '{"movie_id": "mv1", "rotten_tomatoes_rating": 98, "imdb_rating": 43}'`,
      "  curl --request GET --url http://127.0.0.1:3000/dev/movies/mv1",
      "  aws --endpoint-url http://127.0.0.1:8000 dynamodb scan --table-name movie_infos-dev",
      "  npm run -s event -- api --method GET --path /movies/mv1 > get-mv1.json",
      "  aws lambda invoke --endpoint-url http://127.0.0.1:9001 --function-name get-movie-dev \\",
      "    --payload fileb://get-mv1.json out.json && cat out.json",
    ]);
  });

  it("adds the Orders flow when the Orders API runs, reading the new order's id into ORDER_ID", () => {
    const orders = tryItCommands(withOrders).split("\n");
    expect(orders.slice(-4)).toEqual([
      "  ORDER_ID=$(curl --silent --request POST --url http://127.0.0.1:3001/dev/orders --header 'content-type: application/json' \\",
      `    --data '{"customer_id":"c-1","items":[{"sku":"book-1","quantity":2,"unit_price_cents":1299}]}' \\`,
      `    | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).order_id')`,
      "  curl --request GET --url http://127.0.0.1:3001/dev/orders/$ORDER_ID",
    ]);
    expect(tryItCommands(movies)).not.toContain("/orders");
  });

  it("ends with the catalog container's GET when a running stack serves /catalog/movies/{movieId}", () => {
    const withCatalog: LocalEndpoints = {
      ...movies,
      apis: [
        ...movies.apis,
        {
          stack: "catalog-dev",
          address: "aws_ecs_service.catalog",
          name: "catalog-dev",
          stage: "$default",
          url: "http://127.0.0.1:3002",
          routes: [{ method: "GET", path: "/catalog/movies/{movieId}", service: "catalog-dev" }],
        },
      ],
    };
    expect(tryItCommands(withCatalog).split("\n").at(-1)).toBe(
      "  curl --request GET --url http://127.0.0.1:3002/catalog/movies/mv1",
    );
    expect(tryItCommands(movies)).not.toContain("/catalog");
  });
});

describe("moviesApp and ordersApi", () => {
  it("find the workshop's API, bucket and table, and the Orders API by their routes", () => {
    expect(moviesApp(movies)).toEqual({
      api: movies.apis[0],
      bucket: movies.s3.buckets[0],
      infosTable: movies.dynamodb.tables[0],
    });
    expect(ordersApi(movies)).toBeUndefined();
    expect(ordersApi(withOrders)?.url).toBe("http://127.0.0.1:3001/dev");
    expect(moviesApp({ ...movies, apis: [] })).toBeUndefined();
  });
});
