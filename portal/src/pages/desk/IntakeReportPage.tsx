// Raport podawczy: the day's incoming items in register order, to hand over with the
// paper originals — printable on A4 with the signatures of who hands over and who
// receives, and as CSV.
import { useState } from "react";
import { Alert, Button, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { api } from "../../api/client";
import { downloadFromApi } from "../../api/download";
import { useLoad } from "../../api/useLoad";
import { DayInput } from "../../components/DayInput";
import { Refusal } from "../../components/NoAccess";
import { dateTime, day } from "../../i18n/dates";
import { CHANNELS, label } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";

export function IntakeReportPage() {
  const { unit } = useUser();
  // No day chosen yet: the API's today (the server's clock, in Poland), shown once answered.
  const [chosen, setChosen] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const report = useLoad(() => api.GET("/units/{unit}/reports/intake",
    { params: { path: { unit }, query: chosen ? { date: chosen } : {} } }), [unit, chosen]);
  const date = chosen ?? report.data?.date ?? "";
  if (report.status === 403) return <Refusal status={403} />;
  const lines = report.data?.lines ?? [];

  async function csv() {
    setFailure(null);
    try {
      await downloadFromApi(`/units/${encodeURIComponent(unit)}/reports/intake?date=${date}&format=csv`,
        `raport-podawczy-${unit}-${date}.csv`);
    } catch {
      setFailure("Nie udało się pobrać pliku CSV.");
    }
  }

  return (
    <Stack gap="md">
      <Title order={2}>Raport podawczy</Title>
      <Group align="flex-end" className="no-print">
        <DayInput label="Dzień" value={date} onChange={(d) => d && setChosen(d)} w={180} />
        <Button variant="default" onClick={() => window.print()}>Drukuj</Button>
        <Button variant="default" onClick={csv}>Pobierz CSV</Button>
      </Group>
      {failure && <Alert color="red" role="alert">{failure}</Alert>}
      {report.status && report.status !== 403 && <Alert color="red" role="alert">Nie udało się wczytać raportu.</Alert>}
      <Text className="print-only" fw={700}>Raport podawczy jednostki {unit} z dnia {date ? day(date) : ""}</Text>
      <Text aria-live="polite" data-testid="report-count">
        {(report.loading && !report.data) || !date ? "Wczytywanie…" : `${day(date)}: ${countOf(lines.length, NOUNS.przesylka)}`}
      </Text>
      <Paper withBorder>
        <Table striped aria-label={`Raport podawczy z dnia ${date ? day(date) : ""}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Lp.</Table.Th>
              <Table.Th scope="col">Numer</Table.Th>
              <Table.Th scope="col">Data wpływu</Table.Th>
              <Table.Th scope="col">Data pisma</Table.Th>
              <Table.Th scope="col">Nadawca</Table.Th>
              <Table.Th scope="col">Dotyczy</Table.Th>
              <Table.Th scope="col">Kanał</Table.Th>
              <Table.Th scope="col">Klasa JRWA</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {lines.map((line, n) => (
              <Table.Tr key={line.document_id}>
                <Table.Td>{n + 1}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}><Link to={`/dokumenty/${line.document_id}`}>{line.registry_number}</Link></Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(line.received_at)}</Table.Td>
                <Table.Td>{line.letter_date ? day(line.letter_date) : "—"}</Table.Td>
                <Table.Td>{line.sender}<br /><Text span size="xs" c="dimmed">{line.sender_address}</Text></Table.Td>
                <Table.Td>{line.title}</Table.Td>
                <Table.Td>{label(CHANNELS, line.channel)}</Table.Td>
                <Table.Td>{line.classification ?? "—"}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Group className="print-only" justify="space-between" mt="xl">
        <Text>Przekazał(a): ............................................</Text>
        <Text>Przyjął(ęła): ............................................</Text>
      </Group>
    </Stack>
  );
}
