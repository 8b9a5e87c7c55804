// Pismo wychodzące: one outgoing document of a case — its versions (each downloadable, none
// replaced), its addressees, its approval rounds — and what the caller may do now: a new
// version, the addressees, submitting it for approval; once approved, the unit's seal or
// a file signed outside; or, when a step waits for them, approve it or return it with a remark.
import { useState, type ReactNode } from "react";
import { Alert, Anchor, Badge, Button, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Textarea, Title } from "@mantine/core";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { dateTime } from "../../i18n/dates";
import { OUTGOING_STATUSES, errorMessage, label } from "../../i18n/labels";
import { useUser } from "../../nav/user";
import { caseAddress } from "../cases/addresses";
import { AddresseesModal, addressOf, channelsOf } from "./AddresseesModal";
import { ApprovalRounds } from "./ApprovalRounds";
import { AttachmentsSection } from "./AttachmentsSection";
import { DispatchSection } from "./DispatchSection";
import { SignModal } from "./SignModal";
import { VersionModal } from "./VersionModal";
import { SignatureReport } from "../../components/SignatureReport";

type View = Schemas["OutgoingView"];

function Field({ name, children }: { name: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" component="dt">{name}</Text>
      <Text size="sm" component="dd" m={0}>{children || "—"}</Text>
    </div>
  );
}

