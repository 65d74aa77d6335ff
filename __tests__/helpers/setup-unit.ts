// Matchers for synthesized Terraform (toHaveResourceWithProperties, ...) and for SDK client mocks.
import { Testing } from "cdktf";
import "aws-sdk-client-mock-jest";

Testing.setupJest();

// Lambda runs our bundles on Node 22; the SDK's notice that Node 20 support ends is noise in these tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
