// A calendar day typed or picked the Polish way (DD.MM.RRRR, weeks from Monday), whatever
// the browser's own language; the value is an ISO day ("2027-04-30") or "" for none.
import { DateInput } from "@mantine/dates";
import dayjs from "dayjs";
import customParseFormat from "dayjs/plugin/customParseFormat";

dayjs.extend(customParseFormat);

const FORMAT = "DD.MM.YYYY";

export function DayInput({ label, value, onChange, error, w, minDate }: {
  label: string; value: string; onChange: (isoDay: string) => void; error?: React.ReactNode; w?: number;
  minDate?: string;
}) {
  return (
    <DateInput label={label} value={value || null} onChange={(day) => onChange(day ?? "")} valueFormat={FORMAT}
      dateParser={(text) => {
        const parsed = dayjs(text.trim(), ["DD.MM.YYYY", "D.M.YYYY", "YYYY-MM-DD"], true);
        return parsed.isValid() ? parsed.format("YYYY-MM-DD") : null;
      }}
      placeholder="DD.MM.RRRR" clearable locale="pl" firstDayOfWeek={1} error={error} w={w}
      minDate={minDate} popoverProps={{ withinPortal: true }} clearButtonProps={{ "aria-label": "Usuń datę" }}
      // Days of other months and weekends in Mantine's lighter colours fail WCAG AA contrast.
      hideOutsideDates weekendDays={[]}
      nextLabel="Następny miesiąc" previousLabel="Poprzedni miesiąc" />
  );
}
