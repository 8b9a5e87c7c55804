// Do nadania: the letters waiting in the registry desk's tray to go by post. The clerk
// sticks the label on, types (or scans) its numer nadawczy, picks the service and the
// weight, and the letter is in today's postal book at the tariff's price.
import { useState } from "react";
import { Alert, Button, Group, Paper, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { Link } from "react-router";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { dateTime } from "../../i18n/dates";
import { POSTAL_SERVICES, WEIGHT_CLASSES, errorMessage } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";
import { outgoingAddress } from "../outgoing/OutgoingSection";

type Item = Schemas["OutgoingItem"];
const SERVICES = Object.entries(POSTAL_SERVICES).map(([value, label]) => ({ value, label }));
const WEIGHTS = Object.entries(WEIGHT_CLASSES).map(([value, label]) => ({ value, label }));

function PostRow({ unit, item, onPosted }: { unit: string; item: Item; onPosted: (item: Item) => void }) {
  const [tracking, setTracking] = useState("");
  const [service, setService] = useState<string | null>("polecony");
  const [weight, setWeight] = useState<string | null>("do_350g");
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  async function post() {
    if (!tracking.trim()) {
      setError("Podaj numer nadawczy z nalepki");
      return;
    }
    setSending(true);
    const { data, error: failure } = await api.POST("/units/{unit}/outgoing-register/{year}/{number}/postage", {
      params: { path: { unit, year: String(item.year), number: String(item.number) } },
      body: { tracking_number: tracking.trim(), service: service as "polecony", weight_class: weight as "do_350g" },
    });
    setSending(false);
    if (data) onPosted(data);
    else setError(failure?.error_code === "VALIDATION_FAILED"
      ? "Numer nadawczy jest nieprawidłowy albo już użyty." : errorMessage(failure, "Nie udało się zapisać nadania."));
  }

  return (
    <Table.Tr>
      <Table.Td style={{ whiteSpace: "nowrap" }}>{item.registry_number}</Table.Td>
      <Table.Td>{item.addressee_name}<br /><Text span size="xs" c="dimmed">{item.addressee_address}</Text></Table.Td>
      <Table.Td><Link to={outgoingAddress(item.outgoing_id)}>{item.title}</Link></Table.Td>
      <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(item.registered_at)}</Table.Td>
      <Table.Td>
        <Group gap="xs" align="flex-start" wrap="nowrap">
          <TextInput aria-label={`Numer nadawczy ${item.registry_number}`} placeholder="RR123456785PL" w={170}
            value={tracking} onChange={(e) => { setTracking(e.currentTarget.value); setError(null); }} error={error} />
          <Select aria-label={`Usługa ${item.registry_number}`} data={SERVICES} value={service} onChange={setService}
            allowDeselect={false} w={230} />
          <Select aria-label={`Waga ${item.registry_number}`} data={WEIGHTS} value={weight} onChange={setWeight}
            allowDeselect={false} w={170} />
          <Button onClick={post} loading={sending}>Nadaj</Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
}

export function PostalTrayPage() {
  const { unit } = useUser();
  const tray = useLoad(() => api.GET("/units/{unit}/postal-tray", { params: { path: { unit } } }), [unit]);
  const [posted, setPosted] = useState<Item[]>([]);
  if (tray.status === 403) return <Refusal status={403} />;
  const done = new Set(posted.map((i) => i.registry_number));
  const items = (tray.data?.items ?? []).filter((i) => !done.has(i.registry_number));
  const last = posted[posted.length - 1];
  return (
    <Stack gap="md">
      <Title order={2}>Do nadania</Title>
      {last && <Alert color="green" role="status" data-testid="posted-notice">
        Nadano {last.registry_number} (nr {last.postage?.tracking_number}) — jest w dzisiejszej książce nadawczej.</Alert>}
      <Text data-testid="tray-count">
        {tray.loading && !tray.data ? "Wczytywanie…" : items.length === 0 ? "Nic nie czeka na nadanie."
          : `Czeka na nadanie: ${countOf(items.length, NOUNS.przesylka)}`}
      </Text>
      {items.length > 0 && (
        <Paper withBorder>
          <Table.ScrollContainer minWidth={1000}>
            <Table aria-label="Przesyłki do nadania">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Numer</Table.Th>
                  <Table.Th scope="col">Adresat</Table.Th>
                  <Table.Th scope="col">Dotyczy</Table.Th>
                  <Table.Th scope="col">Przekazano</Table.Th>
                  <Table.Th scope="col">Nadanie</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((i) => <PostRow key={i.registry_number} unit={unit} item={i}
                  onPosted={(p) => setPosted((all) => [...all, p])} />)}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Paper>
      )}
    </Stack>
  );
}
