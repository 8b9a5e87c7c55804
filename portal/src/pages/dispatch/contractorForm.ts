// The address book's form: the same rules as the API's (models/contractors.py), said in
// Polish beside each field before anything is sent.
import type { Schemas } from "../../api/client";

export type Details = Schemas["ContractorDetails"];
export type Contractor = Schemas["Contractor"];

export interface Draft {
  kind: "institution" | "person";
  institution: string;
  first_names: string;
  surname: string;
  street: string;
  postal_code: string;
  town: string;
  esp_address: string;
  ade: string;
  email: string;
  notes: string;
}

export const EMPTY: Draft = {
  kind: "institution", institution: "", first_names: "", surname: "", street: "", postal_code: "", town: "",
  esp_address: "", ade: "", email: "", notes: "",
};

export function draftOf(c: Contractor): Draft {
  return {
    kind: c.kind, institution: c.institution ?? "", first_names: c.first_names ?? "", surname: c.surname ?? "",
    street: c.street ?? "", postal_code: c.postal_code ?? "", town: c.town ?? "", esp_address: c.esp_address ?? "",
    ade: c.ade ?? "", email: c.email ?? "", notes: c.notes ?? "",
  };
}

export function problemsOf(d: Draft): Partial<Record<keyof Draft | "address", string>> {
  const p: Partial<Record<keyof Draft | "address", string>> = {};
  if (d.kind === "institution" && !d.institution.trim()) p.institution = "Podaj nazwę instytucji.";
  if (d.kind === "person" && !d.surname.trim()) p.surname = "Podaj nazwisko.";
  if (d.postal_code.trim() && !/^\d{2}-\d{3}$/.test(d.postal_code.trim())) p.postal_code = "Kod pocztowy w postaci 00-000.";
  if (d.esp_address.trim() && !/^\/[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/.test(d.esp_address.trim())) {
    p.esp_address = "Adres skrytki ePUAP w postaci /podmiot/skrytka, np. /sp1lublin/SkrytkaESP.";
  }
  if (d.ade.trim() && !/^AE:PL-\d{5}-\d{5}-[A-Z]{5}-\d{2}$/.test(d.ade.trim())) {
    p.ade = "Adres do e-Doręczeń w postaci AE:PL-12345-67890-ABCDE-12.";
  }
  if (d.email.trim() && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(d.email.trim())) p.email = "Nieprawidłowy adres e-mail.";
  if (!d.town.trim() && !d.esp_address.trim() && !d.ade.trim()) {
    p.address = "Podaj co najmniej jeden adres: miejscowość (poczta), skrytkę ePUAP albo adres do e-Doręczeń.";
  }
  return p;
}

export function detailsOf(d: Draft): Details {
  const text = (v: string) => (v.trim() ? v.trim() : null);
  return {
    kind: d.kind, institution: d.kind === "institution" ? text(d.institution) : null,
    first_names: d.kind === "person" ? text(d.first_names) : null, surname: d.kind === "person" ? text(d.surname) : null,
    street: text(d.street), postal_code: text(d.postal_code), town: text(d.town), country: "PL",
    esp_address: text(d.esp_address), ade: text(d.ade), email: text(d.email), notes: text(d.notes),
  };
}

export const CHANNEL_NAMES: Record<string, string> = { edoreczenia: "e-Doręczenia", epuap: "ePUAP", post: "poczta" };
