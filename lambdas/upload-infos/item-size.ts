/** DynamoDB's item size limit: 400 KB, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;

/**
 * The size DynamoDB counts for an item of string attributes: for each attribute, the UTF-8 length of its
 * name plus the UTF-8 length of its value ("Item sizes and formats", DynamoDB Developer Guide). Checking it
 * before writing keeps one oversized row from failing the whole BatchWriteItem it would travel in.
 */
export function itemSizeBytes(item: object): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== "string") {
      if (value === undefined) continue;
      throw new TypeError(`itemSizeBytes counts string attributes only; "${name}" is ${typeof value}`);
    }
    size += Buffer.byteLength(name, "utf8") + Buffer.byteLength(value, "utf8");
  }
  return size;
}
