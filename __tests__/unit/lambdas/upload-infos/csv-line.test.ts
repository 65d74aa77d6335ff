import { parseCsvLine, UNCLOSED_QUOTE_REASON } from "../../../../lambdas/upload-infos/csv-line";

describe("parseCsvLine", () => {
  it.each([
    ["plain fields", "mv1,Heat,US,1995-12-15", ["mv1", "Heat", "US", "1995-12-15"]],
    ["empty fields", ",a,,", ["", "a", "", ""]],
    [
      "a quoted comma",
      'mv1,"Crouching Tiger, Hidden Dragon",TW',
      ["mv1", "Crouching Tiger, Hidden Dragon", "TW"],
    ],
    ["escaped quotes", '"The ""Best"" Years",x', ['The "Best" Years', "x"]],
    ["a quoted last field", 'a,"b"', ["a", "b"]],
    ["an empty quoted field", 'a,"",c', ["a", "", "c"]],
    ["a stray quote in an unquoted field", 'mv2,Al"ien,UK', ["mv2", 'Al"ien', "UK"]],
    ["text after a closing quote", 'mv3,"Se7en"x,US', ["mv3", '"Se7en"x', "US"]],
    ["text after a closing quote, last", 'mv3,"Se7en"x', ["mv3", '"Se7en"x']],
    ["a quote after leading spaces", 'a, "b",c', ["a", ' "b"', "c"]],
  ])("splits %s", (_what, line, fields) => {
    expect(parseCsvLine(line)).toEqual({ ok: true, fields });
  });

  it.each([
    ["a quote left open", 'mv2,"Unclosed,US,2001-01-01'],
    ["an open quote after escaped ones", 'mv2,"a ""b"" c,US'],
    ["a lone quote", '"'],
  ])("rejects %s", (_what, line) => {
    expect(parseCsvLine(line)).toEqual({ ok: false, reason: UNCLOSED_QUOTE_REASON });
  });
});
