// Wysyłka of a signed document: for each addressee the way it goes (the first its
// addresses allow, or the officer's choice), then the items of the outgoing register it
// went out as, with what became of each.
import { useState } from "react";
import { Alert, Button, Group, Select, Stack, Table, Text } from "@mantine/core";
import { api, type Schemas } from "../../api/client";
import { dateTime } from "../../i18n/dates";
import { DISPATCH_METHODS, ITEM_STATUSES, errorMessage, label } from "../../i18n/labels";
import { EvidenceLinks } from "./EvidenceLinks";

type Document = Schemas["OutgoingDocument"];
type Method = "edoreczenia" | "epuap_dorecz" | "epuap_nadaj" | "post";

function methodsFor(a: Schemas["Addressee"]): Method[] {
  return a.channels.flatMap((c): Method[] => c === "epuap"
    ? (a.kind === "person" ? ["epuap_dorecz"] : ["epuap_nadaj"]) : [c as Method]);
}

export function DispatchSection({ unit, document, items: dispatched, mayDispatch, onDispatched }: {
  unit: string; document: Document; items: Schemas["OutgoingItem"][]; mayDispatch: boolean;
  onDispatched: (view: Schemas["OutgoingView"]) => void;
}) {
  const addressees = document.addressees ?? [];
  const [methods, setMethods] = useState<(Method | null)[]>(() => addressees.map((a) => methodsFor(a)[0] ?? null));
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const items = [...dispatched].sort((a, b) => a.number - b.number);

  async function send() {
    setSending(true);
    setError(null);
    const choices = addressees.map((_, index) => ({ addressee: index, method: methods[index] }));
    const { data, error: failure } = await api.POST("/units/{unit}/outgoing/{outgoing_id}/dispatch", {
      params: { path: { unit, outgoing_id: document.outgoing_id } }, body: { choices },
    });
    setSending(false);
    if (data) onDispatched(data.outgoing);
    else setError(errorMessage(failure, "Nie udało się wysłać pisma."));
  }

  if (document.status === "signed" && mayDispatch) {
    return (
      <Stack gap="sm">
        <Table aria-label="Sposób wysyłki do adresatów">
          <Table.Thead>
            <Table.Tr><Table.Th scope="col">Adresat</Table.Th><Table.Th scope="col">Sposób wysyłki</Table.Th></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {addressees.map((a, index) => (
              <Table.Tr key={`${a.name}-${index}`}>
                <Table.Td>{a.name}</Table.Td>
                <Table.Td>
                  <Select aria-label={`Sposób wysyłki: ${a.name}`} allowDeselect={false} w={320} value={methods[index]}
                    data={methodsFor(a).map((m) => ({ value: m, label: DISPATCH_METHODS[m] }))}
                    onChange={(m) => setMethods((all) => all.map((x, i) => (i === index ? (m as Method) : x)))} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {error && <Alert color="red" role="alert">{error}</Alert>}
        <Group><Button onClick={send} loading={sending}>Wyślij</Button></Group>
      </Stack>
    );
  }
  if (items.length === 0) return <Text size="sm">Pismo nie zostało jeszcze wysłane.</Text>;
  return (
    <Stack gap="xs">
      <Table aria-label="Przesyłki w rejestrze wychodzącym">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Numer</Table.Th>
            <Table.Th scope="col">Adresat</Table.Th>
            <Table.Th scope="col">Sposób wysyłki</Table.Th>
            <Table.Th scope="col">Stan</Table.Th>
            <Table.Th scope="col">Dowody</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((i) => (
            <Table.Tr key={i.registry_number}>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{i.registry_number}</Table.Td>
              <Table.Td>{i.addressee_name}</Table.Td>
              <Table.Td>{label(DISPATCH_METHODS, i.method)}</Table.Td>
              <Table.Td>{label(ITEM_STATUSES, i.status)}{i.postage ? ` (nr ${i.postage.tracking_number})` : ""}
                {i.delivered_at ? ` · ${dateTime(i.delivered_at)}` : ""}{i.failure_reason ? ` · ${i.failure_reason}` : ""}</Table.Td>
              <Table.Td><EvidenceLinks unit={unit} item={i} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
