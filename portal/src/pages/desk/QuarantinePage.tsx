// The unit's quarantine: what the intake refused (a file of a forbidden type, a letter
// without a sender, …), kept with the reason so that nobody has to guess why a letter
// never reached the register.
import { Alert, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { api } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { dateTime } from "../../i18n/dates";
import { CHANNELS, errorMessage, label } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";

export function QuarantinePage() {
  const { unit } = useUser();
  const quarantine = useLoad(() => api.GET("/units/{unit}/quarantine", { params: { path: { unit } } }), [unit]);
  if (quarantine.status) return <Refusal status={quarantine.status} />;
  const items = quarantine.data?.items ?? [];
  return (
    <Stack gap="md">
      <Title order={2}>Kwarantanna</Title>
      <Text size="sm">Przesyłki odrzucone przy przyjęciu, z powodem. Nie trafiły do rejestru.</Text>
      {quarantine.failed && <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>}
      <Text aria-live="polite" data-testid="quarantine-count">
        {quarantine.loading && !quarantine.data ? "Wczytywanie…" : items.length === 0 ? "Kwarantanna jest pusta."
          : `W kwarantannie: ${countOf(items.length, NOUNS.przesylka)}`}
      </Text>
      <Paper withBorder>
        <Table striped aria-label="Przesyłki w kwarantannie">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Kiedy</Table.Th>
              <Table.Th scope="col">Kanał</Table.Th>
              <Table.Th scope="col">Plik</Table.Th>
              <Table.Th scope="col">Rozmiar</Table.Th>
              <Table.Th scope="col">Powód</Table.Th>
              <Table.Th scope="col">Kod</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.intake_id}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(item.quarantined_at)}</Table.Td>
                <Table.Td>{label(CHANNELS, item.channel)}</Table.Td>
                <Table.Td>{item.filename}</Table.Td>
                <Table.Td>{item.size.toLocaleString("pl-PL")} B</Table.Td>
                <Table.Td>{errorMessage(item, "")}{errorMessage(item, "") ? <br /> : null}
                  <Text span size="xs" c="dimmed">{item.reason}</Text></Table.Td>
                <Table.Td><Text size="xs" ff="monospace">{item.error_code}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}
