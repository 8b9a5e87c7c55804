// The one Polish plural helper (src/i18n/plural.ts), compiled by `npm test` first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { NOUNS, countOf, pluralForm } from "../.test-build/plural.js";

test("przesyłka takes the form Polish grammar gives each number", () => {
  const cases = {
    0: "0 przesyłek", 1: "1 przesyłka", 2: "2 przesyłki", 3: "3 przesyłki", 4: "4 przesyłki",
    5: "5 przesyłek", 11: "11 przesyłek", 12: "12 przesyłek", 14: "14 przesyłek", 21: "21 przesyłek",
    22: "22 przesyłki", 24: "24 przesyłki", 25: "25 przesyłek", 101: "101 przesyłek", 102: "102 przesyłki",
    112: "112 przesyłek", 1000: "1000 przesyłek", 10002: "10 002 przesyłki",
  };
  for (const [n, text] of Object.entries(cases)) {
    // Intl puts a no-break space between thousands: compare with plain spaces.
    assert.equal(countOf(Number(n), NOUNS.przesylka).replace(/\s/g, " "), text);
  }
});

test("fractions and other nouns", () => {
  assert.equal(pluralForm(1.5, NOUNS.przesylka), "przesyłki");
  assert.equal(countOf(1, NOUNS.pozycja), "1 pozycja");
  assert.equal(countOf(3, NOUNS.pozycja), "3 pozycje");
  assert.equal(countOf(7, NOUNS.strona), "7 stron");
});
