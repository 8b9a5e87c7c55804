// One registered document: its metadata, the signature report in plain words, its files
// (short-lived download links) and where it stands in routing, with its decretations.
import { useState } from "react";
import { Alert, Anchor, Button, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { useLoad } from "../api/useLoad";
import { SignatureReport } from "../components/SignatureReport";
import { NoAccess } from "../components/NoAccess";
import { dateTime, day } from "../i18n/dates";
import { CHANNELS, DECRETATION_KINDS, DECRETATION_STATUSES, ROUTING_STATUSES, label } from "../i18n/labels";
import { useUser } from "../nav/user";
import { newCaseAddress } from "./cases/addresses";
import { CorrectMetadata } from "./documents/CorrectMetadata";
import { MetadataVersions } from "./documents/MetadataVersions";
import { hasRole } from "../nav/user";

type Item = Schemas["RegistryItemView"];
type Link_ = Schemas["DownloadLink"];

function Field({ name, children }: { name: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed" component="dt">{name}</Text>
      <Text size="sm" component="dd" m={0}>{children || "—"}</Text>
    </div>
  );
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toLocaleString("pl-PL", { maximumFractionDigits: 1 })} KB`;
  return `${(bytes / 1024 / 1024).toLocaleString("pl-PL", { maximumFractionDigits: 1 })} MB`;
}

function Preview({ file }: { file: Link_ }) {
  if (!file.preview_url) return null;
  return (
    <Paper withBorder p="xs" mt="sm" aria-label={`Podgląd: ${file.filename}`} component="figure" m={0}>
      {file.mime === "application/pdf"
        ? <iframe src={file.preview_url} title={`Podgląd: ${file.filename}`} style={{ width: "100%", height: 640, border: 0 }} />
        : <img src={file.preview_url} alt={`Podgląd: ${file.filename}`} style={{ maxWidth: "100%", height: "auto" }} />}
      <Text size="xs" c="dimmed" component="figcaption">{file.filename}</Text>
    </Paper>
  );
}

function Files({ item }: { item: Item }) {
  const [shown, setShown] = useState<string | null>(null);
  const rows: [string, Link_][] = [["oryginał", item.original], ...item.attachments.map((a, i): [string, Link_] =>
    [`załącznik ${i + 1}`, a])];
  if (item.receipt) rows.push(["UPP (urzędowe poświadczenie przedłożenia)", item.receipt]);
  return (
    <>
    <Table aria-label="Pliki dokumentu">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Rodzaj</Table.Th>
          <Table.Th scope="col">Plik</Table.Th>
          <Table.Th scope="col">Typ</Table.Th>
          <Table.Th scope="col">Rozmiar</Table.Th>
          <Table.Th scope="col">SHA-256</Table.Th>
          <Table.Th scope="col">Podgląd</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map(([kind, file]) => (
          <Table.Tr key={`${kind}-${file.sha256}`}>
            <Table.Td>{kind}</Table.Td>
            <Table.Td><Anchor href={file.url} rel="noreferrer" download={file.filename}>{file.filename}</Anchor></Table.Td>
            <Table.Td>{file.mime ?? "—"}</Table.Td>
            <Table.Td style={{ whiteSpace: "nowrap" }}>{size(file.size)}</Table.Td>
            <Table.Td><Text size="xs" ff="monospace">{file.sha256.slice(0, 16)}…</Text></Table.Td>
            <Table.Td>
              {file.preview_url ? (
                <Button size="compact-xs" variant="default" aria-pressed={shown === file.sha256}
                  aria-label={`${shown === file.sha256 ? "Ukryj" : "Pokaż"} podgląd ${file.filename}`}
                  onClick={() => setShown(shown === file.sha256 ? null : file.sha256)}>
                  {shown === file.sha256 ? "Ukryj" : "Pokaż"}
                </Button>
              ) : "—"}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
    {rows.filter(([, file]) => file.sha256 === shown).slice(0, 1).map(([kind, file]) => <Preview key={kind} file={file} />)}
    </>
  );
}

function Routing({ unit, documentId, login }: { unit: string; documentId: string; login: string }) {
  const routing = useLoad(() => api.GET("/units/{unit}/documents/{document_id}/routing",
    { params: { path: { unit, document_id: documentId } } }), [unit, documentId]);
  if (routing.loading && !routing.data) return <Loader size="sm" aria-label="Wczytywanie dekretacji" />;
  if (!routing.data) return <Text size="sm" c="dimmed">Dokument nie jest w obiegu (brak dekretacji).</Text>;
  const { routing: state, decretations } = routing.data;
  // The officer who accepted the letter opens the case on it from here (or from the inbox).
  const openCase = state.status === "accepted" && !state.case_ref && state.responsible === login && (
    <Button component={Link} to={newCaseAddress(documentId)} size="xs" className="no-print">Załóż sprawę z tego pisma</Button>);
  if (decretations.length === 0) {
    return <Text size="sm">Stan: <strong>{label(ROUTING_STATUSES, state.status)}</strong> · brak dekretacji.</Text>;
  }
  return (
    <Stack gap="xs">
      <Text size="sm">Stan: <strong>{label(ROUTING_STATUSES, state.status)}</strong>
        {state.classification ? ` · JRWA ${state.classification.jrwa_symbol} ${state.classification.jrwa_heading}` : ""}
        {state.responsible ? ` · prowadzi: ${state.responsible}` : ""}</Text>
      {openCase}
      <Table aria-label="Dekretacje">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Lp.</Table.Th>
            <Table.Th scope="col">Kiedy</Table.Th>
            <Table.Th scope="col">Kto</Table.Th>
            <Table.Th scope="col">Dla</Table.Th>
            <Table.Th scope="col">Rodzaj</Table.Th>
            <Table.Th scope="col">Termin</Table.Th>
            <Table.Th scope="col">Stan</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {decretations.map((d) => (
            <Table.Tr key={d.decretation_id}>
              <Table.Td>{d.seq}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(d.at)}</Table.Td>
              <Table.Td>{d.by === "system" ? "model dekretacji" : d.by}</Table.Td>
              <Table.Td>{d.target.login ?? `komórka ${d.target.cell}`}</Table.Td>
              <Table.Td>{label(DECRETATION_KINDS, d.kind)}</Table.Td>
              <Table.Td>{d.deadline ? day(d.deadline) : "—"}</Table.Td>
              <Table.Td>{label(DECRETATION_STATUSES, d.status)}{d.reason ? ` (${d.reason})` : ""}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

export function DocumentPage() {
  const user = useUser();
  const { unit, login } = user;
  const [notice, setNotice] = useState<string | null>(null);
  const { documentId = "" } = useParams();
  const item = useLoad(() => api.GET("/units/{unit}/documents/{document_id}",
    { params: { path: { unit, document_id: documentId } } }), [unit, documentId]);

  if (item.loading && !item.data) return <Loader aria-label="Wczytywanie dokumentu" />;
  if (item.failed) return <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>;
  // A document of another unit, or one the caller need not know: the same answer for both.
  if (!item.data) return <NoAccess what="Dokument nie istnieje albo nie masz do niego dostępu." />;
  const { entry } = item.data;
  const sender = entry.sender;
  return (
    <Stack gap="md">
      <div>
        <Text c="dimmed" size="sm">{entry.registry_number}</Text>
        <Title order={2}>{entry.title}</Title>
      </div>
      <Paper withBorder p="md" component="section" aria-labelledby="metadane">
        <Title order={3} size="h4" id="metadane" mb="sm">Metadane</Title>
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} component="dl" m={0}>
          <Field name="Numer w rejestrze">{entry.registry_number}</Field>
          <Field name="Data wpływu">{dateTime(entry.received_at)}</Field>
          <Field name="Kanał">{label(CHANNELS, entry.channel)}</Field>
          <Field name="Nadawca">{sender.name}</Field>
          <Field name="Adres nadawcy">
            {[sender.street, [sender.postal_code, sender.town].filter(Boolean).join(" "), sender.country]
              .filter(Boolean).join(", ")}
          </Field>
          <Field name="Skrytka ESP / e-mail">{sender.esp_address ?? sender.email}</Field>
          <Field name="Data pisma">{entry.letter_date ? day(entry.letter_date) : null}</Field>
          <Field name="Znak pisma nadawcy">{entry.sender_reference}</Field>
          <Field name="Rodzaj">{entry.kind}</Field>
          <Field name="Dostęp">{entry.access}</Field>
          <Field name="Format">{entry.format}</Field>
          <Field name="Sprawa">
            {item.data.case_ref ? <Link to={`/sprawy/${encodeURIComponent(item.data.case_ref)}`}>{item.data.case_ref}</Link> : null}
          </Field>
          <Field name="Uwagi">{entry.remarks}</Field>
        </SimpleGrid>
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="wersje">
        <Group justify="space-between" mb="sm">
          <Title order={3} size="h4" id="wersje">Wersje metadanych</Title>
          {hasRole(user, ["registry_clerk", "manager"]) && (
            <CorrectMetadata unit={unit} documentId={documentId} entry={entry}
              onDone={(version) => { setNotice(`Zapisano korektę: obowiązuje wersja ${version}.`); item.reload(); }} />
          )}
        </Group>
        {notice && <Alert color="green" role="status" mb="sm">{notice}</Alert>}
        <MetadataVersions version={item.data.version ?? 1} corrections={item.data.corrections ?? []} />
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="podpis">
        <Title order={3} size="h4" id="podpis" mb="sm">Weryfikacja podpisu</Title>
        <SignatureReport report={item.data.signature_report} />
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="pliki">
        <Title order={3} size="h4" id="pliki" mb="sm">Pliki</Title>
        <Files item={item.data} />
        <Text size="xs" c="dimmed" mt="xs">Odnośniki są ważne przez {Math.round(item.data.original.expires_in / 60)} min;
          po tym czasie odśwież stronę.</Text>
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="obieg">
        <Title order={3} size="h4" id="obieg" mb="sm">Obieg (dekretacje)</Title>
        <Routing unit={unit} documentId={documentId} login={login} />
      </Paper>
    </Stack>
  );
}
