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

test("the nouns and the verb of the case officer's screens", () => {
  assert.equal(countOf(1, NOUNS.zadanie), "1 zadanie");
  assert.equal(countOf(2, NOUNS.zadanie), "2 zadania");
  assert.equal(countOf(5, NOUNS.zadanie), "5 zadań");
  assert.equal(countOf(22, NOUNS.sprawa), "22 sprawy");
  assert.equal(countOf(12, NOUNS.sprawa), "12 spraw");
  assert.equal(countOf(3, NOUNS.dokument), "3 dokumenty");
  assert.equal(countOf(11, NOUNS.wpis), "11 wpisów");
  assert.equal(countOf(1, NOUNS.dzien), "1 dzień");
  assert.equal(countOf(21, NOUNS.dzien), "21 dni");
  assert.equal(`${pluralForm(1, NOUNS.zostalo)} ${countOf(1, NOUNS.dzien)}`, "został 1 dzień");
  assert.equal(`${pluralForm(3, NOUNS.zostalo)} ${countOf(3, NOUNS.dzien)}`, "zostały 3 dni");
  assert.equal(`${pluralForm(15, NOUNS.zostalo)} ${countOf(15, NOUNS.dzien)}`, "zostało 15 dni");
  assert.equal(countOf(2, NOUNS.lancuch), "2 łańcuchy");
  assert.equal(countOf(5, NOUNS.klasaKoncowa), "5 klas końcowych");
  assert.equal(countOf(23, NOUNS.klasaKoncowa), "23 klasy końcowe");
});

test("użytkownik", () => {
  const cases = { 1: "1 użytkownik", 2: "2 użytkownicy", 4: "4 użytkownicy", 5: "5 użytkowników",
    12: "12 użytkowników", 22: "22 użytkownicy", 25: "25 użytkowników" };
  for (const [n, text] of Object.entries(cases)) assert.equal(countOf(Number(n), NOUNS.uzytkownik), text);
});

test("the file plan's nouns: klasa, zmiana, błąd, pole", () => {
  const cases = [[1, NOUNS.klasa, "1 klasa"], [3, NOUNS.klasa, "3 klasy"], [12, NOUNS.klasa, "12 klas"],
    [125, NOUNS.klasa, "125 klas"], [124, NOUNS.klasa, "124 klasy"], [1, NOUNS.zmiana, "1 zmiana"],
    [2, NOUNS.zmiana, "2 zmiany"], [5, NOUNS.zmiana, "5 zmian"], [1, NOUNS.blad, "1 błąd"], [4, NOUNS.blad, "4 błędy"],
    [11, NOUNS.blad, "11 błędów"], [1, NOUNS.pole, "1 pole"], [3, NOUNS.pole, "3 pola"], [5, NOUNS.pole, "5 pól"]];
  for (const [n, forms, text] of cases) assert.equal(countOf(n, forms), text);
});

test("the statistics' and the address book's nouns: jednostka, kontrahent", () => {
  const cases = [[1, NOUNS.jednostka, "1 jednostka"], [3, NOUNS.jednostka, "3 jednostki"], [165, NOUNS.jednostka, "165 jednostek"],
    [1, NOUNS.kontrahent, "1 kontrahent"], [2, NOUNS.kontrahent, "2 kontrahentów"], [164, NOUNS.kontrahent, "164 kontrahentów"],
    [0, NOUNS.kontrahent, "0 kontrahentów"]];
  for (const [count, noun, words] of cases) assert.equal(countOf(count, noun), words);
});

test("the letter templates' nouns", () => {
  assert.equal(countOf(1, NOUNS.szablon), "1 szablon");
  assert.equal(countOf(3, NOUNS.szablon), "3 szablony");
  assert.equal(countOf(5, NOUNS.szablon), "5 szablonów");
  assert.equal(countOf(22, NOUNS.wersja), "22 wersje");
  assert.equal(countOf(12, NOUNS.wersja), "12 wersji");
  assert.equal(countOf(1, NOUNS.wersja), "1 wersja");
});
