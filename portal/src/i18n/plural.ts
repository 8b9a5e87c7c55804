// Polish plural forms, in one place: Intl.PluralRules("pl") tells which form a number takes
// ("one": 1; "few": 2–4, 22–24, …; "many": 0, 5–21, 25–31, …; "other": fractions).

const rules = new Intl.PluralRules("pl");
const numbers = new Intl.NumberFormat("pl-PL");

export interface Forms {
  one: string; // 1 przesyłka
  few: string; // 2 przesyłki
  many: string; // 5 przesyłek
  other?: string; // 1,5 przesyłki (fractions take the genitive singular)
}

export const NOUNS = {
  przesylka: { one: "przesyłka", few: "przesyłki", many: "przesyłek", other: "przesyłki" },
  pozycja: { one: "pozycja", few: "pozycje", many: "pozycji", other: "pozycji" },
  strona: { one: "strona", few: "strony", many: "stron", other: "strony" },
  regula: { one: "reguła", few: "reguły", many: "reguł", other: "reguły" },
  dokument: { one: "dokument", few: "dokumenty", many: "dokumentów", other: "dokumentu" },
  sprawa: { one: "sprawa", few: "sprawy", many: "spraw", other: "sprawy" },
  sciezka: { one: "ścieżka", few: "ścieżki", many: "ścieżek", other: "ścieżki" },
  pismo: { one: "pismo", few: "pisma", many: "pism", other: "pisma" },
  wersja: { one: "wersja", few: "wersje", many: "wersji", other: "wersji" },
  zadanie: { one: "zadanie", few: "zadania", many: "zadań", other: "zadania" },
  wpis: { one: "wpis", few: "wpisy", many: "wpisów", other: "wpisu" },
  dzien: { one: "dzień", few: "dni", many: "dni", other: "dnia" },
  klasa: { one: "klasa", few: "klasy", many: "klas", other: "klasy" },
  klasaKoncowa: { one: "klasa końcowa", few: "klasy końcowe", many: "klas końcowych", other: "klasy końcowej" },
  zmiana: { one: "zmiana", few: "zmiany", many: "zmian", other: "zmiany" },
  blad: { one: "błąd", few: "błędy", many: "błędów", other: "błędu" },
  pole: { one: "pole", few: "pola", many: "pól", other: "pola" },
  lancuch: { one: "łańcuch", few: "łańcuchy", many: "łańcuchów", other: "łańcucha" },
  // the verb before a count of days: "został 1 dzień", "zostały 2 dni", "zostało 5 dni"
  zostalo: { one: "został", few: "zostały", many: "zostało", other: "zostało" },
  uzytkownik: { one: "użytkownik", few: "użytkownicy", many: "użytkowników", other: "użytkownika" },
  jednostka: { one: "jednostka", few: "jednostki", many: "jednostek", other: "jednostki" },
  // a virile noun after a numeral takes the genitive: "2 kontrahentów" (read: dwóch kontrahentów)
  kontrahent: { one: "kontrahent", few: "kontrahentów", many: "kontrahentów", other: "kontrahenta" },
  szablon: { one: "szablon", few: "szablony", many: "szablonów", other: "szablonu" },
} satisfies Record<string, Forms>;

export function pluralForm(count: number, forms: Forms): string {
  const category = rules.select(count);
  if (category === "one") return forms.one;
  if (category === "few") return forms.few;
  if (category === "many") return forms.many;
  return forms.other ?? forms.few;
}

/** "1 przesyłka", "2 przesyłki", "5 przesyłek", "1 234 przesyłki" */
export function countOf(count: number, forms: Forms): string {
  return `${numbers.format(count)} ${pluralForm(count, forms)}`;
}
