// Dates and times as people in Poland read them: Polish format, in Europe/Warsaw whatever
// the browser's own time zone.
import dayjs from "dayjs";
import "dayjs/locale/pl";
import utc from "dayjs/plugin/utc";
import timezone from "dayjs/plugin/timezone";

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.locale("pl");

export const ZONE = "Europe/Warsaw";

/** "1 maja 2027, 01:30" */
export function dateTime(iso: string): string {
  return dayjs(iso).tz(ZONE).format("D MMMM YYYY, HH:mm");
}

/** "01.05.2027" (a calendar day, no zone: it is already a Polish day) */
export function day(isoDay: string): string {
  return dayjs(isoDay).format("DD.MM.YYYY");
}
