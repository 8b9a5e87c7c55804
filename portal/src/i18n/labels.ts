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
  JRWA_NOT_LEAF: "Tej klasy nie można nadać: wybierz klasę ostatniego poziomu wykazu akt.",
  ROUTING_STATE: "Stan dokumentu zmienił się w międzyczasie — odśwież listę i spróbuj ponownie.",
  CASE_STATE: "Tej czynności nie można wykonać w obecnym stanie sprawy.",
  DOCUMENT_TOO_LARGE: "Plik jest za duży.",
  DOCUMENT_EMPTY: "Plik jest pusty.",
  FORBIDDEN_FILE_TYPE: "Tego rodzaju pliku nie można przyjąć (niedozwolony typ albo treść niezgodna z rozszerzeniem).",
  UNSAFE_ATTACHMENT_NAME: "Nazwa pliku zawiera niedozwolone znaki.",
  QUOTA_EXCEEDED: "Przekroczono godzinny limit odrzuconych plików. Spróbuj ponownie za godzinę.",
  UPLOAD_MISSING: "Skan nie dotarł do systemu albo jego przesłanie wygasło. Prześlij plik ponownie.",
  DUPLICATE_SCAN: "Ten sam skan jest już w rejestrze z innymi danymi.",
  RECEIVED_AT_NEEDS_CONFIRMATION: "Data wpływu jest zbyt odległa: wymaga potwierdzenia przez kierownika.",
};

export function errorMessage(error: { error_code?: string | null } | undefined | null, fallback: string): string {
  return (error?.error_code && ERRORS[error.error_code]) || fallback;
}

export const CERTIFICATES: Record<string, string> = {
  trusted: "zaufany (wystawiony przez zaufane centrum, nieunieważniony)",
  untrusted: "niezaufany (wystawca spoza listy zaufanych)",
  revoked: "unieważniony przez wystawcę",
  none: "brak certyfikatu",
};

export const ROUTING_STATUSES: Record<string, string> = {
  unclassified: "czeka na klasyfikację",
  awaiting_decretation: "czeka na dekretację",
  awaiting_acceptance: "czeka na przyjęcie",
  accepted: "przyjęty do załatwienia",
};

export const DECRETATION_KINDS: Record<string, string> = {
  do_zalatwienia: "do załatwienia",
  do_wiadomosci: "do wiadomości",
};

export const DECRETATION_STATUSES: Record<string, string> = {
  pending: "oczekuje",
  accepted: "przyjęta",
  returned: "zwrócona",
  superseded: "zastąpiona",
  info: "do wiadomości",
};

export function label(table: Record<string, string>, code: string | null | undefined): string {
  return code ? table[code] ?? code : "—";
}
