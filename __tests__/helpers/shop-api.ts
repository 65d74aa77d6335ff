import { declaredApis, type DeclaredApi } from "../../local/api-routes";
import { TerraformResolver, type TerraformJson } from "../../local/terraform";

/** `${aws_api_gateway_rest_api.<name>.id}`: how a resource of the stack names its REST API. */
export const restApiId = (name: string) => `\${aws_api_gateway_rest_api.${name}.id}`;

/** A hand-written stack with what the movies stack does not use: root methods, ANY, {proxy+}, stages. */
export const shop: TerraformJson = {
  resource: {
    aws_lambda_function: {
      catalog: { function_name: "catalog-dev", handler: "index.handler", filename: "assets/catalog.zip" },
      checkout: { function_name: "checkout-dev", handler: "index.handler", filename: "assets/checkout.zip" },
    },
    aws_api_gateway_rest_api: { shop_api: { name: "shop-dev", binary_media_types: ["image/*"] } },
    aws_api_gateway_resource: {
      items: {
        rest_api_id: restApiId("shop_api"),
        parent_id: "${aws_api_gateway_rest_api.shop_api.root_resource_id}",
        path_part: "items",
      },
      item: {
        rest_api_id: restApiId("shop_api"),
        parent_id: "${aws_api_gateway_resource.items.id}",
        path_part: "{itemId}",
      },
      special: {
        rest_api_id: restApiId("shop_api"),
        parent_id: "${aws_api_gateway_resource.items.id}",
        path_part: "special",
      },
      proxy: {
        rest_api_id: restApiId("shop_api"),
        parent_id: "${aws_api_gateway_rest_api.shop_api.root_resource_id}",
        path_part: "{proxy+}",
      },
    },
    aws_api_gateway_method: {
      root_get: {
        rest_api_id: restApiId("shop_api"),
        resource_id: "${aws_api_gateway_rest_api.shop_api.root_resource_id}",
        http_method: "GET",
      },
      item_get: {
        rest_api_id: restApiId("shop_api"),
        resource_id: "${aws_api_gateway_resource.item.id}",
        http_method: "GET",
      },
      item_any: {
        rest_api_id: restApiId("shop_api"),
        resource_id: "${aws_api_gateway_resource.item.id}",
        http_method: "ANY",
      },
      special_get: {
        rest_api_id: restApiId("shop_api"),
        resource_id: "${aws_api_gateway_resource.special.id}",
        http_method: "GET",
      },
      proxy_any: {
        rest_api_id: restApiId("shop_api"),
        resource_id: "${aws_api_gateway_resource.proxy.id}",
        http_method: "ANY",
      },
    },
    aws_api_gateway_integration: {
      root_get: {
        rest_api_id: restApiId("shop_api"),
        resource_id: "${aws_api_gateway_rest_api.shop_api.root_resource_id}",
        http_method: "${aws_api_gateway_method.root_get.http_method}",
        type: "MOCK",
      },
      item_get: {
        rest_api_id: restApiId("shop_api"),
        resource_id: "${aws_api_gateway_resource.item.id}",
        http_method: "GET",
        type: "AWS_PROXY",
        uri: "${aws_lambda_function.catalog.invoke_arn}",
      },
      item_any: {
        rest_api_id: restApiId("shop_api"),
        resource_id: "${aws_api_gateway_resource.item.id}",
        http_method: "ANY",
        type: "AWS_PROXY",
        uri: "${aws_lambda_function.checkout.invoke_arn}",
      },
      special_get: {
        rest_api_id: restApiId("shop_api"),
        resource_id: "${aws_api_gateway_resource.special.id}",
        http_method: "GET",
        type: "AWS_PROXY",
        uri: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:special-dev/invocations",
      },
      proxy_any: {
        rest_api_id: restApiId("shop_api"),
        resource_id: "${aws_api_gateway_resource.proxy.id}",
        http_method: "ANY",
        type: "AWS_PROXY",
        uri: "${aws_lambda_function.catalog.invoke_arn}",
      },
    },
    aws_api_gateway_stage: {
      v1: {
        rest_api_id: restApiId("shop_api"),
        stage_name: "v1",
        variables: { table: "${aws_lambda_function.catalog.function_name}" },
      },
    },
    aws_api_gateway_deployment: { legacy: { rest_api_id: restApiId("shop_api"), stage_name: "legacy" } },
  },
};

/** The one REST API of {@link shop}, as the local run declares it. */
export function shopApi(): DeclaredApi {
  const [declared] = declaredApis(new TerraformResolver(shop, { region: "eu-west-1" }));
  return declared as DeclaredApi;
}
