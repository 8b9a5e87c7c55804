// The API's codes in the words the users know.
import type { Principal } from "../api/client";

export const ROLES: Record<Principal["roles"][number], string> = {
  registry_clerk: "sekretariat (kancelaria)",
  manager: "kierownik",
  case_officer: "referent",
  archivist: "archiwista",
  unit_admin: "administrator jednostki",
};

export const CHANNELS: Record<string, string> = {
  epuap: "ePUAP",
  edoreczenia: "e-Doręczenia",
  email: "poczta elektroniczna",
  post: "poczta",
  courier: "kurier",
  in_person: "osobiście",
};

export const SIGNATURES: Record<string, string> = {
  valid: "ważny",
  invalid: "nieważny",
  absent: "bez podpisu",
};

export function roleNames(roles: Principal["roles"]): string {
  return roles.map((role) => ROLES[role] ?? role).join(", ");
}

const ERRORS: Record<string, string> = {
  UNAUTHENTICATED: "Nieprawidłowy login lub hasło.",
  ACCOUNT_LOCKED: "Konto jest chwilowo zablokowane po kilku nieudanych próbach. Spróbuj ponownie później.",
  FORBIDDEN: "Brak dostępu.",
  NOT_FOUND: "Nie znaleziono.",
  VALIDATION_FAILED: "Nieprawidłowe dane.",
};

export function errorMessage(error: { error_code?: string } | undefined | null, fallback: string): string {
  return (error?.error_code && ERRORS[error.error_code]) || fallback;
}
