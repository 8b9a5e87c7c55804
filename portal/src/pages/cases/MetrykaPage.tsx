// Metryka sprawy: every action on the case and on its documents, one line each, in the
// columns of the legal form, with the result of verifying the hash chains (the case's own
// and each document's, also against the unit's latest signed anchor) shown above the
// table — on screen and on the printed A4 page.
import { serverNow } from "../../api/serverClock";
import { Alert, Anchor, Button, Group, Loader, Paper, SimpleGrid, Stack, Table, Text, Title } from "@mantine/core";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { NoAccess } from "../../components/NoAccess";
import { dateTime, day } from "../../i18n/dates";
import { AUDIT_ACTIONS, errorMessage, label } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";
import { caseAddress } from "./addresses";

type Chain = Schemas["VerificationResult"];

function chainName(chain: Chain, numbers: Map<string, string>): string {
  if (chain.object_id.startsWith("CASE#")) return "sprawy";
  const id = chain.object_id.replace(/^DOC#/, "");
  return `dokumentu ${numbers.get(id) ?? id}`;
}

function seqs(list: number[]): string {
  if (list.length === 0) return "";
  return list.length === 1 ? String(list[0]) : `${list[0]}–${list[list.length - 1]}`;
}

/** One chain's verdict in Polish words, from the structured result. */
function chainWords(chain: Chain, numbers: Map<string, string>): string {
  const name = `Łańcuch wpisów ${chainName(chain, numbers)}`;
  const anchor = !chain.anchor ? "jeszcze bez kotwicy — sprawdzony sam w sobie"
    : chain.anchor_ok === false ? `NIEZGODNY z kotwicą z ${chain.anchored_at ? dateTime(chain.anchored_at) : "?"}`
      : chain.anchored_seq ? `zgodny z kotwicą z ${chain.anchored_at ? dateTime(chain.anchored_at) : "?"} (do wpisu ${chain.anchored_seq})`
        : "założony po ostatniej kotwicy";
  if (chain.ok) return `${name}: nienaruszony (${countOf(chain.entries, NOUNS.wpis)}); ${anchor}.`;
  const missing = chain.missing_seqs ?? [];
  const where = missing.length > 0 ? `brak wpisów ${seqs(missing)} (usunięte)`
    : chain.first_broken_seq ? `naruszony przy wpisie ${chain.first_broken_seq}` : "naruszony";
  return `${name}: ${where}; ${anchor}.`;
}

function Verification({ unit, caseRef, numbers }: { unit: string; caseRef: string; numbers: Map<string, string> }) {
  const check = useLoad(() => api.GET("/units/{unit}/cases/{ref}/metryka/verify",
    { params: { path: { unit, ref: caseRef } } }), [unit, caseRef]);
  if (check.loading && !check.data) return <Loader size="sm" aria-label="Weryfikacja metryki" />;
  if (!check.data) {
    return <Alert color="red" role="alert" data-testid="metryka-verification">
      {errorMessage(null, "Nie udało się zweryfikować metryki.")}</Alert>;
  }
  const { ok, chains } = check.data;
  return (
    <Alert color={ok ? "#1e6b30" : "red.9"} variant="outline" role="status" data-testid="metryka-verification"
      title={ok ? "Metryka zweryfikowana: łańcuch wpisów nienaruszony"
        : "Metryka NIE została zweryfikowana: łańcuch wpisów naruszony"}>
      <Text size="sm">Sprawdzono {countOf(chains.length, NOUNS.lancuch)}: każdy wpis zawiera skrót poprzedniego, więc
        zmiana, usunięcie lub dopisanie wpisu wstecz byłoby widoczne.</Text>
      <ul style={{ margin: "4px 0 0", paddingLeft: 20 }}>
        {chains.map((c) => <li key={c.object_id}><Text size="sm" span>{chainWords(c, numbers)}</Text></li>)}
      </ul>
    </Alert>
  );
}

export function MetrykaPage() {
  const { unit } = useUser();
  const { ref = "" } = useParams();
  const item = useLoad(() => api.GET("/units/{unit}/cases/{ref}", { params: { path: { unit, ref } } }), [unit, ref]);
  const log = useLoad(() => api.GET("/units/{unit}/cases/{ref}/metryka", { params: { path: { unit, ref } } }), [unit, ref]);
  const docs = useLoad(() => api.GET("/units/{unit}/cases/{ref}/documents", { params: { path: { unit, ref } } }),
    [unit, ref]);

  if ((item.loading && !item.data) || (log.loading && !log.data)) return <Loader aria-label="Wczytywanie metryki" />;
  if (item.failed || log.failed) return <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>;
  if (!item.data || !log.data) return <NoAccess what="Sprawa nie istnieje albo nie masz do niej dostępu." />;
  const c = item.data;
  const entries = log.data.entries;
  const numbers = new Map((docs.data?.items ?? []).map((d) => [d.document_id, d.registry_number ?? d.document_id]));

  return (
    <Stack gap="md" className="print-landscape">
      <Group justify="space-between" className="no-print">
        <Anchor component={Link} to={caseAddress(c.ref)}>← Wróć do sprawy {c.ref}</Anchor>
        <Button variant="default" onClick={() => window.print()}>Drukuj metrykę</Button>
      </Group>
      <Title order={2} ta="center">Metryka sprawy</Title>
      <Paper withBorder p="sm">
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} component="dl" m={0} spacing="xs">
          {([
            ["Znak sprawy", c.ref],
            ["Tytuł sprawy", c.title],
            ["Jednostka / komórka organizacyjna", `${c.unit} / ${c.cell}`],
            ["Data wszczęcia", c.initiated_on ? day(c.initiated_on) : "—"],
            ["Prowadzący sprawę", c.officer_name],
            ["Klasa JRWA", `${c.jrwa_symbol} ${c.jrwa_heading}`],
          ] as const).map(([name, value]) => (
            <div key={name}>
              <Text size="xs" c="dimmed" component="dt">{name}</Text>
              <Text size="sm" component="dd" m={0}>{value}</Text>
            </div>
          ))}
        </SimpleGrid>
      </Paper>
      <Verification unit={unit} caseRef={c.ref} numbers={numbers} />
      <Text size="sm" data-testid="metryka-count">{countOf(entries.length, NOUNS.wpis)}, od najstarszego; czas polski.</Text>
      <Table withTableBorder withColumnBorders aria-label={`Metryka sprawy ${c.ref}`} className="print-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Lp.</Table.Th>
            <Table.Th scope="col">Data i godzina</Table.Th>
            <Table.Th scope="col">Imię i nazwisko</Table.Th>
            <Table.Th scope="col">Stanowisko</Table.Th>
            <Table.Th scope="col">Wykonana czynność</Table.Th>
            <Table.Th scope="col">Dokument</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((e, i) => (
            <Table.Tr key={`${e.object_id}-${e.seq}`}>
              <Table.Td ta="right">{i + 1}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(e.at)}</Table.Td>
              <Table.Td>{e.actor.full_name}</Table.Td>
              <Table.Td>{e.actor.position}</Table.Td>
              <Table.Td>{e.summary || label(AUDIT_ACTIONS, e.action)}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{e.document_id ? numbers.get(e.document_id) ?? e.document_id : "—"}</Table.Td>
            </Table.Tr>
          ))}
          {entries.length === 0 && <Table.Tr><Table.Td colSpan={6}>Brak wpisów.</Table.Td></Table.Tr>}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" className="print-only">Wydrukowano z EZD {dateTime(serverNow().toISOString())}.</Text>
    </Stack>
  );
}
