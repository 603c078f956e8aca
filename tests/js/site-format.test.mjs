// The site's number and duration formatting (www/format.js), as issue 15 asks: what the page
// measured is shown honestly, and training values print as written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { duration, number } from "../../www/format.js";

test("schema values print as written, without float noise", () => {
  assert.equal(number(Math.fround(0.1667)), "0.1667");
  assert.equal(number(0.166700006), "0.1667");
  assert.equal(number(80), "80");
  assert.equal(number(201.5), "201.5");
  assert.equal(number(1234567), "1234567");
  assert.equal(number(Math.fround(0.1)), "0.1");
  assert.equal(number(-2.5e-7), "-2.5e-7");
  assert.equal(number(0), "0");
});

test("a time under the clock's resolution reads < 0.1 ms, never 0 µs", () => {
  assert.equal(duration(0), "< 0.1 ms");
  assert.equal(duration(0.04), "< 0.1 ms");
  assert.equal(duration(0.1), "0.1 ms");
  assert.equal(duration(2.345), "2.3 ms");
  assert.equal(duration(37.6), "38 ms");
});
