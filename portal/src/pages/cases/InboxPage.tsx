// Moje zadania: what waits for the logged-in person — their own items and their komórka's
// — newest first, with deadlines said in words and coloured by urgency. A decretation
// "do załatwienia" is accepted or returned (with a reason); a copy "do wiadomości" is
// acknowledged; an accepted letter leads on to opening a case.
import { useState, type FormEvent } from "react";
import {
  Alert, Anchor, Button, Group, LoadingOverlay, Modal, Paper, SegmentedControl, Stack, Table, Text, Textarea, Title,
} from "@mantine/core";
import { Link } from "react-router";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { dateTime, day } from "../../i18n/dates";
import { INBOX_KINDS, errorMessage, label } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";
import { caseAddress, newCaseAddress } from "./addresses";
import { deadlineState } from "./deadline";
import { DeadlineWords, SortTh, useSorted } from "./sorting";

type Item = Schemas["InboxItem"];
type Scope = "all" | "mine" | "cell";

function ownerWords(owner: string): string {
  return owner.startsWith("CELL#") ? `komórka ${owner.slice(5)}` : "osobiście";
}

function DeadlineCell({ deadline }: { deadline?: string | null }) {
  if (!deadline) return <Text size="sm" c="dimmed">bez terminu</Text>;
  const state = deadlineState(deadline);
  return (
    <Stack gap={2} align="flex-start">
      <span style={{ whiteSpace: "nowrap" }}>{day(deadline)}</span>
      <DeadlineWords words={state.words} urgency={state.urgency} />
    </Stack>
  );
}

function what(item: Item) {
  if (item.kind === "case" && item.case_ref) {
    return <Link to={caseAddress(item.case_ref)}>{item.case_ref}</Link>;
  }
  if (item.document_id) {
    return <Link to={`/dokumenty/${item.document_id}`}>{item.registry_number ?? item.document_id}</Link>;
  }
  return item.registry_number ?? "—";
}

interface Done {
  kind: "accepted" | "returned" | "acknowledged";
  item: Item;
}

