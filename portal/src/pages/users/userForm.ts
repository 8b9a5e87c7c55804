// The add-user form's fields, checked before sending and mapped back from the API's
// refusals, field by field, in Polish (the rules are the API's: services/unit_users.py).
import type { Principal } from "../../api/client";

export type Role = Principal["roles"][number];

export interface UserDraft {
  login: string;
  full_name: string;
  position: string;
  cell: string;
  roles: Role[];
  email: string;
}

export type Problems = Partial<Record<keyof UserDraft, string>>;

export const EMPTY_DRAFT: UserDraft = { login: "", full_name: "", position: "", cell: "", roles: [], email: "" };

const NAME_PART = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export function loginProblem(unit: string, login: string): string | undefined {
  const text = login.trim().toLowerCase();
  const prefix = `${unit.toLowerCase()}.`;
  if (!text) return "Podaj login";
  if (!text.startsWith(prefix)) return `Login zaczyna się od „${prefix}”, np. ${prefix}nowak`;
  const name = text.slice(prefix.length);
  if (!NAME_PART.test(name) || name.length > 40) {
    return "Po kropce: litery a–z bez polskich znaków, cyfry i pojedyncze łączniki, na początku litera";
  }
  return undefined;
}

/** What is wrong with the draft before it is sent. */
export function draftProblems(unit: string, draft: UserDraft): Problems {
  const problems: Problems = {};
  const login = loginProblem(unit, draft.login);
  if (login) problems.login = login;
  if (draft.full_name.trim().length < 3) problems.full_name = "Podaj imię i nazwisko";
  if (draft.position.trim().length < 2) problems.position = "Podaj stanowisko";
  if (!draft.cell) problems.cell = "Wybierz komórkę";
  if (draft.roles.length === 0) problems.roles = "Wybierz co najmniej jedną rolę";
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]{2,}$/.test(draft.email.trim())) problems.email = "Podaj adres e-mail, np. jan.nowak@szkola.pl";
  return problems;
}

/** The API's refusal as a problem of one field (or null: a message for the whole form). */
export function refusalProblems(error: { error_code?: string; message?: string } | undefined): Problems | null {
  switch (error?.error_code) {
    case "LOGIN_INVALID":
      return { login: "Login ma postać jednostka.nazwisko, np. sp13.nowak" };
    case "USER_EXISTS":
      return { login: "Taki login już istnieje — wybierz inny" };
    case "CELL_UNKNOWN":
      return { cell: "Nie ma takiej komórki w jednostce" };
    case "VALIDATION_FAILED": {
      const field = (error.message ?? "").split(":")[0].split(".")[0] as keyof UserDraft;
      const words: Problems = {
        full_name: "Nieprawidłowe imię i nazwisko", position: "Nieprawidłowe stanowisko", roles: "Nieprawidłowe role",
        email: "Nieprawidłowy adres e-mail", login: "Nieprawidłowy login", cell: "Nieprawidłowa komórka",
      };
      return words[field] ? { [field]: words[field] } : null;
    }
    default:
      return null;
  }
}
