// Spis spraw: the running list of cases of one komórka in one JRWA class and year, in the
// columns of the instrukcja kancelaryjna; printable on A4. The choice is in the address
// (#/spis-spraw?komorka=KAD&jrwa=150&rok=2026&strona=2), so a spis can be linked and
// reloaded. A hundred cases a page, in the spis's own order (Lp.); the CSV has all of it.
import { useState, type FormEvent } from "react";
import { Alert, Button, Group, LoadingOverlay, Paper, Select, Stack, Table, Text, TextInput, Title } from "@mantine/core";
import { downloadFromApi } from "../../api/download";
import { Link, useSearchParams } from "react-router";
import { api } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { day } from "../../i18n/dates";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";
import { caseAddress } from "./addresses";
import { todayInPoland } from "./deadline";

/** A letter's date may be partial (2026-11, 2026): shown as far as it is known. */
export function partialDay(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return day(value);
  const month = /^(\d{4})-(\d{2})$/.exec(value);
  if (month) return `${month[2]}.${month[1]}`;
  return value || "—";
}

const PAGE = 100;

export function SpisPage() {
  const user = useUser();
  const { unit } = user;
  const [params, setParams] = useSearchParams();
  const cell = params.get("komorka") ?? "";
  const jrwa = params.get("jrwa") ?? "";
  const year = params.get("rok") ?? todayInPoland().slice(0, 4);
  const pageNumber = Math.max(1, Number(params.get("strona")) || 1);
  const after = (pageNumber - 1) * PAGE; // numbers are gapless: page n starts after (n-1)·100
  const [draft, setDraft] = useState({ cell: cell || user.cell || "", jrwa, year });
  const [touched, setTouched] = useState(false);

  const plan = useLoad(() => api.GET("/units/{unit}/jrwa", { params: { path: { unit } } }), [unit]);
  const chosen = Boolean(cell && jrwa);
  const spis = useLoad(() => chosen
    ? api.GET("/units/{unit}/spis", { params: { path: { unit },
      query: { cell, jrwa, year, limit: String(PAGE), after: String(after) } } })
    : Promise.resolve({ data: undefined, error: undefined, response: new Response(null, { status: 204 }) }),
  [unit, cell, jrwa, year, after]);
  const [failure, setFailure] = useState<string | null>(null);

  const leaves = (plan.data?.classes ?? []).filter((c) => c.is_leaf)
    .sort((a, b) => a.symbol.localeCompare(b.symbol));
  const heading = plan.data?.classes.find((c) => c.symbol === jrwa)?.heading;
  const lines = spis.data?.lines ?? [];
  const total = spis.data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const goTo = (n: number) => setParams({ komorka: cell, jrwa, rok: year, ...(n > 1 ? { strona: String(n) } : {}) });

  async function csv() {
    setFailure(null);
    const query = new URLSearchParams({ cell, jrwa, year, format: "csv" });
    try {
      await downloadFromApi(`/units/${encodeURIComponent(unit)}/spis?${query}`, `spis-spraw-${unit}-${cell}-${jrwa}-${year}.csv`);
    } catch {
      setFailure("Nie udało się pobrać pliku CSV.");
    }
  }

  const problems: { cell?: string; jrwa?: string; year?: string } = {};
  if (!/^[A-Z0-9]+(-[A-Z0-9]+)?$/.test(draft.cell.trim())) problems.cell = "Podaj symbol komórki, np. KAD";
  if (!draft.jrwa) problems.jrwa = "Wybierz klasę JRWA";
  if (!/^(19|20|21)\d{2}$/.test(draft.year.trim())) problems.year = "Podaj rok, np. 2026";

  function show(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    setParams({ komorka: draft.cell.trim(), jrwa: draft.jrwa, rok: draft.year.trim() });
  }

  const refused = spis.status === 403 || spis.status === 404 ? spis.status : null;
  const failed = chosen && spis.status !== null && spis.status !== 204 && !refused;
  return (
    <Stack gap="md" className="print-landscape">
      <Title order={2}>Spis spraw</Title>
      <Paper withBorder p="md" className="no-print">
        <form onSubmit={show} noValidate aria-label="Wybór spisu spraw">
          <Group align="flex-start" gap="sm" wrap="wrap">
            <TextInput label="Komórka (symbol)" required w={150} value={draft.cell}
              onChange={(e) => setDraft((d) => ({ ...d, cell: e.currentTarget.value.toUpperCase() }))}
              error={touched && problems.cell} />
            <Select label="Klasa JRWA" required searchable w={420} value={draft.jrwa || null}
              placeholder="wpisz symbol lub hasło" nothingFoundMessage="Brak takiej klasy końcowej"
              data={leaves.map((c) => ({ value: c.symbol, label: `${c.symbol} ${c.heading}` }))}
              onChange={(v) => setDraft((d) => ({ ...d, jrwa: v ?? "" }))} error={touched && problems.jrwa} />
            <TextInput label="Rok" required w={100} inputMode="numeric" value={draft.year}
              onChange={(e) => setDraft((d) => ({ ...d, year: e.currentTarget.value }))} error={touched && problems.year} />
            <Button type="submit" mt={25}>Pokaż spis</Button>
            {chosen && <Button variant="default" mt={25} onClick={() => window.print()}>Drukuj</Button>}
            {chosen && <Button variant="default" mt={25} onClick={csv}>Pobierz CSV (cały spis)</Button>}
          </Group>
        </form>
      </Paper>

      {!chosen && <Text>Wybierz komórkę, klasę JRWA i rok, aby zobaczyć spis spraw.</Text>}
      {refused && <Refusal status={refused} what={refused === 404 ? "Nie ma takiego spisu spraw." : undefined} />}
      {spis.failed && <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>}
      {failure && <Alert color="red" role="alert">{failure}</Alert>}
      {failed && <Alert color="red" role="alert">Nie udało się wczytać spisu spraw: sprawdź komórkę, klasę i rok.</Alert>}
      {chosen && !refused && !failed && (
        <>
          <div>
            <Text fw={700} data-testid="spis-heading">
              {unit} · komórka {cell} · klasa {jrwa}{heading ? ` ${heading}` : ""} · rok {year}
            </Text>
            <Text size="sm" aria-live="polite" data-testid="spis-count">
              {spis.loading && !spis.data ? "Wczytywanie…" : total === 0 ? "Brak spraw w tym spisie."
                : countOf(total, NOUNS.sprawa) + (pages > 1 && lines.length
                  ? ` · strona ${pageNumber} z ${pages}: Lp. ${lines[0].lp}–${lines[lines.length - 1].lp}` : "")}
            </Text>
          </div>
          <Paper withBorder pos="relative">
            <LoadingOverlay visible={spis.loading} zIndex={10} />
            <Table.ScrollContainer minWidth={1000}>
              <Table striped aria-label={`Spis spraw ${cell} ${jrwa} ${year}`} className="print-table">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Lp.</Table.Th>
                    <Table.Th scope="col">Znak sprawy</Table.Th>
                    <Table.Th scope="col">Sprawa (krótka treść)</Table.Th>
                    <Table.Th scope="col">Od kogo wpłynęła</Table.Th>
                    <Table.Th scope="col">Znak pisma</Table.Th>
                    <Table.Th scope="col">Z dnia</Table.Th>
                    <Table.Th scope="col">Data wszczęcia sprawy</Table.Th>
                    <Table.Th scope="col">Data ostatecznego załatwienia</Table.Th>
                    <Table.Th scope="col">Uwagi (sposób załatwienia)</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {lines.map((line) => (
                    <Table.Tr key={line.znak_sprawy}>
                      <Table.Td>{line.lp}</Table.Td>
                      <Table.Td style={{ whiteSpace: "nowrap" }}>
                        <Link to={caseAddress(line.znak_sprawy)}>{line.znak_sprawy}</Link>
                      </Table.Td>
                      <Table.Td>{line.sprawa}</Table.Td>
                      <Table.Td>{line.od_kogo_wplynela}</Table.Td>
                      <Table.Td>{line.znak_pisma || "—"}</Table.Td>
                      <Table.Td style={{ whiteSpace: "nowrap" }}>{line.z_dnia ? partialDay(line.z_dnia) : "—"}</Table.Td>
                      <Table.Td style={{ whiteSpace: "nowrap" }}>{line.data_wszczecia ? day(line.data_wszczecia) : "—"}</Table.Td>
                      <Table.Td style={{ whiteSpace: "nowrap" }}>
                        {line.data_ostatecznego_zalatwienia ? day(line.data_ostatecznego_zalatwienia) : "w toku"}
                      </Table.Td>
                      <Table.Td>{line.uwagi || "—"}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
          {pages > 1 && (
            <Group className="no-print" aria-label="Strony spisu" role="navigation">
              <Button variant="default" disabled={pageNumber <= 1} onClick={() => goTo(pageNumber - 1)}>Poprzednia strona</Button>
              <Text size="sm">Strona {pageNumber} z {pages}</Text>
              <Button variant="default" disabled={!spis.data?.next_after} onClick={() => goTo(pageNumber + 1)}>Następna strona</Button>
            </Group>
          )}
        </>
      )}
    </Stack>
  );
}
