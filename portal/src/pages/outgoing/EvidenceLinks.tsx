// The evidences of an item sent electronically (dowód wysłania, dowód otrzymania, UPP,
// UPD), each a short-lived download link, read when the user asks for them.
import { useState } from "react";
import { Anchor, Button, Stack, Text } from "@mantine/core";
import { api, type Schemas } from "../../api/client";
import { dateTime } from "../../i18n/dates";

export function EvidenceLinks({ unit, item }: { unit: string; item: Schemas["OutgoingItem"] }) {
  const [links, setLinks] = useState<Schemas["EvidenceLink"][] | null>(null);
  const [failed, setFailed] = useState(false);
  if ((item.evidences ?? []).length === 0) return <Text size="sm">—</Text>;

  async function show() {
    const { data } = await api.GET("/units/{unit}/outgoing-register/{year}/{number}",
      { params: { path: { unit, year: String(item.year), number: String(item.number) } } });
    if (data) setLinks(data.evidences);
    else setFailed(true);
  }

  if (links === null) {
    return (
      <Stack gap={2}>
        <Button size="compact-xs" variant="default" onClick={show}
          aria-label={`Pokaż dowody ${item.registry_number}`}>Pokaż dowody ({(item.evidences ?? []).length})</Button>
        {failed && <Text size="xs" c="red.8" role="alert">Nie udało się wczytać dowodów.</Text>}
      </Stack>
    );
  }
  return (
    <Stack gap={2}>
      {links.map((l) => (
        <Anchor key={l.evidence.evidence_id} href={l.url} download={l.evidence.filename} size="sm">
          {l.evidence.name} ({l.evidence.code}), {dateTime(l.evidence.at)}
        </Anchor>
      ))}
    </Stack>
  );
}
