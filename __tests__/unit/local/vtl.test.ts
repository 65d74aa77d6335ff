import { escapeJavaScript, renderVtl, unsupportedDirectives } from "../../../local/vtl";

describe("renderVtl: the gateway response subset of API Gateway's VTL", () => {
  const context = {
    error: { message: "Invalid request body", validationErrorString: `[it's "x"]` },
    requestId: "r-1",
  };

  it("replaces references, plain and braced, and keeps unknown ones as written", () => {
    expect(
      renderVtl("$context.requestId ${context.requestId} $context.nope $!context.nope $5", { context }),
    ).toBe("r-1 r-1 $context.nope  $5");
  });

  it("escapes like $util.escapeJavaScript and applies Java String methods to the result", () => {
    expect(renderVtl("$util.escapeJavaScript($context.error.validationErrorString)", { context })).toBe(
      `[it\\'s \\"x\\"]`,
    );
    // The stack's template: JSON-valid because \' goes back to ' (Java regex \\' matches a backslash-quote).
    expect(
      renderVtl(`$util.escapeJavaScript($context.error.validationErrorString).replaceAll("\\\\'","'")`, {
        context,
      }),
    ).toBe(`[it's \\"x\\"]`);
    expect(renderVtl(`$context.error.message.toUpperCase()`, { context })).toBe("INVALID REQUEST BODY");
  });

  it("escapes as Apache Commons' escapeJavaScript", () => {
    expect(escapeJavaScript(`a/b\\c\n\u0001é😀`)).toBe("a\\/b\\\\c\\n\\u0001\\u00E9\\uD83D\\uDE00");
  });

  it("names the directives it does not evaluate", () => {
    expect(unsupportedDirectives("#if($x)a#else b#end $y")).toEqual(["#if", "#else", "#end"]);
    expect(unsupportedDirectives('{"message": "$context.error.message"}')).toEqual([]);
  });
});
