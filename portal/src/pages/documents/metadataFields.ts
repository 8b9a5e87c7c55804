// The metadata the registry desk may correct, named as on the document's page.
export const FIELD_NAMES: Record<string, string> = {
  title: "Dotyczy (tytuł)",
  sender: "Nadawca",
  letter_date: "Data pisma",
  sender_reference: "Znak pisma nadawcy",
  kind: "Rodzaj",
  access: "Dostęp",
  remarks: "Uwagi",
};

export const ACCESS_LEVELS = ["publiczny – dostępny w całości", "publiczny – dostępny częściowo", "niepubliczny"];

/** A value as it was or is: text as it is, a sender by its name, nothing as a dash. */
export function shownValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "object" && value && "name" in value) return String((value as { name: unknown }).name);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
