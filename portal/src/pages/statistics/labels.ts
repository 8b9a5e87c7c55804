// The statistics' figures in the words of the education department.
import type { Schemas } from "../../api/client";

export type Figures = Schemas["Figures"];
export type MonthFigures = Schemas["MonthFigures"];
export type UnitFigures = Schemas["UnitFigures"];
export type Statistics = Schemas["Statistics"];

export const SIGNATURE_RESULTS: Record<string, string> = {
  valid_trusted: "ważny, certyfikat zaufany",
  valid_untrusted: "ważny, certyfikat niezaufany",
  valid_revoked: "ważny, certyfikat unieważniony",
  valid_none: "ważny, bez certyfikatu",
  invalid: "nieważny",
  absent: "bez podpisu",
};

/** The work of a month or a unit, in the order the tables show it. */
export const WORK: { key: keyof Figures & string; label: string }[] = [
  { key: "decretations", label: "Dekretacje do załatwienia" },
  { key: "decretations_info", label: "Dekretacje do wiadomości" },
  { key: "decretations_returned", label: "Dekretacje zwrócone" },
  { key: "cases_opened", label: "Sprawy założone" },
  { key: "cases_closed", label: "Sprawy zakończone" },
  { key: "cases_closed_late", label: "Zakończone po terminie" },
  { key: "cases_reopened", label: "Sprawy wznowione" },
];

const MONTH = new Intl.DateTimeFormat("pl-PL", { month: "long" });

/** "2026-03" → "marzec" */
export function monthName(month: string): string {
  const [year, number] = month.split("-").map(Number);
  return MONTH.format(new Date(Date.UTC(year, number - 1, 15)));
}

const NUMBER = new Intl.NumberFormat("pl-PL");

/** 1234 → "1234", 12345 → "12 345" (absent: 0) */
export function formatNumber(value?: number | null): string {
  return NUMBER.format(value ?? 0);
}

/** The colours of the series: dark shades, legible on white and told apart in print. */
export const COLOURS = ["indigo.8", "teal.8", "orange.8", "grape.8", "cyan.9", "red.8", "lime.9", "gray.7"];
