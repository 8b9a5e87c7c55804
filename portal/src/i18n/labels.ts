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
  JRWA_NOT_LEAF: "To nie jest klasa końcowa wykazu akt: wybierz klasę ostatniego poziomu.",
  ROUTING_STATE: "Stan dokumentu zmienił się w międzyczasie — odśwież listę i spróbuj ponownie.",
  CASE_STATE: "Tej czynności nie można wykonać w obecnym stanie sprawy (mogła się zmienić w międzyczasie). Odśwież stronę.",
  JRWA_INVALID: "Tej klasy nie ma w wykazie akt jednostki.",
  AUDIT_ANCHOR_INVALID: "Nie można potwierdzić metryki: kotwica łańcucha wpisów jest nieczytelna lub nieprawidłowa.",
  DOCUMENT_TOO_LARGE: "Plik jest za duży.",
  DOCUMENT_EMPTY: "Plik jest pusty.",
  FORBIDDEN_FILE_TYPE: "Tego rodzaju pliku nie można przyjąć (niedozwolony typ albo treść niezgodna z rozszerzeniem).",
  UNSAFE_ATTACHMENT_NAME: "Nazwa pliku zawiera niedozwolone znaki.",
  QUOTA_EXCEEDED: "Przekroczono godzinny limit odrzuconych plików. Spróbuj ponownie za godzinę.",
  UPLOAD_MISSING: "Skan nie dotarł do systemu albo jego przesłanie wygasło. Prześlij plik ponownie.",
  DUPLICATE_SCAN: "Ten sam skan jest już w rejestrze z innymi danymi.",
  RECEIVED_AT_NEEDS_CONFIRMATION: "Data wpływu jest zbyt odległa: wymaga potwierdzenia przez kierownika.",
  LOGIN_INVALID: "Login ma postać jednostka.nazwisko, np. sp13.nowak (litery bez polskich znaków, cyfry, łącznik).",
  USER_EXISTS: "Taki login już istnieje.",
  CELL_UNKNOWN: "Nie ma takiej komórki w jednostce.",
  LAST_ADMIN: "Jednostka musi mieć co najmniej jednego aktywnego administratora.",
  SELF_LOCKOUT: "Nie można odebrać sobie uprawnień administratora ani dezaktywować własnego konta — zrobi to inny administrator jednostki.",
  PASSWORD_CHANGE_REQUIRED: "Hasło jest tymczasowe — ustaw nowe.",
  SIGNATURE_NOT_VALID: "Podpis nie jest ważny dla zaakceptowanej wersji — podpisz ją ponownie.",
  SEAL_NOT_CONFIGURED: "Jednostka nie ma skonfigurowanej pieczęci elektronicznej — zgłoś to administratorowi.",
  DISPATCH_CHANNEL_UNAVAILABLE: "Ten sposób wysyłki nie jest jeszcze dostępny — wybierz pocztę.",
  OUTGOING_STATE: "Tego nie można zrobić w obecnym stanie pisma — odśwież stronę.",
  OUTGOING_CHANGED: "Ktoś zmienił to pismo w międzyczasie — odśwież stronę i spróbuj ponownie.",
  CONTRACTOR_CHANGED: "Ktoś zmienił tego kontrahenta w międzyczasie — odśwież listę i spróbuj ponownie.",
  CONTRACTOR_READ_ONLY: "Jednostki miasta są prowadzone w katalogu jednostek, nie w książce adresowej.",
  IDENTITY_PROVIDER_FAILED: "Usługa kont użytkowników nie odpowiedziała. Nic nie zmieniono; spróbuj ponownie.",
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

export const OUTGOING_STATUSES: Record<string, string> = {
  draft: "projekt",
  in_approval: "w akceptacji",
  approved: "zaakceptowany",
  signed: "podpisany",
  dispatched: "wysłany",
};

export const DISPATCH_METHODS: Record<string, string> = {
  edoreczenia: "e-Doręczenia",
  epuap_dorecz: "ePUAP – doręczenie (UPD)",
  epuap_nadaj: "ePUAP – do skrytki urzędu (UPP)",
  post: "poczta – list polecony",
};

export const ITEM_STATUSES: Record<string, string> = {
  awaiting_postage: "czeka na nadanie",
  posted: "nadany",
  sending: "wysyłany",
  sent: "wysłany",
  delivered: "doręczony",
  failed: "niedoręczony",
};

export const POSTAL_SERVICES: Record<string, string> = {
  polecony: "list polecony",
  polecony_zpo: "list polecony za potwierdzeniem odbioru",
};

export const WEIGHT_CLASSES: Record<string, string> = { do_350g: "do 350 g", do_1kg: "ponad 350 g do 1 kg", do_2kg: "ponad 1 kg do 2 kg" };

