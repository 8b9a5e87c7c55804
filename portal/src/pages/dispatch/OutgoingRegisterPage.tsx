// Rejestr przesyłek wychodzących: the unit's items sent in a year, newest first, with the
// addressee, the way each went and what became of it; as CSV too.
import { useState } from "react";
import { Alert, Button, Group, Paper, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { Link } from "react-router";
import { api } from "../../api/client";
import { downloadFromApi } from "../../api/download";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { dateTime } from "../../i18n/dates";
import { DISPATCH_METHODS, ITEM_STATUSES, label } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";
import { caseAddress } from "../cases/addresses";
import { outgoingAddress } from "../outgoing/OutgoingSection";

export function OutgoingRegisterPage() {
  const { unit } = useUser();
  const [typed, setTyped] = useState("");
  const [year, setYear] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const page = useLoad(() => api.GET("/units/{unit}/outgoing-register",
    { params: { path: { unit }, query: year ? { year } : {} } }), [unit, year]);
  if (page.status === 403) return <Refusal status={403} />;
  const items = page.data?.items ?? [];
  const shownYear = page.data?.year;
  const badYear = typed.trim() !== "" && !/^(19|20|21)\d{2}$/.test(typed.trim());

  async function csv() {
    setFailure(null);
    try {
      await downloadFromApi(`/units/${encodeURIComponent(unit)}/outgoing-register?year=${shownYear}&format=csv`,
        `rejestr-wychodzacy-${unit}-${shownYear}.csv`);
    } catch {
      setFailure("Nie udało się pobrać pliku CSV.");
    }
  }

  return (
    <Stack gap="md">
      <Title order={2}>Rejestr przesyłek wychodzących</Title>
      <Group align="flex-end">
        <TextInput label="Rok" placeholder="bieżący" w={120} value={typed} inputMode="numeric"
          onChange={(e) => setTyped(e.currentTarget.value)} error={badYear && "Podaj rok, np. 2026"} />
        <Button variant="default" disabled={badYear} onClick={() => setYear(typed.trim() || null)}>Pokaż</Button>
        <Button variant="default" onClick={csv} disabled={!shownYear}>Pobierz CSV</Button>
      </Group>
      {failure && <Alert color="red" role="alert">{failure}</Alert>}
      <Text data-testid="outgoing-register-count">
        {page.loading && !page.data ? "Wczytywanie…" : `${shownYear}: ${countOf(page.data?.total ?? 0, NOUNS.przesylka)}`}
      </Text>
      <Paper withBorder>
        <Table.ScrollContainer minWidth={900}>
          <Table striped aria-label={`Rejestr przesyłek wychodzących ${unit}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Numer</Table.Th>
                <Table.Th scope="col">Data</Table.Th>
                <Table.Th scope="col">Adresat</Table.Th>
                <Table.Th scope="col">Dotyczy</Table.Th>
                <Table.Th scope="col">Sprawa</Table.Th>
                <Table.Th scope="col">Sposób wysyłki</Table.Th>
                <Table.Th scope="col">Stan</Table.Th>
                <Table.Th scope="col">Odpowiada</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((i) => (
                <Table.Tr key={i.registry_number}>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{i.registry_number}</Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(i.registered_at)}</Table.Td>
                  <Table.Td>{i.addressee_name}<br /><Text span size="xs" c="dimmed">{i.addressee_address}</Text></Table.Td>
                  <Table.Td><Link to={outgoingAddress(i.outgoing_id)}>{i.title}</Link></Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}><Link to={caseAddress(i.case_ref)}>{i.case_ref}</Link></Table.Td>
                  <Table.Td>{label(DISPATCH_METHODS, i.method)}
                    {i.postage ? <><br /><Text span size="xs">nr {i.postage.tracking_number}</Text></> : null}</Table.Td>
                  <Table.Td>{label(ITEM_STATUSES, i.status)}</Table.Td>
                  <Table.Td>{i.responsible_name}<br /><Text span size="xs" c="dimmed">{i.responsible_position}</Text></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
    </Stack>
  );
}
