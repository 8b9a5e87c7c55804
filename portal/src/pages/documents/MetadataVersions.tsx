// The versions of a document's metadata: nothing is overwritten — each correction keeps
// the values it replaced, who made it, when and why (the brief's rule for the register).
import { Table, Text } from "@mantine/core";
import type { Schemas } from "../../api/client";
import { dateTime } from "../../i18n/dates";
import { FIELD_NAMES, shownValue } from "./metadataFields";

type Correction = Schemas["MetadataCorrection"];

export function MetadataVersions({ version, corrections }: { version: number; corrections: Correction[] }) {
  if (corrections.length === 0) {
    return <Text size="sm" data-testid="metadata-version">Wersja 1 (pierwotna, z rejestracji) — bez korekt.</Text>;
  }
  return (
    <>
      <Text size="sm" mb="xs" data-testid="metadata-version">Obowiązuje wersja {version}; wcześniejsze wartości poniżej.</Text>
      <Table aria-label="Wersje metadanych" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Wersja</Table.Th>
            <Table.Th scope="col">Kiedy</Table.Th>
            <Table.Th scope="col">Kto</Table.Th>
            <Table.Th scope="col">Powód</Table.Th>
            <Table.Th scope="col">Zmiany (było → jest)</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {[...corrections].reverse().map((c) => (
            <Table.Tr key={c.version}>
              <Table.Td>{c.version}</Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{dateTime(c.at)}</Table.Td>
              <Table.Td>{c.by}</Table.Td>
              <Table.Td>{c.reason}</Table.Td>
              <Table.Td>
                {Object.entries(c.changes).map(([field, change]) => (
                  <Text size="sm" key={field}>
                    <strong>{FIELD_NAMES[field] ?? field}</strong>: {shownValue(change.old)} → {shownValue(change.new)}
                  </Text>
                ))}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </>
  );
}
