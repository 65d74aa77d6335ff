import { itemSizeBytes } from "../../../../lambdas/upload-infos/item-size";

describe("itemSizeBytes", () => {
  it("adds the UTF-8 lengths of each attribute's name and value, as DynamoDB counts them", () => {
    // movie_id (8) + "mv1" (3) + name (4) + "Amélie" (7 bytes) + release_date (12) + "2001-04-25" (10)
    expect(itemSizeBytes({ movie_id: "mv1", name: "Amélie", release_date: "2001-04-25" })).toBe(44);
    expect(itemSizeBytes({ name: "千と" })).toBe(4 + 6);
  });

  it("leaves out absent attributes and refuses what it cannot count", () => {
    expect(itemSizeBytes({ movie_id: "a", country_of_origin: undefined })).toBe(9);
    expect(() => itemSizeBytes({ movie_id: "a", rating: 3 })).toThrow(
      'itemSizeBytes counts string attributes only; "rating" is number',
    );
  });
});
