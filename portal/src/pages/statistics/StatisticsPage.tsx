// Statistics of a year: for the education department the whole city and any unit, for a
// director their own unit — documents by channel and month, decretations, cases opened,
// closed and overdue, signature results — as charts with the numbers beside, and CSV.
import { useState } from "react";
import { Alert, Button, Group, Paper, Select, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import "@mantine/charts/styles.css";
import { api } from "../../api/client";
import { downloadFromApi } from "../../api/download";
import { serverNow } from "../../api/serverClock";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { day } from "../../i18n/dates";
import { CHANNELS, label } from "../../i18n/labels";
import { useUser } from "../../nav/user";
import { ChartWithNumbers, type Row } from "./ChartWithNumbers";
import { UnitsTable } from "./UnitsTable";
import { SIGNATURE_RESULTS, WORK, formatNumber, monthName, type Statistics, type UnitFigures } from "./labels";

const CITY = "city";

export function StatisticsPage() {
  const user = useUser();
  const [year, setYear] = useState<number | null>(null);
  const [scope, setScope] = useState<string>(user.sees_city ? CITY : user.unit);
  const [units, setUnits] = useState<UnitFigures[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  // The department reads through the city's route (the city, or any unit of it); a
  // director through their unit's own.
  const stats = useLoad(async () => {
    const yearQuery = year ? { year: String(year) } : {};
    if (!user.sees_city) {
      return api.GET("/units/{unit}/statistics", { params: { path: { unit: user.unit }, query: yearQuery } });
    }
    const answer = await api.GET("/statistics", { params: { query: {
      ...yearQuery, ...(scope !== CITY ? { unit: scope } : {}) } } });
    if (answer.data && answer.data.scope === CITY) setUnits(answer.data.units);
    return answer;
  }, [year, scope]);
  if (stats.status === 403) return <Refusal status={403} />;
  const data = stats.data;
  const shownYear = year ?? data?.year ?? serverNow().year();
  const years = Array.from({ length: 6 }, (_, n) => String(serverNow().year() - n));

  async function csv() {
    setFailure(null);
    const unit = scope !== CITY ? `&unit=${encodeURIComponent(scope)}` : "";
    const path = user.sees_city ? `/statistics?year=${shownYear}${unit}`
      : `/units/${encodeURIComponent(user.unit)}/statistics?year=${shownYear}`;
    try {
      await downloadFromApi(`${path}&format=csv`,
        `statystyki-${scope !== CITY ? scope : "miasto"}-${shownYear}.csv`);
    } catch {
      setFailure("Nie udało się pobrać pliku CSV.");
    }
  }

  const scopes = [{ value: CITY, label: "Całe miasto" },
    ...units.map((u) => ({ value: u.unit, label: `${u.unit} – ${u.name}` }))];
  return (
    <Stack gap="md">
      <Title order={2}>Statystyki {data ? `– ${data.scope_name}` : ""}</Title>
      <Group align="flex-end" className="no-print">
        <Select label="Rok" data={years} value={String(shownYear)} allowDeselect={false} w={120}
          onChange={(value) => value && setYear(Number(value))} />
        {user.sees_city && (
          <Select label="Zakres" data={scopes} value={scope} searchable allowDeselect={false} w={420}
            nothingFoundMessage="Nie ma takiej jednostki" onChange={(value) => value && setScope(value)} />
        )}
        <Button variant="default" onClick={() => window.print()}>Drukuj</Button>
        <Button variant="default" onClick={csv}>Pobierz CSV</Button>
      </Group>
      {failure && <Alert color="red" role="alert">{failure}</Alert>}
      {(stats.failed || (stats.status && stats.status !== 403)) &&
        <Alert color="red" role="alert">Nie udało się wczytać statystyk.</Alert>}
      <Text aria-live="polite" data-testid="statistics-state">
        {stats.loading ? "Wczytywanie…" : data ? `Rok ${data.year}` : ""}
      </Text>
      {data && <Figures data={data} onPick={setScope} />}
    </Stack>
  );
}

function Figures({ data, onPick }: { data: Statistics; onPick: (unit: string) => void }) {
  const t = data.totals;
  const months = data.months.map((m) => ({ ...m, label: monthName(m.month) }));
  const channels = data.channels.filter((c) => t.documents?.[c]);
  const documents: Row[] = months.map((m) => ({ label: m.label, values: Object.fromEntries(
    channels.map((c) => [c, m.documents?.[c] ?? 0])) }));
  const work: Row[] = months.map((m) => ({ label: m.label, values: {
    decretations: m.decretations ?? 0, cases_opened: m.cases_opened ?? 0, cases_closed: m.cases_closed ?? 0 } }));
  const signatures: Row[] = data.signature_results.filter((r) => t.signatures?.[r]).map((r) => ({
    label: SIGNATURE_RESULTS[r] ?? r, values: { count: t.signatures?.[r] ?? 0 } }));
  const overdue = t.cases_overdue == null ? "—" : formatNumber(t.cases_overdue);
  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 2, md: 5 }} data-testid="statistics-totals">
        <Total label="Pisma wpływające" value={formatNumber(t.documents_total)} />
        <Total label="Dekretacje" value={formatNumber((t.decretations ?? 0) + (t.decretations_info ?? 0))} />
        <Total label="Sprawy założone" value={formatNumber(t.cases_opened)} />
        <Total label="Sprawy zakończone" value={formatNumber(t.cases_closed)} />
        <Total label="Sprawy po terminie" value={overdue}
          note={t.overdue_as_of ? `stan na ${day(t.overdue_as_of)}` : "brak pomiaru"} />
      </SimpleGrid>
      <ChartWithNumbers id="documents" title="Pisma wpływające według kanału i miesiąca" rowHeader="Miesiąc"
        rows={documents} stacked series={channels.map((c) => ({ key: c, label: label(CHANNELS, c) }))} />
      <ChartWithNumbers id="work" title="Dekretacje i sprawy według miesiąca" rowHeader="Miesiąc" rows={work}
        series={[{ key: "decretations", label: "Dekretacje do załatwienia" },
          { key: "cases_opened", label: "Sprawy założone" }, { key: "cases_closed", label: "Sprawy zakończone" }]} />
      <ChartWithNumbers id="signatures" title="Wyniki weryfikacji podpisów" rowHeader="Wynik" rows={signatures}
        horizontal series={[{ key: "count", label: "Liczba pism" }]} />
      <ChartWithNumbers id="cases" title="Dekretacje i sprawy w roku" rowHeader="Rodzaj" horizontal
        rows={WORK.map((w) => ({ label: w.label, values: { count: Number(t[w.key] ?? 0) } }))}
        series={[{ key: "count", label: "Liczba" }]} withTotal={false}
        note="Sprawy po terminie to stan, który codzienne sprawdzenie terminów zapisuje dla każdej jednostki." />
      {data.scope === "city" && (
        <ChartWithNumbers id="kinds" title="Według rodzaju jednostki" rowHeader="Rodzaj jednostki" horizontal
          rows={byKind(data.units)} series={[{ key: "documents", label: "Pisma wpływające" },
            { key: "cases_opened", label: "Sprawy założone" }]} />
      )}
      {data.scope === "city" && <UnitsTable units={data.units} onPick={onPick} />}
    </Stack>
  );
}

function byKind(units: UnitFigures[]): Row[] {
  const kinds = new Map<string, Row>();
  for (const u of units) {
    const row = kinds.get(u.kind) ?? { label: u.kind, values: { documents: 0, cases_opened: 0 } };
    row.values.documents += u.documents_total ?? 0;
    row.values.cases_opened += u.cases_opened ?? 0;
    kinds.set(u.kind, row);
  }
  return [...kinds.values()].sort((a, b) => b.values.documents - a.values.documents || a.label.localeCompare(b.label, "pl"));
}

function Total({ label: text, value, note }: { label: string; value: string; note?: string }) {
  return (
    <Paper withBorder p="sm">
      <Text size="sm">{text}</Text>
      <Text fz={28} fw={700} data-testid={`total-${text}`}>{value}</Text>
      {note && <Text size="xs">{note}</Text>}
    </Paper>
  );
}
