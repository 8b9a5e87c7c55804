// The problems of a previewed JRWA change or CSV in Polish: the API names each with a
// stable code (docs/error-codes.md, "JRWA preview") and where it is (the CSV's line, the
// change's number, the class); the English message is only the fallback for a new code.
import type { Schemas } from "../../../api/client";
import { NOUNS, countOf } from "../../../i18n/plural";

export type Problem = Schemas["JrwaProblem"];

const klasa = (p: Problem) => (p.symbol ? `klasa ${p.symbol}` : "klasa");

const TEXTS: Record<string, (p: Problem) => string> = {
  JRWA_SYMBOL_INVALID: (p) => `symbol „${p.value ?? ""}” jest nieprawidłowy: symbol klasy to od 1 do 4 cyfr`,
  JRWA_CATEGORY_INVALID: (p) => `kategoria archiwalna „${p.value ?? ""}” jest nieprawidłowa: dozwolone są A, Bc, Bn `
    + "i BEn (n — liczba lat, np. B5, BE10)",
  JRWA_CLASS_DUPLICATE: (p) => `${klasa(p)} występuje w wykazie więcej niż raz`,
  JRWA_TOO_MANY_CLASSES: (p) => `wykaz może mieć najwyżej ${p.value} klas`,
  JRWA_PLAN_EMPTY: () => "wykaz nie ma żadnej klasy",
  JRWA_PARENT_MISSING: (p) => `${klasa(p)} nie ma klasy nadrzędnej ${p.value ?? ""}`,
  JRWA_HEADING_MISSING: (p) => (p.symbol ? `${klasa(p)} nie ma hasła` : "brak hasła klasy"),
  JRWA_GROUP_WITH_CATEGORY: (p) => `${klasa(p)} ma podklasy (${p.value ?? ""}), więc jest grupą i nie może mieć `
    + "kategorii archiwalnej",
  JRWA_LEAF_WITHOUT_CATEGORY: (p) => `${klasa(p)} jest klasą końcową i musi mieć kategorię archiwalną `
    + "(A, Bn, BEn albo Bc)",
  JRWA_CLASS_EXISTS: (p) => `${klasa(p)} już jest w wykazie`,
  JRWA_CLASS_MISSING: (p) => `w wykazie nie ma klasy ${p.symbol ?? ""}`,
  JRWA_NOTHING_TO_UPDATE: () => "nic do zmiany: podaj hasło, kategorię albo uwagi",
  JRWA_REMOVAL_LEAVES_SUBCLASSES: (p) => `klasy ${p.symbol ?? ""} nie można usunąć, bo ma podklasy (${p.value ?? ""})`,
  JRWA_NO_CHANGES: () => "nie podano żadnej zmiany",
  JRWA_FILE_TOO_LARGE: (p) => `plik jest za duży (najwyżej ${p.value} bajtów)`,
  JRWA_FILE_NOT_UTF8: () => "plik nie jest tekstem w kodowaniu UTF-8",
  JRWA_FILE_EMPTY: () => "plik jest pusty",
  JRWA_CSV_HEADER: () => "pierwszy wiersz musi być nagłówkiem: symbol,heading,category,notes",
  JRWA_CSV_FIELDS: (p) => `wiersz ma ${countOf(Number(p.value), NOUNS.pole)} zamiast 4 (symbol, hasło, kategoria, uwagi)`,
  JRWA_CSV_MALFORMED: () => "nieprawidłowy zapis CSV (np. niezamknięty cudzysłów)",
  JRWA_UNCHANGED: () => "zmiana niczego nie zmienia: wykaz byłby taki sam jak obowiązujący",
};

function where(p: Problem): string {
  if (p.line != null) return `Wiersz ${p.line}: `;
  if (p.change != null) return `Zmiana ${p.change}${p.symbol ? ` (klasa ${p.symbol})` : ""}: `;
  return "";
}

/** "Wiersz 4: kategoria archiwalna „Z9” jest nieprawidłowa: …" */
export function problemText(p: Problem): string {
  const say = TEXTS[p.code];
  const text = where(p) + (say ? say(p) : `wykaz jest nieprawidłowy (${p.message})`);
  return text.charAt(0).toUpperCase() + text.slice(1) + ".";
}