export function zloty(grosze: number): string {
  return (grosze / 100).toLocaleString("pl-PL", { style: "currency", currency: "PLN" });
}

// Where an outgoing letter can go, in the order dispatch prefers them.
export const DISPATCH_CHANNELS: Record<string, string> = { edoreczenia: "e-Doręczenia", epuap: "ePUAP", post: "poczta" };

// The register's status of a letter: its routing, until a case takes it in.
export const LINE_STATUSES: Record<string, string> = { ...ROUTING_STATUSES, in_case: "w sprawie" };

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

export const INBOX_KINDS: Record<string, string> = {
  decretation: "do załatwienia",
  information: "do wiadomości",
  case: "sprawa przekazana",
  classification: "do klasyfikacji",
  redecretation: "do ponownej dekretacji",
};

export const CASE_STATUSES: Record<string, string> = {
  open: "w toku",
  closed: "zakończona",
};

/** The art. 35 KPA terms as the API offers them, with what each one means. */
export const DEADLINE_PRESETS: { value: string; label: string; explanation: string }[] = [
  { value: "immediate", label: "Niezwłocznie",
    explanation: "Art. 35 § 2 KPA: sprawa, którą można załatwić od razu na podstawie dowodów przedstawionych przez "
      + "stronę, faktów powszechnie znanych lub znanych z urzędu. Termin: dzień wszczęcia." },
  { value: "one_month", label: "1 miesiąc",
    explanation: "Art. 35 § 3 KPA: sprawa wymagająca postępowania wyjaśniającego — nie później niż w ciągu miesiąca "
      + "od dnia wszczęcia postępowania." },
  { value: "two_months", label: "2 miesiące (sprawa szczególnie skomplikowana)",
    explanation: "Art. 35 § 3 KPA: sprawa szczególnie skomplikowana — nie później niż w ciągu dwóch miesięcy od dnia "
      + "wszczęcia postępowania." },
  { value: "appeal_one_month", label: "Odwołanie — 1 miesiąc",
    explanation: "Art. 35 § 3 KPA: sprawa z odwołania — w ciągu miesiąca od dnia otrzymania odwołania." },
  { value: "certificate_7d", label: "Zaświadczenie — 7 dni",
    explanation: "Art. 217 § 3 KPA: zaświadczenie wydaje się bez zbędnej zwłoki, nie później niż w ciągu 7 dni." },
  { value: "complaint_one_month", label: "Skarga lub wniosek — 1 miesiąc",
    explanation: "Art. 237 § 1 KPA: skargę (wniosek) rozpatruje się bez zbędnej zwłoki, nie później niż w ciągu miesiąca." },
  { value: "none", label: "Bez terminu ustawowego",
    explanation: "Sprawa poza postępowaniem administracyjnym (np. wewnętrzna): załatwia się ją bez zbędnej zwłoki "
      + "(art. 35 § 1 KPA), bez wyznaczonego dnia." },
];

export function presetLabel(code: string | null | undefined): string {
  return DEADLINE_PRESETS.find((p) => p.value === code)?.label ?? code ?? "—";
}

/** The metryka's "wykonana czynność" when an entry has no summary of its own. */
export const AUDIT_ACTIONS: Record<string, string> = {
  registered: "Rejestracja dokumentu",
  classified: "Nadanie klasyfikacji (JRWA)",
  classification_changed: "Zmiana klasyfikacji (JRWA)",
  decreed: "Dekretacja",
  decretation_accepted: "Przyjęcie dekretacji",
  decretation_returned: "Zwrot dekretacji",
  redecreed: "Ponowna dekretacja",
  viewed: "Wyświetlenie dokumentu niepublicznego",
  metadata_changed: "Zmiana metadanych",
  attached: "Dołączenie dokumentu do sprawy",
  detached: "Odłączenie dokumentu od sprawy",
  case_opened: "Założenie sprawy",
  case_closed: "Zakończenie sprawy",
  case_reopened: "Wznowienie sprawy",
  draft_created: "Utworzenie projektu pisma wychodzącego",
  draft_version_added: "Nowa wersja projektu pisma",
  addressees_set: "Wskazanie adresatów pisma",
  submitted_for_approval: "Przekazanie projektu do akceptacji",
  approved: "Akceptacja projektu pisma",
  approval_returned: "Zwrot projektu pisma do poprawy",
  draft_attachment_added: "Dodanie załącznika do projektu pisma",
  draft_attachment_removed: "Usunięcie załącznika z projektu pisma",
  dispatched: "Wysłanie dokumentu",
  delivery_confirmed: "Potwierdzenie doręczenia pisma",
  dispatch_failed: "Niepowodzenie wysyłki pisma",
};