export function InboxPage() {
  const user = useUser();
  const { unit } = user;
  const inbox = useLoad(() => api.GET("/units/{unit}/inbox", { params: { path: { unit } } }), [unit]);
  const [scope, setScope] = useState<Scope>("all");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Done | null>(null);
  const [returning, setReturning] = useState<Item | null>(null);

  const all = inbox.data?.items ?? [];
  const items = all.filter((i) => scope === "all" || (scope === "cell") === i.owner.startsWith("CELL#"));
  const { sorted, sort, by } = useSorted(items, {
    kind: (i) => label(INBOX_KINDS, i.kind),
    number: (i) => i.case_ref ?? i.registry_number,
    title: (i) => i.title,
    from: (i) => i.from_login,
    created: (i) => i.created_at,
    deadline: (i) => i.deadline,
  }, { key: "created", ascending: false });

  async function accept(item: Item) {
    if (!item.document_id) return;
    setBusy(item.item_id);
    setError(null);
    setDone(null);
    try {
      const { error: failure } = await api.POST("/units/{unit}/documents/{document_id}/accept",
        { params: { path: { unit, document_id: item.document_id } } });
      if (failure) setError(errorMessage(failure, "Nie udało się przyjąć dokumentu."));
      else setDone({ kind: "accepted", item });
      inbox.reload();
    } catch {
      setError("Brak połączenia z serwerem.");
    } finally {
      setBusy(null);
    }
  }

  async function acknowledge(item: Item) {
    if (!item.document_id) return;
    setBusy(item.item_id);
    setError(null);
    setDone(null);
    try {
      const { error: failure } = await api.POST(
        "/units/{unit}/documents/{document_id}/decretations/{decretation_id}/acknowledge",
        { params: { path: { unit, document_id: item.document_id, decretation_id: item.item_id } } });
      if (failure) setError(errorMessage(failure, "Nie udało się odnotować zapoznania się z dokumentem."));
      else setDone({ kind: "acknowledged", item });
      inbox.reload();
    } catch {
      setError("Brak połączenia z serwerem.");
    } finally {
      setBusy(null);
    }
  }

  if (inbox.status) return <Refusal status={inbox.status} />;
  const mine = all.filter((i) => !i.owner.startsWith("CELL#")).length;
  const overdue = all.filter((i) => i.deadline && deadlineState(i.deadline).urgency === "overdue").length;

  return (
    <Stack gap="md">
      <Title order={2}>Moje zadania</Title>
      <Text size="sm" c="dimmed">
        Dokumenty i sprawy przydzielone Tobie{user.cell ? ` oraz Twojej komórce (${user.cell})` : ""}, od najnowszych.
        Termin oznaczony na czerwono już minął; na pomarańczowo — upływa w ciągu 3 dni.
      </Text>
      {inbox.failed && <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>}
      {error && <Alert color="red" role="alert" withCloseButton closeButtonLabel="Zamknij komunikat" onClose={() => setError(null)}>{error}</Alert>}
      {done && (
        <Alert color="green" role="status" data-testid="inbox-done" withCloseButton closeButtonLabel="Zamknij komunikat" onClose={() => setDone(null)}>
          {done.kind === "accepted" && (
            <>
              Przyjęto do załatwienia: {done.item.registry_number} „{done.item.title}”.{" "}
              {done.item.case_ref ? <Link to={caseAddress(done.item.case_ref)}>Przejdź do sprawy {done.item.case_ref}</Link>
                : <Link to={newCaseAddress(done.item.document_id ?? "")}>
                  Załóż sprawę z tego pisma</Link>}
            </>
          )}
          {done.kind === "returned" && <>Zwrócono dekretację: {done.item.registry_number} „{done.item.title}”.</>}
          {done.kind === "acknowledged" && <>Odnotowano zapoznanie się z: {done.item.registry_number} „{done.item.title}”.</>}
        </Alert>
      )}

      <Group justify="space-between" wrap="wrap">
        <SegmentedControl value={scope} onChange={(v) => setScope(v as Scope)} aria-label="Które zadania pokazać"
          data={[
            { value: "all", label: "Wszystkie" },
            { value: "mine", label: "Przydzielone mnie" },
            { value: "cell", label: user.cell ? `Komórki ${user.cell}` : "Komórki" },
          ]} />
        <Text aria-live="polite" data-testid="inbox-count">
          {inbox.loading && !inbox.data ? "Wczytywanie…" : items.length === 0 ? "Brak zadań."
            : `${countOf(items.length, NOUNS.zadanie)}`
              + (scope === "all" ? ` (osobiście: ${mine}, po terminie: ${overdue})` : "")}
        </Text>
      </Group>

      <Paper withBorder pos="relative">
        <LoadingOverlay visible={inbox.loading} zIndex={10} />
        <Table.ScrollContainer minWidth={960}>
          <Table highlightOnHover aria-label="Moje zadania">
            <Table.Thead>
              <Table.Tr>
                <SortTh column="kind" sort={sort} by={by}>Rodzaj</SortTh>
                <SortTh column="number" sort={sort} by={by}>Numer / znak</SortTh>
                <SortTh column="title" sort={sort} by={by}>Dotyczy</SortTh>
                <SortTh column="from" sort={sort} by={by}>Od kogo</SortTh>
                <Table.Th scope="col">Dla</Table.Th>
                <SortTh column="created" sort={sort} by={by}>Przydzielono</SortTh>
                <SortTh column="deadline" sort={sort} by={by}>Termin</SortTh>
                <Table.Th scope="col">Czynności</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sorted.map((item) => {
                const urgency = item.deadline ? deadlineState(item.deadline).urgency : "later";
                const name = item.registry_number ?? item.case_ref ?? item.title;
                return (
                  <Table.Tr key={`${item.owner}-${item.item_id}`} className={`row-${urgency}`}
                    data-testid="inbox-row">
                    <Table.Td>{label(INBOX_KINDS, item.kind)}</Table.Td>
                    <Table.Td style={{ whiteSpace: "nowrap" }}>{what(item)}</Table.Td>
                    <Table.Td>
                      <Text size="sm">{item.title}</Text>
                      {item.note && <Text size="xs" c="dimmed">Uwagi: {item.note}</Text>}
                    </Table.Td>
                    <Table.Td>{item.from_login === "system" ? "model dekretacji" : item.from_login ?? "—"}</Table.Td>
                    <Table.Td>{ownerWords(item.owner)}</Table.Td>
                    <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(item.created_at)}</Table.Td>
                    <Table.Td><DeadlineCell deadline={item.deadline} /></Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        {item.kind === "decretation" && (
                          <>
                            <Button size="xs" loading={busy === item.item_id} onClick={() => accept(item)}
                              aria-label={`Przyjmij ${name}`}>Przyjmij</Button>
                            <Button size="xs" variant="default" disabled={busy !== null}
                              onClick={() => setReturning(item)} aria-label={`Zwróć ${name}`}>Zwróć</Button>
                          </>
                        )}
                        {item.kind === "information" && (
                          <Button size="xs" variant="default" loading={busy === item.item_id}
                            onClick={() => acknowledge(item)} aria-label={`Zapoznałem się: ${name}`}>
                            Zapoznałem się
                          </Button>
                        )}
                        {item.kind === "case" && item.case_ref && (
                          <Anchor component={Link} to={caseAddress(item.case_ref)} size="sm">Otwórz sprawę</Anchor>
                        )}
                        {(item.kind === "classification" || item.kind === "redecretation") && item.document_id && (
                          <Anchor component={Link} to={`/dokumenty/${item.document_id}`} size="sm">Otwórz dokument</Anchor>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
      <ReturnModal unit={unit} item={returning} onClose={() => setReturning(null)}
        onReturned={(item) => {
          setReturning(null);
          setDone({ kind: "returned", item });
          inbox.reload();
        }} />
    </Stack>
  );
}

function ReturnModal({ unit, item, onClose, onReturned }: {
  unit: string; item: Item | null; onClose: () => void; onReturned: (item: Item) => void;
}) {
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const problem = !reason.trim() ? "Podaj powód zwrotu" : reason.length > 2000 ? "Powód może mieć najwyżej 2000 znaków" : null;

  function close() {
    setReason("");
    setTouched(false);
    setError(null);
    onClose();
  }

  async function send(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (problem || !item?.document_id) return;
    setSending(true);
    setError(null);
    try {
      const { error: failure } = await api.POST("/units/{unit}/documents/{document_id}/return",
        { params: { path: { unit, document_id: item.document_id } }, body: { reason: reason.trim() } });
      if (failure) {
        setError(errorMessage(failure, "Nie udało się zwrócić dekretacji."));
      } else {
        setReason("");
        setTouched(false);
        onReturned(item);
      }
    } catch {
      setError("Brak połączenia z serwerem.");
    } finally {
      setSending(false);
    }
  }

  return (
    <Modal opened={item !== null} onClose={close} title="Zwrot dekretacji" centered>
      {item && (
        <form onSubmit={send} noValidate>
          <Stack gap="sm">
            <Text size="sm">Dokument {item.registry_number}: „{item.title}” wróci do kierownika, który zdecyduje,
              komu go przydzielić.</Text>
            <Textarea label="Powód zwrotu" required autosize minRows={3} value={reason} data-autofocus
              onChange={(e) => setReason(e.currentTarget.value)} error={touched && problem} />
            {error && <Alert color="red" role="alert">{error}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>Anuluj</Button>
              <Button type="submit" color="red" loading={sending}>Zwróć dekretację</Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
