// Letter templates: the same placeholder rules as the API's (models/letter_templates.py),
// said in Polish beside the field before anything is sent, and the API's own problems
// (with their stable codes) said the same way when it refuses a template.
import type { Schemas } from "../../api/client";

export type LetterTemplate = Schemas["LetterTemplate"];
export type TemplateVersion = Schemas["TemplateVersion"];
export type Placeholder = Schemas["Placeholder"];
export type LetterPreview = Schemas["LetterPreview"];
export type Field = "name" | "description" | "subject" | "body";

export interface Problem {
  field: Field;
  code: string;
  value?: string | null;
  suggestion?: string | null;
  message?: string;
}

export interface Draft {
  name: string;
  description: string;
  subject: string;
  body: string;
}

export const EMPTY: Draft = { name: "", description: "", subject: "", body: "" };

export function draftOf(t: LetterTemplate): Draft {
  return { name: t.name, description: t.description ?? "", subject: t.subject ?? "", body: t.body };
}

const NAME = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

function withoutPolishLetters(name: string): string {
  return name.replace(/ł/g, "l").replace(/Ł/g, "L").normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/** The vocabulary's name closest to a mistyped one (at most a third of it different). */
function closest(name: string, names: Set<string>): string | null {
  let best: string | null = null;
  let score = Math.ceil(name.length / 3) + 1;
  for (const candidate of names) {
    const d = distance(name, candidate);
    if (d < score) [best, score] = [candidate, d];
  }
  return best;
}

/** Each "{{ … }}" must be a name of the vocabulary; "{{" and "}}" always come in pairs. */
export function placeholderProblems(field: Field, text: string, names: Set<string>): Problem[] {
  const problems: Problem[] = [];
  let position = 0;
  for (;;) {
    const opening = text.indexOf("{{", position);
    const closing = text.indexOf("}}", position);
    if (opening === -1 && closing === -1) return problems;
    if (closing !== -1 && (opening === -1 || closing < opening)) {
      problems.push({ field, code: "LETTER_TEMPLATE_PLACEHOLDER_MALFORMED", value: "}}" });
      position = closing + 2;
      continue;
    }
    const end = text.indexOf("}}", opening + 2);
    if (end === -1) {
      problems.push({ field, code: "LETTER_TEMPLATE_PLACEHOLDER_MALFORMED", value: text.slice(opening, opening + 40) });
      return problems;
    }
    const inner = text.slice(opening + 2, end).trim();
    if (!NAME.test(inner)) {
      const plain = withoutPolishLetters(inner);
      problems.push({ field, code: "LETTER_TEMPLATE_PLACEHOLDER_MALFORMED", value: text.slice(opening, end + 2),
        suggestion: names.has(plain) ? plain : null });
    } else if (!names.has(inner)) {
      problems.push({ field, code: "LETTER_TEMPLATE_PLACEHOLDER_UNKNOWN", value: inner, suggestion: closest(inner, names) });
    }
    position = end + 2;
  }
}

export function problemsOf(d: Draft, names: Set<string>): Problem[] {
  const found: Problem[] = [];
  if (!d.name.trim()) found.push({ field: "name", code: "REQUIRED" });
  if (!d.body.trim()) found.push({ field: "body", code: "REQUIRED" });
  return [...found, ...placeholderProblems("subject", d.subject, names), ...placeholderProblems("body", d.body, names)];
}

/** One problem in Polish. */
export function say(p: Problem): string {
  const hint = p.suggestion ? ` Czy chodziło o {{ ${p.suggestion} }}?` : "";
  switch (p.code) {
    case "REQUIRED":
      return p.field === "name" ? "Podaj nazwę szablonu." : "Wpisz treść pisma.";
    case "LETTER_TEMPLATE_PLACEHOLDER_UNKNOWN":
      return `Nie ma pola {{ ${p.value} }}.${hint} Wstaw pole z listy poniżej.`;
    case "LETTER_TEMPLATE_PLACEHOLDER_MALFORMED":
      return p.value === "}}"
        ? "Znaki }} bez otwierających {{ — pole ma postać {{ nazwa }}."
        : `„${p.value}” nie jest poprawnym polem: pole ma postać {{ nazwa }}, np. {{ sprawa.znak }}.${hint}`;
    case "LETTER_TEMPLATE_TEXT_INVALID":
      return `Tekst zawiera znak, którego nie można wydrukować (${p.value}).`;
    case "LETTER_TEMPLATE_NAME_TAKEN":
      return "Jednostka ma już aktywny szablon o tej nazwie.";
    default:
      return "Nieprawidłowa wartość.";
  }
}

/** The problems of a field, joined for its error text (undefined: none). */
export function fieldError(problems: Problem[], field: Field): string | undefined {
  const mine = problems.filter((p) => p.field === field);
  return mine.length ? mine.map(say).join(" ") : undefined;
}

export const CHANGES: Record<string, string> = {
  created: "utworzenie", changed: "zmiana treści", archived: "archiwizacja", restored: "przywrócenie",
};
