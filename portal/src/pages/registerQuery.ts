// The register's filters as the API takes them (GET /units/{unit}/registry): empty fields
// are left out, so the API's defaults apply (the current year in Poland, 50 a page).
import type { paths } from "../api/schema";

export type RegisterQuery = NonNullable<paths["/units/{unit}/registry"]["get"]["parameters"]["query"]>;

export interface Filters {
  year: string;
  date_from: string;
  date_to: string;
  channel: string;
  sender: string;
  title: string;
  jrwa: string;
  status: string;
  limit: string;
}

export const NO_FILTERS: Filters = {
  year: "", date_from: "", date_to: "", channel: "", sender: "", title: "", jrwa: "", status: "", limit: "20",
};

export function toQuery(filters: Filters, pageToken: string | undefined): RegisterQuery {
  const query: RegisterQuery = {};
  for (const [name, value] of Object.entries(filters) as [keyof Filters, string][]) {
    const text = value.trim();
    if (text) (query as Record<string, string>)[name] = text;
  }
  if (pageToken) query.page_token = pageToken;
  return query;
}

/** What is wrong with the filters before they are sent, field by field, in Polish. */
export function filterProblems(filters: Filters): Partial<Record<keyof Filters, string>> {
  const problems: Partial<Record<keyof Filters, string>> = {};
  const year = filters.year.trim();
  if (year && !/^(19|20|21)\d{2}$/.test(year)) problems.year = "Podaj rok, np. 2026";
  if (filters.jrwa.trim() && !/^\d{1,4}$/.test(filters.jrwa.trim())) {
    problems.jrwa = "Podaj symbol klasy lub jego początek: od 1 do 4 cyfr, np. 05";
  }
  if (filters.date_from && filters.date_to && filters.date_from > filters.date_to) {
    problems.date_to = "Data „do” jest wcześniejsza niż data „od”";
  }
  return problems;
}
