// How urgent a deadline is, counted in Polish calendar days (Europe/Warsaw), and said in
// words: the colour only repeats what the words say.
import dayjs from "dayjs";
import { serverNow } from "../../api/serverClock";
import { ZONE } from "../../i18n/dates";
import { NOUNS, countOf, pluralForm } from "../../i18n/plural";

export type Urgency = "overdue" | "soon" | "later";

export interface DeadlineState {
  days: number; // from today to the deadline: negative when it has passed
  urgency: Urgency;
  words: string;
}

/** Today in Poland, as YYYY-MM-DD, by the server's clock. */
export function todayInPoland(): string {
  return serverNow().tz(ZONE).format("YYYY-MM-DD");
}

export const SOON_DAYS = 3;

export function deadlineState(deadline: string, today: string = todayInPoland()): DeadlineState {
  const days = dayjs(deadline).diff(dayjs(today), "day");
  if (days < 0) {
    return { days, urgency: "overdue", words: `po terminie: ${countOf(-days, NOUNS.dzien)}` };
  }
  if (days === 0) return { days, urgency: "soon", words: "termin upływa dziś" };
  const words = days === 1 ? "termin upływa jutro" : `${pluralForm(days, NOUNS.zostalo)} ${countOf(days, NOUNS.dzien)}`;
  return { days, urgency: days <= SOON_DAYS ? "soon" : "later", words };
}

export const URGENCY_COLORS: Record<Urgency, string> = { overdue: "red", soon: "orange", later: "gray" };
