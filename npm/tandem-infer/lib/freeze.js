// `model.schema` and `model.metadata` hand out frozen copies: reading them is free, changing
// them throws (in modules) and can never reach what the model predicts with.

/** Freeze `value` and everything it holds (plain data from the wasm side), in place. */
export function deepFreeze(value) {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  // A typed array cannot be frozen while it has elements; schema and metadata hold none.
  if (ArrayBuffer.isView(value)) return value;
  for (const key of Object.keys(value)) deepFreeze(value[key]);
  return Object.freeze(value);
}
