// The managers' queue: documents waiting for a decretation — new ones the model could not
// route and those an assignee returned. The manager decrees each to a person or a komórka,
// "do załatwienia" (it becomes theirs) or "do wiadomości" (for information only), with a
// note and a deadline.
import { useState } from "react";
import { Alert, Button, Group, Modal, Paper, SegmentedControl, Select, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { Link } from "react-router";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { DayInput } from "../../components/DayInput";
import { Refusal } from "../../components/NoAccess";
import { dateTime } from "../../i18n/dates";
import { ROUTING_STATUSES, errorMessage, label } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";

type Item = Schemas["RoutingSnapshot"];
type Kind = "do_zalatwienia" | "do_wiadomosci";

function DecreeDialog({ unit, item, onClose, onDone }: {
  unit: string; item: Item; onClose: () => void; onDone: () => void;
}) {
  const targets = useLoad(() => api.GET("/units/{unit}/decretation-targets", { params: { path: { unit } } }), [unit]);
  const [target, setTarget] = useState<string | null>(null);
  const [kind, setKind] = useState<Kind>("do_zalatwienia");
  const [note, setNote] = useState("");
  const [deadline, setDeadline] = useState("");
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const people = (targets.data?.people ?? []).map((p) => ({
    value: `login:${p.login}`, label: `${p.full_name} — ${p.position}${p.cell ? ` (${p.cell})` : ""}`,
  }));
  const cells = (targets.data?.cells ?? []).map((c) => ({ value: `cell:${c.symbol}`, label: `${c.symbol} — ${c.name}` }));
  const targetError = touched && !target ? "Wybierz osobę albo komórkę." : null;

  async function send() {
    setTouched(true);
    if (!target) return;
    const [how, who] = target.split(":");
    setBusy(true);
    setError(null);
    const { error: failure } = await api.POST("/units/{unit}/documents/{document_id}/decretations", {
      params: { path: { unit, document_id: item.document_id } },
      body: { ...(how === "login" ? { login: who } : { cell: who }), kind, note: note.trim() || null,
        deadline: deadline || null },
    }).finally(() => setBusy(false));
    if (failure) {
      setError(errorMessage(failure, "Nie udało się zadekretować dokumentu."));
      return;
    }
    notifications.show({ message: `${item.registry_number}: zadekretowano` });
    onDone();
  }

  return (
    <Modal opened onClose={onClose} title={`Dekretacja: ${item.registry_number}`} size="lg">
      <Stack gap="sm">
        <Text size="sm">{item.title}</Text>
        <SegmentedControl value={kind} onChange={(v) => setKind(v as Kind)} aria-label="Rodzaj dekretacji" data={[
          { value: "do_zalatwienia", label: "do załatwienia" }, { value: "do_wiadomosci", label: "do wiadomości" }]} />
        <Text size="xs" c="dimmed">
          {kind === "do_zalatwienia" ? "Adresat staje się odpowiedzialny za załatwienie sprawy."
            : "Adresat tylko zapoznaje się z dokumentem; odpowiedzialność się nie zmienia."}
        </Text>
        <Select label="Dla" placeholder="osoba albo komórka" searchable required error={targetError}
          data={[{ group: "Osoby", items: people }, { group: "Komórki", items: cells }]}
          value={target} onChange={setTarget} nothingFoundMessage="Nikogo takiego w jednostce" />
        <Textarea label="Uwagi (polecenie)" value={note} onChange={(e) => setNote(e.currentTarget.value)}
          maxLength={2000} autosize minRows={2} />
        <DayInput label="Termin" value={deadline} onChange={setDeadline} />
        {error && <Alert color="red" role="alert">{error}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Anuluj</Button>
          <Button loading={busy} onClick={send}>Dekretuj</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

export function DecretationQueuePage() {
  const { unit } = useUser();
  const queue = useLoad(() => api.GET("/units/{unit}/queues/{name}", { params: { path: { unit, name: "managers" } } }),
    [unit]);
  const [open, setOpen] = useState<Item | null>(null);
  if (queue.status) return <Refusal status={queue.status} />;
  const items = queue.data?.items ?? [];
  return (
    <Stack gap="md">
      <Title order={2}>Do dekretacji</Title>
      <Text aria-live="polite" data-testid="queue-count">
        {queue.loading && !queue.data ? "Wczytywanie…" : items.length === 0 ? "Nic nie czeka na dekretację."
          : `W kolejce: ${countOf(items.length, NOUNS.dokument)}.`}
      </Text>
      {queue.failed && <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>}
      <Paper withBorder>
        <Table striped aria-label="Dokumenty do dekretacji">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Numer</Table.Th>
              <Table.Th scope="col">Dotyczy</Table.Th>
              <Table.Th scope="col">Klasa JRWA</Table.Th>
              <Table.Th scope="col">Stan</Table.Th>
              <Table.Th scope="col">Od</Table.Th>
              <Table.Th scope="col"><span className="visually-hidden">Działania</span></Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((item) => (
              <Table.Tr key={item.document_id}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  <Link to={`/dokumenty/${item.document_id}`}>{item.registry_number}</Link>
                </Table.Td>
                <Table.Td>{item.title}</Table.Td>
                <Table.Td>{item.classification ? `${item.classification.jrwa_symbol} ${item.classification.jrwa_heading}`
                  : "bez klasyfikacji"}</Table.Td>
                <Table.Td>{item.current_decretation ? "zwrócony przez adresata" : label(ROUTING_STATUSES, item.status)}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(item.updated_at)}</Table.Td>
                <Table.Td>
                  <Button size="xs" onClick={() => setOpen(item)} aria-label={`Dekretuj ${item.registry_number}`}>
                    Dekretuj
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      {open && <DecreeDialog unit={unit} item={open} onClose={() => setOpen(null)}
        onDone={() => { setOpen(null); queue.reload(); }} />}
    </Stack>
  );
}
