// What `Model.load` accepts, turned into bytes: a Uint8Array (or any typed array, DataView,
// ArrayBuffer), a Blob or File, a Response, a URL or URL string (fetched), and in Node a
// file path or a `file:` URL (read from disk). Anything else is BAD_SOURCE, naming what it got.
import { TandemError, describe } from "./error.js";

const ACCEPTED = "bytes (Uint8Array, ArrayBuffer, a typed array, DataView), a Blob or File, a Response, a URL or a URL string";

/** A URL with a scheme (`https:`, `file:`, `data:`, `blob:`...), not a Windows drive (`C:`). */
const hasScheme = (s) => /^[a-z][a-z0-9+.-]+:/i.test(s);

async function read(readFile, where) {
  try {
    return new Uint8Array(await readFile(where));
  } catch (e) {
    throw new TandemError(`reading the bundle ${String(where)} failed: ${e.message}`, "FETCH_FAILED", null, null, { cause: e });
  }
}

async function fromResponse(response) {
  if (!response.ok) throw new TandemError(`fetching the bundle failed: HTTP ${response.status}`, "FETCH_FAILED");
  return new Uint8Array(await response.arrayBuffer());
}

async function fromUrl(source, readFile) {
  let url;
  try {
    url = new URL(String(source), typeof location !== "undefined" ? location.href : undefined);
  } catch (e) {
    throw new TandemError(`not a URL: ${String(source).slice(0, 200)} (Model.load takes ${ACCEPTED})`, "BAD_SOURCE", null, null, { cause: e });
  }
  if (url.protocol === "file:" && readFile) return read(readFile, url);
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new TandemError(`fetching the bundle failed: ${e.message}`, "FETCH_FAILED", null, null, { cause: e });
  }
  return fromResponse(response);
}

/**
 * The bytes of a bundle. `readFile` (Node's `fs/promises.readFile`, absent in browsers) reads
 * file paths and `file:` URLs; without it a string is a URL, relative to the page.
 */
export async function bytesOf(source, readFile) {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
  if (typeof source === "string") {
    return readFile && !hasScheme(source) ? read(readFile, source) : fromUrl(source, readFile);
  }
  if (source !== null && typeof source === "object") {
    // Read by what they offer (index.d.ts's ResponseLike, BlobLike, URLLike), so a Response,
    // Blob, File or URL from another realm or a polyfill works as the global class does.
    if (typeof source.arrayBuffer === "function") {
      return typeof source.ok === "boolean" ? fromResponse(source) : new Uint8Array(await source.arrayBuffer());
    }
    if (typeof source.href === "string") return fromUrl(source.href, readFile);
  }
  const path = readFile ? ", a file path" : "";
  throw new TandemError(`Model.load takes ${ACCEPTED}${path}; found ${describe(source)}`, "BAD_SOURCE");
}
