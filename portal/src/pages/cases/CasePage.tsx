// Sprawa: one case — its data, its deadline with the days left, its documents and the
// answers drafted in it — and what its officer (or a manager) may do now: suspend the
// clock with a reason or start it again, close the case with the way it was settled,
// reopen it. A button is shown only when the case's state allows it.
import { useState, type FormEvent, type ReactNode } from "react";
import {
  Alert, Anchor, Badge, Button, Group, Loader, Modal, Paper, SimpleGrid, Stack, Table, Text, Textarea, Title,
} from "@mantine/core";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { DayInput } from "../../components/DayInput";
import { NoAccess } from "../../components/NoAccess";
import { dateTime, day } from "../../i18n/dates";
import { CASE_STATUSES, DEADLINE_PRESETS, errorMessage, label, presetLabel } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";
import { caseAddress, metrykaAddress, spisAddress } from "./addresses";
import { deadlineState, todayInPoland } from "./deadline";
import { DeadlineWords, SortTh, useSorted } from "./sorting";
import { OutgoingSection } from "../outgoing/OutgoingSection";
import { SettledBySelect } from "../outgoing/SettledBySelect";

type Case = Schemas["Case"];
type Action = "suspend" | "resume" | "close" | "reopen";

function Field({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" component="dt">{name}</Text>
      <Text size="sm" component="dd" m={0}>{children || "—"}</Text>
    </div>
  );
}

