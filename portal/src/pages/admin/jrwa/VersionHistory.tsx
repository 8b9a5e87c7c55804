// The unit's plan history, oldest first: the city version it inherited, then each version
// it published (who, when in Polish time, why); any version can be shown.
import { Badge, Button, Group, Table, Text } from "@mantine/core";
import type { Schemas } from "../../../api/client";
import { dateTime } from "../../../i18n/dates";
import { label } from "../../../i18n/labels";
import { NOUNS, countOf } from "../../../i18n/plural";
import { SOURCES, ownerName } from "./labels";

type Version = Schemas["JrwaVersionInfo"];
export type VersionRef = { owner: string; version: number };

export function VersionHistory({ items, shown, onShow }: {
  items: Version[]; shown: VersionRef | null; onShow: (ref: VersionRef) => void;
}) {
  return (
    <Table aria-label="Historia wersji wykazu">
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Wersja</Table.Th>
          <Table.Th scope="col">Wykaz</Table.Th>
          <Table.Th scope="col">Skąd</Table.Th>
          <Table.Th scope="col">Opublikował</Table.Th>
          <Table.Th scope="col">Kiedy</Table.Th>
          <Table.Th scope="col">Opis</Table.Th>
          <Table.Th scope="col">Klasy</Table.Th>
          <Table.Th scope="col">Stan</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {[...items].reverse().map((v) => {
          const here = shown ? shown.owner === v.owner && shown.version === v.version : !!v.current;
          return (
            <Table.Tr key={`${v.owner}-${v.version}`} data-testid={`jrwa-version-${v.owner}-${v.version}`}>
              <Table.Td>{v.version}</Table.Td>
              <Table.Td>{ownerName(v.owner)}</Table.Td>
              <Table.Td>{label(SOURCES, v.source)}</Table.Td>
              <Table.Td>{v.published_by ?? "—"}</Table.Td>
              <Table.Td>{v.published_at ? dateTime(v.published_at) : "—"}</Table.Td>
              <Table.Td>{v.note ?? "—"}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{v.class_count != null ? countOf(v.class_count, NOUNS.klasa) : "—"}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                <Group gap="xs" wrap="nowrap">
                  {v.current && <Badge size="sm" color="teal.9" style={{ flexShrink: 0, overflow: "visible" }}>obowiązuje</Badge>}
                  {here ? (!v.current && <Text size="sm">pokazana</Text>) : (
                    <Button size="xs" variant="default" onClick={() => onShow({ owner: v.owner, version: v.version })}
                      aria-label={`Pokaż wersję ${v.version} (${ownerName(v.owner)})`}>Pokaż</Button>)}
                </Group>
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