export function OutgoingPage() {
  const { unit } = useUser();
  const { outgoingId = "" } = useParams();
  const loaded = useLoad(() => api.GET("/units/{unit}/outgoing/{outgoing_id}",
    { params: { path: { unit, outgoing_id: outgoingId } } }), [unit, outgoingId]);
  const [current, setCurrent] = useState<View | null>(null);
  const [modal, setModal] = useState<"version" | "addressees" | "signature" | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [remark, setRemark] = useState("");
  const [remarkMissing, setRemarkMissing] = useState(false);
  const [sending, setSending] = useState(false);

  const view = current && current.document.outgoing_id === outgoingId ? current : loaded.data;
  if (loaded.loading && !view) return <Loader aria-label="Wczytywanie pisma" />;
  if (loaded.failed) return <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>;
  if (!view) return <Refusal status={loaded.status ?? 404} what="Pismo nie istnieje albo nie masz do niego dostępu." />;
  const d = view.document;
  const status = d.status ?? "draft";
  const path = { params: { path: { unit, outgoing_id: d.outgoing_id } } };

  function changed(next: View, words: string) {
    setCurrent(next);
    setNotice(words);
    setError(null);
    setModal(null);
  }

  async function submit() {
    setSending(true);
    const { data, error: failure } = await api.POST("/units/{unit}/outgoing/{outgoing_id}/submit", path);
    setSending(false);
    if (data) changed(data, "Projekt przekazano do akceptacji.");
    else setError(errorMessage(failure, "Nie udało się przekazać projektu do akceptacji."));
  }

  async function seal() {
    setSending(true);
    const { data, error: failure } = await api.POST("/units/{unit}/outgoing/{outgoing_id}/seal", path);
    setSending(false);
    if (data) changed(data, "Pismo opatrzono pieczęcią elektroniczną jednostki.");
    else setError(errorMessage(failure, "Nie udało się opatrzyć pisma pieczęcią."));
  }

  async function decide(decision: "approved" | "returned") {
    if (decision === "returned" && !remark.trim()) {
      setRemarkMissing(true);
      return;
    }
    setSending(true);
    const { data, error: failure } = await api.POST("/units/{unit}/outgoing/{outgoing_id}/decision",
      { ...path, body: { decision, remark: remark.trim() || null } });
    setSending(false);
    if (data) {
      setRemark("");
      setRemarkMissing(false);
      changed(data, decision === "approved" ? "Projekt zaakceptowano." : "Projekt zwrócono do poprawy.");
    } else setError(errorMessage(failure, "Nie udało się zapisać decyzji."));
  }

  const versions = d.versions ?? [];
  const addressees = d.addressees ?? [];
  const isDraft = status === "draft";
  return (
    <Stack gap="md">
      <div>
        <Text c="dimmed" size="sm">Pismo wychodzące</Text>
        <Group gap="sm" align="center">
          <Title order={2}>{d.title}</Title>
          <Badge variant="light" size="lg" tt="none" data-testid="outgoing-status">{label(OUTGOING_STATUSES, status)}</Badge>
        </Group>
      </div>
      {notice && <Alert color="green" role="status" withCloseButton closeButtonLabel="Zamknij komunikat"
        onClose={() => setNotice(null)} data-testid="outgoing-notice">{notice}</Alert>}
      {error && <Alert color="red" role="alert">{error}</Alert>}
      {view.may_edit && (
        <Group gap="sm">
          <Button variant="default" onClick={() => setModal("version")}>Nowa wersja</Button>
          {isDraft && <Button variant="default" onClick={() => setModal("addressees")}>Wybierz adresatów</Button>}
          {isDraft && <Button onClick={submit} loading={sending} disabled={addressees.length === 0}>
            Przekaż do akceptacji</Button>}
          {status === "approved" && <Button onClick={seal} loading={sending}>Opatrz pieczęcią jednostki</Button>}
          {status === "approved" && <Button variant="default" onClick={() => setModal("signature")}>
            Dodaj pismo podpisane poza systemem</Button>}
        </Group>
      )}

      <Paper withBorder p="md" component="section" aria-labelledby="dane-pisma">
        <Title order={3} size="h4" id="dane-pisma" mb="sm">Dane pisma</Title>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} component="dl" m={0}>
          <Field name="Sprawa"><Anchor component={Link} to={caseAddress(d.case_ref)}>{d.case_ref}</Anchor></Field>
          <Field name="Klasa JRWA">{d.jrwa_symbol}</Field>
          <Field name="Odpowiada">{`${d.responsible_name}${d.responsible_position ? `, ${d.responsible_position}` : ""}`}</Field>
          <Field name="Utworzono">{`${dateTime(d.created_at)} (${d.created_by})`}</Field>
          <Field name="Ostatnia zmiana">{dateTime(d.updated_at)}</Field>
        </SimpleGrid>
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="wersje">
        <Title order={3} size="h4" id="wersje" mb="sm">Wersje</Title>
        <Table aria-label="Wersje pisma" highlightOnHover>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Wersja</Table.Th>
              <Table.Th scope="col">Plik</Table.Th>
              <Table.Th scope="col">Uwagi</Table.Th>
              <Table.Th scope="col">Dodał(a)</Table.Th>
              <Table.Th scope="col">Kiedy</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {versions.map((v) => {
              const link = view.links.find((l) => l.version === v.version);
              return (
                <Table.Tr key={v.version}>
                  <Table.Td>{v.version}</Table.Td>
                  <Table.Td>{link ? <a href={link.url} download>{v.filename}</a> : v.filename}</Table.Td>
                  <Table.Td>{v.note ?? "—"}</Table.Td>
                  <Table.Td>{v.created_by}</Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(v.created_at)}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="zalaczniki">
        <Title order={3} size="h4" id="zalaczniki" mb="sm">Załączniki</Title>
        <AttachmentsSection unit={unit} view={view} mayChange={view.may_edit && isDraft} onChanged={changed} />
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="adresaci">
        <Title order={3} size="h4" id="adresaci" mb="sm">Adresaci</Title>
        {addressees.length === 0 ? <Text size="sm">Nie wskazano jeszcze adresatów.</Text> : (
          <Table aria-label="Adresaci pisma">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Adresat</Table.Th>
                <Table.Th scope="col">Adres</Table.Th>
                <Table.Th scope="col">Możliwe kanały</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {addressees.map((a, i) => (
                <Table.Tr key={`${a.name}-${i}`}>
                  <Table.Td>{a.name}</Table.Td>
                  <Table.Td>{addressOf(a)}</Table.Td>
                  <Table.Td>{channelsOf(a)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Paper>

      <Paper withBorder p="md" component="section" aria-labelledby="akceptacja">
        <Title order={3} size="h4" id="akceptacja" mb="sm">Akceptacja</Title>
        <ApprovalRounds rounds={d.rounds ?? []} />
        {view.may_decide && (
          <Stack gap="sm" mt="md" data-testid="decision">
            <Textarea label="Uwagi" description="Wymagane przy zwrocie do poprawy" autosize minRows={2} value={remark}
              onChange={(e) => { setRemark(e.currentTarget.value); setRemarkMissing(false); }}
              error={remarkMissing && "Napisz, co trzeba poprawić"} />
            <Group gap="sm">
              <Button color="green" onClick={() => decide("approved")} loading={sending}>Akceptuję</Button>
              <Button color="red" variant="light" onClick={() => decide("returned")} loading={sending}>
                Zwróć do poprawy</Button>
            </Group>
          </Stack>
        )}
      </Paper>

      {d.signing && (
        <Paper withBorder p="md" component="section" aria-labelledby="podpis">
          <Title order={3} size="h4" id="podpis" mb="sm">Podpis</Title>
          <Stack gap="xs">
            <Text size="sm">
              {d.signing.method === "unit_seal" ? "Pieczęć elektroniczna jednostki" : "Podpis złożony poza systemem"}
              {` · wersja ${d.signing.version} · ${dateTime(d.signing.signed_at)} (${d.signing.signed_by})`}
            </Text>
            <SignatureReport report={d.signing.report} />
            <Group gap="md">
              {(view.signed_links ?? []).map((l) => <Anchor key={l.name} href={l.url} download={l.name}>{l.name}</Anchor>)}
            </Group>
          </Stack>
        </Paper>
      )}

      {(status === "signed" || status === "dispatched") && (
        <Paper withBorder p="md" component="section" aria-labelledby="wysylka">
          <Title order={3} size="h4" id="wysylka" mb="sm">Wysyłka</Title>
          <DispatchSection unit={unit} document={d} items={view.items ?? []} mayDispatch={view.may_dispatch ?? false}
            onDispatched={(next) => changed(next, "Pismo przekazano do wysyłki.")} />
        </Paper>
      )}

      <SignModal unit={unit} outgoingId={d.outgoing_id} opened={modal === "signature"} onClose={() => setModal(null)}
        onDone={(next) => changed(next, "Przyjęto pismo podpisane poza systemem.")} />
      <VersionModal unit={unit} outgoingId={d.outgoing_id} opened={modal === "version"} onClose={() => setModal(null)}
        onDone={(next) => changed(next, `Dodano wersję ${(next.document.versions ?? []).length}.`)} />
      <AddresseesModal unit={unit} document={d} opened={modal === "addressees"} onClose={() => setModal(null)}
        onDone={(next) => changed(next, "Zapisano adresatów.")} />
    </Stack>
  );
}