function Deadline({ item }: { item: Case }) {
  const open = (item.suspensions ?? []).find((s) => !s.end);
  const explanation = DEADLINE_PRESETS.find((p) => p.value === item.deadline_preset)?.explanation;
  let state: ReactNode;
  if (item.status === "closed") {
    state = <Text size="sm">Sprawa zakończona {item.closed_at ? dateTime(item.closed_at) : ""} — termin już nie biegnie.</Text>;
  } else if (open) {
    state = (
      <Text size="sm" data-testid="case-deadline">
        <span className="urgency urgency-soon">bieg terminu zawieszony</span> od {day(open.start)}: {open.reason}
      </Text>
    );
  } else if (item.deadline) {
    const s = deadlineState(item.deadline);
    state = (
      <Text size="sm" data-testid="case-deadline">
        Ostatni dzień: <strong>{day(item.deadline)}</strong> <DeadlineWords words={s.words} urgency={s.urgency} />
      </Text>
    );
  } else {
    state = <Text size="sm" data-testid="case-deadline">Bez wyznaczonego dnia: bez zbędnej zwłoki.</Text>;
  }
  return (
    <Stack gap="xs">
      <Text size="sm">Termin: <strong>{presetLabel(item.deadline_preset)}</strong>
        {item.initiated_on ? `, liczony od dnia wszczęcia ${day(item.initiated_on)}` : ""}</Text>
      {explanation && <Text size="xs" c="dimmed">{explanation}</Text>}
      {state}
      {(item.suspensions ?? []).length > 0 && (
        <Table aria-label="Zawieszenia biegu terminu" withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Od dnia</Table.Th>
              <Table.Th scope="col">Do dnia (bieg podjęty)</Table.Th>
              <Table.Th scope="col">Powód</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(item.suspensions ?? []).map((s, i) => (
              <Table.Tr key={i}>
                <Table.Td>{day(s.start)}</Table.Td>
                <Table.Td>{s.end ? day(s.end) : "trwa"}</Table.Td>
                <Table.Td>{s.reason}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

function Documents({ unit, caseRef, round }: { unit: string; caseRef: string; round: number }) {
  const docs = useLoad(() => api.GET("/units/{unit}/cases/{ref}/documents",
    { params: { path: { unit, ref: caseRef } } }), [unit, caseRef, round]);
  const items = docs.data?.items ?? [];
  const { sorted, sort, by } = useSorted(items, {
    number: (d) => d.registry_number,
    title: (d) => d.title,
    attached: (d) => d.attached_at,
    by: (d) => d.attached_by,
  }, { key: "attached", ascending: true });
  if (docs.loading && !docs.data) return <Loader size="sm" aria-label="Wczytywanie dokumentów sprawy" />;
  return (
    <Stack gap="xs">
      <Text size="sm" data-testid="case-documents-count">
        {items.length === 0 ? "Sprawa nie ma jeszcze dokumentów." : countOf(items.length, NOUNS.dokument)}
      </Text>
      {items.length > 0 && (
        <Table aria-label="Dokumenty sprawy" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <SortTh column="number" sort={sort} by={by}>Numer</SortTh>
              <SortTh column="title" sort={sort} by={by}>Tytuł</SortTh>
              <SortTh column="attached" sort={sort} by={by}>Dołączono</SortTh>
              <SortTh column="by" sort={sort} by={by}>Dołączył(a)</SortTh>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sorted.map((d) => (
              <Table.Tr key={d.document_id}>
                <Table.Td style={{ whiteSpace: "nowrap" }}>
                  <Link to={`/dokumenty/${d.document_id}`}>{d.registry_number ?? d.document_id}</Link>
                </Table.Td>
                <Table.Td>{d.title}</Table.Td>
                <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(d.attached_at)}</Table.Td>
                <Table.Td>{d.attached_by}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Stack>
  );
}

export function CasePage() {
  const user = useUser();
  const { unit } = user;
  const { ref = "" } = useParams();
  const loaded = useLoad(() => api.GET("/units/{unit}/cases/{ref}", { params: { path: { unit, ref } } }), [unit, ref]);
  const [current, setCurrent] = useState<Case | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [round, setRound] = useState(0);

  const item = current && current.ref === ref ? current : loaded.data;
  if (loaded.loading && !item) return <Loader aria-label="Wczytywanie sprawy" />;
  if (loaded.failed) return <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>;
  if (!item) return <NoAccess what="Sprawa nie istnieje albo nie masz do niej dostępu." />;

  const mayHandle = item.officer === user.login || user.roles.includes("manager");
  const suspended = (item.suspensions ?? []).some((s) => !s.end);
  const isOpen = item.status === "open";
  const buttons: { action: Action; text: string; color?: string }[] = [];
  if (mayHandle && isOpen && !suspended && item.deadline_preset !== "none") {
    buttons.push({ action: "suspend", text: "Zawieś bieg terminu" });
  }
  if (mayHandle && isOpen && suspended) buttons.push({ action: "resume", text: "Podejmij bieg terminu" });
  if (mayHandle && isOpen) buttons.push({ action: "close", text: "Zakończ sprawę", color: "#1e6b30" }); // dark green: AA contrast
  if (mayHandle && !isOpen && !item.continued_as) buttons.push({ action: "reopen", text: "Wznów sprawę" });

  function changed(next: Case, words: string) {
    setAction(null);
    setCurrent(next);
    setNotice(words);
    setRound((r) => r + 1);
  }

  return (
    <Stack gap="md">
      <div>
        <Text c="dimmed" size="sm">Sprawa</Text>
        <Group gap="sm" align="center">
          <Title order={2} data-testid="case-ref">{item.ref}</Title>
          <Badge color={isOpen ? "blue" : "gray"} variant="light" size="lg" tt="none" data-testid="case-status">
            {label(CASE_STATUSES, item.status)}{suspended ? " — zawieszona" : ""}
          </Badge>
        </Group>
        <Text size="lg">{item.title}</Text>
      </div>
      {notice && <Alert color="green" role="status" withCloseButton closeButtonLabel="Zamknij komunikat" onClose={() => setNotice(null)}
        data-testid="case-notice">{notice}</Alert>}
      <Group gap="sm" className="no-print">
        {buttons.map((b) => (
          <Button key={b.action} color={b.color} variant={b.color ? "filled" : "default"}
            onClick={() => setAction(b.action)}>{b.text}</Button>
        ))}
        <Anchor component={Link} to={metrykaAddress(item.ref)}>Metryka sprawy</Anchor>
        <Anchor component={Link} to={spisAddress(item.cell, item.jrwa_symbol, item.year)}>Spis spraw tej klasy</Anchor>
      </Group>

      <Paper withBorder p="md" component="section" aria-labelledby="dane-sprawy">
        <Title order={3} size="h4" id="dane-sprawy" mb="sm">Dane sprawy</Title>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} component="dl" m={0}>
          <Field name="Znak sprawy">{item.ref}</Field>
          <Field name="Klasa JRWA">{`${item.jrwa_symbol} ${item.jrwa_heading}`}
            {item.category ? ` (kategoria ${item.category})` : ""}</Field>
          <Field name="Komórka organizacyjna">{item.cell}</Field>
          <Field name="Prowadzący sprawę">{item.officer_name}</Field>
          <Field name="Data wszczęcia">{item.initiated_on ? day(item.initiated_on) : null}</Field>
          <Field name="Założona">{`${dateTime(item.opened_at)} (${item.opened_by})`}</Field>
          <Field name="Od kogo wpłynęła">{item.origin ? item.origin.sender : "z inicjatywy własnej"}</Field>
          <Field name="Pismo wszczynające">
            {item.origin ? <Link to={`/dokumenty/${item.origin.document_id}`}>
              {item.origin.registry_number ?? item.origin.document_id}</Link> : null}
            {item.origin?.sender_reference ? ` (znak: ${item.origin.sender_reference})` : ""}
          </Field>
          <Field name="Stan">{label(CASE_STATUSES, item.status)}</Field>
          {item.settlement && <Field name="Sposób załatwienia">{item.settlement}</Field>}
          {item.settled_by && <Field name="Załatwiona pismem">{item.settled_by}</Field>}
          {item.closed_at && <Field name="Data zakończenia">{dateTime(item.closed_at)}</Field>}
          {item.continues && <Field name="Kontynuacja sprawy">
            <Link to={caseAddress(item.continues)}>{item.continues}</Link></Field>}
          {item.continued_as && <Field name="Wznowiona jako">
            <Link to={caseAddress(item.continued_as)}>{item.continued_as}</Link></Field>}
        </SimpleGrid>
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="termin">
        <Title order={3} size="h4" id="termin" mb="sm">Termin załatwienia</Title>
        <Deadline item={item} />
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="dokumenty">
        <Title order={3} size="h4" id="dokumenty" mb="sm">Dokumenty sprawy</Title>
        <Documents unit={unit} caseRef={item.ref} round={round} />
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="pisma-wychodzace">
        <Title order={3} size="h4" id="pisma-wychodzace" mb="sm">Pisma wychodzące</Title>
        <OutgoingSection unit={unit} caseRef={item.ref} mayDraft={mayHandle && isOpen} />
      </Paper>

      <CaseAction unit={unit} item={item} action={action} onClose={() => setAction(null)} onDone={changed} />
    </Stack>
  );
}

const ACTIONS: Record<Action, { title: string; field: string; submit: string; date?: string; needsText: boolean }> = {
  suspend: { title: "Zawieszenie biegu terminu", field: "Powód zawieszenia", submit: "Zawieś",
    date: "Od dnia (pierwszy dzień, którego nie liczy się do terminu)", needsText: true },
  resume: { title: "Podjęcie biegu terminu", field: "", submit: "Podejmij", date: "Od dnia (termin biegnie znowu)",
    needsText: false },
  close: { title: "Zakończenie sprawy", field: "Sposób załatwienia sprawy", submit: "Zakończ sprawę", needsText: true },
  reopen: { title: "Wznowienie sprawy", field: "Powód wznowienia", submit: "Wznów", needsText: true },
};

function CaseAction({ unit, item, action, onClose, onDone }: {
  unit: string; item: Case; action: Action | null; onClose: () => void; onDone: (c: Case, words: string) => void;
}) {
  const [text, setText] = useState("");
  const [settledBy, setSettledBy] = useState<string | null>(null);
  const [date, setDate] = useState(todayInPoland());
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const spec = action ? ACTIONS[action] : null;
  const openSuspension = (item.suspensions ?? []).find((s) => !s.end);
  const lastEnd = (item.suspensions ?? []).map((s) => s.end).filter(Boolean).sort().pop();

  const problems: { text?: string; date?: string } = {};
  if (spec?.needsText && !text.trim()) {
    problems.text = action === "close" ? "Podaj sposób załatwienia sprawy" : action === "suspend"
      ? "Podaj powód zawieszenia" : "Podaj powód wznowienia";
  } else if (text.length > 2000) problems.text = "Najwyżej 2000 znaków";
  if (spec?.date) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) problems.date = "Podaj datę";
    else if (action === "suspend" && item.initiated_on && date < item.initiated_on) {
      problems.date = `Zawieszenie nie może zacząć się przed dniem wszczęcia (${day(item.initiated_on)})`;
    } else if (action === "suspend" && lastEnd && date < lastEnd) {
      problems.date = `Zawieszenie nie może zacząć się przed końcem poprzedniego (${day(lastEnd)})`;
    } else if (action === "resume" && openSuspension && date < openSuspension.start) {
      problems.date = `Bieg terminu nie może ruszyć przed początkiem zawieszenia (${day(openSuspension.start)})`;
    }
  }

  function close() {
    setText("");
    setDate(todayInPoland());
    setTouched(false);
    setError(null);
    onClose();
  }

  async function send(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (!action || Object.keys(problems).length > 0) return;
    setSending(true);
    setError(null);
    const path = { path: { unit, ref: item.ref } };
    try {
      const answer = action === "suspend"
        ? await api.POST("/units/{unit}/cases/{ref}/suspend", { params: path, body: { start: date, reason: text.trim() } })
        : action === "resume"
          ? await api.POST("/units/{unit}/cases/{ref}/resume", { params: path, body: { end: date } })
          : action === "close"
            ? await api.POST("/units/{unit}/cases/{ref}/close",
              { params: path, body: { settlement: text.trim(), settled_by: settledBy } })
            : await api.POST("/units/{unit}/cases/{ref}/reopen", { params: path, body: { reason: text.trim() } });
      if (answer.data) {
        const next = answer.data;
        const words = action === "suspend" ? `Zawieszono bieg terminu od ${day(date)}.`
          : action === "resume" ? `Podjęto bieg terminu od ${day(date)}${next.deadline ? `; nowy termin: ${day(next.deadline)}` : ""}.`
            : action === "close" ? "Sprawa zakończona."
              : next.ref !== item.ref ? `Sprawa wznowiona w nowym roku jako ${next.ref}.` : "Sprawa wznowiona.";
        setText("");
        setTouched(false);
        onDone(next.ref === item.ref ? next : { ...item, continued_as: next.ref }, words);
      } else {
        setError(errorMessage(answer.error, "Nie udało się wykonać czynności."));
      }
    } catch {
      setError("Brak połączenia z serwerem.");
    } finally {
      setSending(false);
    }
  }

  return (
    <Modal opened={spec !== null} onClose={close} title={spec?.title} centered>
      {spec && (
        <form onSubmit={send} noValidate>
          <Stack gap="sm">
            <Text size="sm">Sprawa {item.ref}: „{item.title}”</Text>
            {spec.date && (
              <DayInput label={spec.date} value={date} onChange={setDate} error={touched && problems.date} />
            )}
            {spec.needsText && (
              <Textarea label={spec.field} required autosize minRows={3} value={text} data-autofocus
                onChange={(e) => setText(e.currentTarget.value)} error={touched && problems.text} />
            )}
            {action === "close" && <SettledBySelect unit={unit} caseRef={item.ref} value={settledBy}
              onChange={setSettledBy} />}
            {action === "close" && <Text size="xs" c="dimmed">Sposób załatwienia trafi do spisu spraw (uwagi)
              i do metryki sprawy.</Text>}
            {error && <Alert color="red" role="alert">{error}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>Anuluj</Button>
              <Button type="submit" loading={sending}>{spec.submit}</Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
