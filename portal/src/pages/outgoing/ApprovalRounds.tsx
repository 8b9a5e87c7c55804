// The approval of a draft, round by round: the version submitted, each step's approver,
// decision, remark and time; the step now waiting is marked.
import { Table, Text } from "@mantine/core";
import type { Schemas } from "../../api/client";
import { dateTime } from "../../i18n/dates";

type Round = Schemas["ApprovalRound"];

const DECISIONS: Record<string, string> = { approved: "zaakceptował(a)", returned: "zwrócił(a) do poprawy" };

function who(target: Schemas["ApproverTarget"]): string {
  return target.login ?? (target.role === "manager" ? "kierownik jednostki" : "—");
}

export function ApprovalRounds({ rounds }: { rounds: Round[] }) {
  if (rounds.length === 0) return <Text size="sm">Projekt nie był jeszcze przekazany do akceptacji.</Text>;
  return (
    <Table aria-label="Przebieg akceptacji">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Runda</Table.Th>
          <Table.Th scope="col">Wersja</Table.Th>
          <Table.Th scope="col">Krok</Table.Th>
          <Table.Th scope="col">Akceptujący</Table.Th>
          <Table.Th scope="col">Decyzja</Table.Th>
          <Table.Th scope="col">Uwagi</Table.Th>
          <Table.Th scope="col">Kiedy</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rounds.flatMap((r) => r.steps.map((s) => (
          <Table.Tr key={`${r.round}-${s.step}`}>
            <Table.Td>{r.round}</Table.Td>
            <Table.Td>{r.version}</Table.Td>
            <Table.Td>{s.step}</Table.Td>
            <Table.Td>{s.decided_by_name ?? who(s.target)}</Table.Td>
            <Table.Td>{s.decision ? DECISIONS[s.decision] : "czeka"}</Table.Td>
            <Table.Td>{s.remark ?? "—"}</Table.Td>
            <Table.Td style={{ whiteSpace: "nowrap" }}>{s.decided_at ? dateTime(s.decided_at) : "—"}</Table.Td>
          </Table.Tr>
        )))}
      </Table.Tbody>
    </Table>
  );
}
