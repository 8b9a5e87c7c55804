// The managers' queue: documents waiting for a decretation — new ones the model could not
// route and those an assignee returned. The manager decrees each to a person or a komórka,
// "do załatwienia" (it becomes theirs) or "do wiadomości" (for information only), with a
// note and a deadline.
import { useState } from "react";
import { Alert, Button, Group, Modal, SegmentedControl, Select, Stack, Text, Textarea } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { DayInput } from "../../components/DayInput";
import { ROUTING_STATUSES, errorMessage, label } from "../../i18n/labels";
import { QueuePage, type QueueColumn, type QueueItem } from "./QueuePage";

type Item = QueueItem;
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

const COLUMNS: QueueColumn[] = [
  { header: "Klasa JRWA", cell: (item) => (item.classification
    ? `${item.classification.jrwa_symbol} ${item.classification.jrwa_heading}` : "bez klasyfikacji") },
  { header: "Stan", cell: (item) => (item.current_decretation ? "zwrócony przez adresata"
    : label(ROUTING_STATUSES, item.status)) },
];

export function DecretationQueuePage() {
  return (
    <QueuePage name="managers" title="Do dekretacji" empty="Nic nie czeka na dekretację." tableLabel="Dokumenty do dekretacji" action="Dekretuj"
      columns={COLUMNS} dialog={(unit, item, close, done) => <DecreeDialog unit={unit} item={item} onClose={close} onDone={done} />} />
  );
}
