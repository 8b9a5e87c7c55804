// Książka nadawcza: the registered letters posted on a day, in the order they were posted,
// as the post office stamps it — printable on A4 with the sender and the total, and as CSV.
import { useState } from "react";
import { Alert, Button, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { api } from "../../api/client";
import { downloadFromApi } from "../../api/download";
import { useLoad } from "../../api/useLoad";
import { DayInput } from "../../components/DayInput";
import { Refusal } from "../../components/NoAccess";
import { day } from "../../i18n/dates";
import { POSTAL_SERVICES, WEIGHT_CLASSES, label, zloty } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";

export function PostalBookPage() {
  const { unit } = useUser();
  const [chosen, setChosen] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const book = useLoad(() => api.GET("/units/{unit}/postal-book",
    { params: { path: { unit }, query: chosen ? { date: chosen } : {} } }), [unit, chosen]);
  if (book.status === 403) return <Refusal status={403} />;
  const date = chosen ?? book.data?.day ?? "";
  const items = book.data?.items ?? [];

  async function csv() {
    setFailure(null);
    try {
      await downloadFromApi(`/units/${encodeURIComponent(unit)}/postal-book?date=${date}&format=csv`,
        `ksiazka-nadawcza-${unit}-${date}.csv`);
    } catch {
      setFailure("Nie udało się pobrać pliku CSV.");
    }
  }

  return (
    <Stack gap="md">
      <Title order={2}>Książka nadawcza</Title>
      <Group align="flex-end" className="no-print">
        <DayInput label="Dzień nadania" value={date} onChange={(d) => d && setChosen(d)} w={180} />
        <Button variant="default" onClick={() => window.print()}>Drukuj</Button>
        <Button variant="default" onClick={csv} disabled={!date}>Pobierz CSV</Button>
      </Group>
      {failure && <Alert color="red" role="alert">{failure}</Alert>}
      <Text className="print-only" fw={700}>
        Książka nadawcza przesyłek poleconych — nadawca: {book.data?.sender_name ?? unit} — dzień {date ? day(date) : ""}
      </Text>
      <Text data-testid="book-count">
        {book.loading && !book.data ? "Wczytywanie…"
          : `${date ? day(date) : ""}: ${countOf(items.length, NOUNS.przesylka)}, opłata razem ${zloty(book.data?.total_grosze ?? 0)}`}
      </Text>
      <Paper withBorder>
        <Table striped aria-label={`Książka nadawcza z dnia ${date ? day(date) : ""}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Lp.</Table.Th>
              <Table.Th scope="col">Adresat</Table.Th>
              <Table.Th scope="col">Adres</Table.Th>
              <Table.Th scope="col">Numer nadawczy</Table.Th>
              <Table.Th scope="col">Rodzaj</Table.Th>
              <Table.Th scope="col">Waga</Table.Th>
              <Table.Th scope="col">Opłata</Table.Th>
              <Table.Th scope="col">Nr w rejestrze</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((i, n) => (
              <Table.Tr key={i.registry_number}>
                <Table.Td>{n + 1}</Table.Td>
                <Table.Td>{i.addressee_name}</Table.Td>
                <Table.Td>{i.addressee_address}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{i.postage?.tracking_number}</Table.Td>
                <Table.Td>{label(POSTAL_SERVICES, i.postage?.service)}</Table.Td>
                <Table.Td>{label(WEIGHT_CLASSES, i.postage?.weight_class)}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{i.postage ? zloty(i.postage.price_grosze) : "—"}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{i.registry_number}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Group className="print-only" justify="space-between" mt="xl">
        <Text>Nadawca: ............................................</Text>
        <Text>Stempel i podpis przyjmującego: ............................................</Text>
      </Group>
    </Stack>
  );
}
