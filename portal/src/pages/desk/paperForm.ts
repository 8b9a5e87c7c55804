// The paper letter's form: its fields as typed, the checks the brief requires (in Polish,
// per field, before anything is sent), and the body of POST /paper-letters.
import dayjs from "dayjs";
import type { Schemas } from "../../api/client";
import { ZONE } from "../../i18n/dates";

export interface PaperForm {
  channel: string;
  received_day: string; // ISO day, Warsaw
  received_time: string; // HH:MM, Warsaw
  // Untouched, the day and time shown are "now" and the server's own clock decides the
  // moment of receipt (the browser's clock may be wrong); typed, they are sent as typed.
  received_edited: boolean;
  sender_kind: "person" | "institution";
  first_names: string;
  surname: string;
  institution: string;
  street: string;
  postal_code: string;
  town: string;
  country: string;
  title: string;
  letter_date: string;
  sender_reference: string;
  kind: string;
  access: string;
  attachments_count: string;
  remarks: string;
}

export function emptyForm(now: dayjs.Dayjs): PaperForm {
  const local = now.tz(ZONE);
  return {
    channel: "post", received_day: local.format("YYYY-MM-DD"), received_time: local.format("HH:mm"), received_edited: false,
    sender_kind: "person", first_names: "", surname: "", institution: "", street: "", postal_code: "", town: "",
    country: "PL", title: "", letter_date: "", sender_reference: "", kind: "", access: "niepubliczny",
    attachments_count: "", remarks: "",
  };
}

export type Problems = Partial<Record<keyof PaperForm | "scan", string>>;

export function problemsOf(form: PaperForm, scanned: boolean, now: dayjs.Dayjs): Problems {
  const p: Problems = {};
  if (!scanned) p.scan = "Dołącz skan pisma.";
  if (!form.title.trim()) p.title = "Podaj, czego dotyczy pismo.";
  if (form.sender_kind === "person" && !form.surname.trim()) p.surname = "Podaj nazwisko nadawcy.";
  if (form.sender_kind === "institution" && !form.institution.trim()) p.institution = "Podaj nazwę instytucji.";
  if (!form.town.trim()) p.town = "Podaj miejscowość nadawcy.";
  if (!form.country.trim()) p.country = "Podaj kraj nadawcy.";
  if (form.postal_code && !/^\d{2}-\d{3}$/.test(form.postal_code) && form.country.trim().toUpperCase() === "PL") {
    p.postal_code = "Kod pocztowy w postaci 00-000.";
  }
  if (!form.received_day) p.received_day = "Podaj datę wpływu.";
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(form.received_time)) p.received_time = "Godzina w postaci GG:MM.";
  const received = receivedAt(form);
  if (form.received_edited && !p.received_day && !p.received_time && received
    && dayjs(received).isAfter(now.add(1, "minute"))) {
    p.received_day = "Data wpływu nie może być w przyszłości.";
  }
  if (form.letter_date && form.received_day && form.letter_date > form.received_day) {
    p.letter_date = "Pismo nie może być datowane po dniu wpływu.";
  }
  if (form.attachments_count && !/^\d{1,4}$/.test(form.attachments_count)) p.attachments_count = "Podaj liczbę.";
  return p;
}

export function receivedAt(form: PaperForm): string | null {
  if (!form.received_day || !form.received_time) return null;
  const moment = dayjs.tz(`${form.received_day} ${form.received_time}`, "YYYY-MM-DD HH:mm", ZONE);
  return moment.isValid() ? moment.format() : null;
}

const orNull = (text: string) => (text.trim() ? text.trim() : null);

export function registration(form: PaperForm, uploadId: string, duplicateReason: string | null):
  Schemas["PaperRegistration"] {
  const person = form.sender_kind === "person";
  return {
    upload_id: uploadId,
    channel: form.channel as Schemas["PaperRegistration"]["channel"],
    received_at: form.received_edited ? receivedAt(form) : null,
    duplicate_reason: duplicateReason,
    metadata: {
      title: form.title.trim(),
      access: form.access as Schemas["PaperLetterForm"]["access"],
      letter_date: orNull(form.letter_date),
      sender_reference: orNull(form.sender_reference),
      kind: orNull(form.kind),
      remarks: orNull(form.remarks),
      attachments_count: form.attachments_count ? Number(form.attachments_count) : null,
      sender: {
        kind: form.sender_kind,
        first_names: person ? orNull(form.first_names) : null,
        surname: person ? orNull(form.surname) : null,
        institution: person ? null : orNull(form.institution),
        street: orNull(form.street),
        postal_code: orNull(form.postal_code),
        town: form.town.trim(),
        country: form.country.trim(),
      },
    },
  };
}
