// "Now" as the server has it: every API answer carries the server's clock in its Date
// header, and the portal counts days and default dates from that, not from the browser's
// clock, which may be wrong (or, in the tests, another clock altogether). Deadlines and
// dates of receipt are the office's, kept by the server.
import dayjs from "dayjs";

let offsetMs = 0;

export function observe(response: Response): void {
  const header = response.headers.get("Date");
  const server = header ? Date.parse(header) : NaN;
  // The header has whole seconds: keep the browser's own clock when within them.
  if (!Number.isNaN(server) && Math.abs(server - Date.now() - offsetMs) > 1500) offsetMs = server - Date.now();
}

export function serverNow(): dayjs.Dayjs {
  return dayjs(Date.now() + offsetMs);
}
