// Do akceptacji: the drafts whose current approval step waits for the caller (addressed
// to them, or to the unit's head when they are a manager), oldest first.
import { Alert, Loader, Stack, Table, Text, Title } from "@mantine/core";
import { Link } from "react-router";
import { api } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { dateTime } from "../../i18n/dates";
import { NOUNS, countOf } from "../../i18n/plural";
import { useUser } from "../../nav/user";
import { caseAddress } from "../cases/addresses";
import { outgoingAddress } from "./OutgoingSection";

export function ApprovalsPage() {
  const { unit } = useUser();
  const list = useLoad(() => api.GET("/units/{unit}/approvals", { params: { path: { unit } } }), [unit]);
  const items = list.data?.items ?? [];
  return (
    <Stack gap="md">
      <Title order={2}>Do akceptacji</Title>
      {list.failed && <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>}
      {list.loading && !list.data ? <Loader aria-label="Wczytywanie" /> : (
        <>
          <Text data-testid="approvals-count">
            {items.length === 0 ? "Nic nie czeka na Twoją akceptację." : countOf(items.length, NOUNS.pismo)}
          </Text>
          {items.length > 0 && (
            <Table aria-label="Pisma czekające na akceptację" highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">Dotyczy</Table.Th>
                  <Table.Th scope="col">Sprawa</Table.Th>
                  <Table.Th scope="col">Odpowiada</Table.Th>
                  <Table.Th scope="col">Wersja</Table.Th>
                  <Table.Th scope="col">Przekazano</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map(({ document: d }) => {
                  const round = (d.rounds ?? [])[(d.rounds ?? []).length - 1];
                  return (
                    <Table.Tr key={d.outgoing_id}>
                      <Table.Td><Link to={outgoingAddress(d.outgoing_id)}>{d.title}</Link></Table.Td>
                      <Table.Td><Link to={caseAddress(d.case_ref)}>{d.case_ref}</Link></Table.Td>
                      <Table.Td>{d.responsible_name}</Table.Td>
                      <Table.Td>{round?.version ?? "—"}</Table.Td>
                      <Table.Td style={{ whiteSpace: "nowrap" }}>{round ? dateTime(round.submitted_at) : "—"}</Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )}
        </>
      )}
    </Stack>
  );
}
