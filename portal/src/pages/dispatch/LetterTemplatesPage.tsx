// Szablony pism: the unit's letter templates — the city's starters and its own. The unit
// administrator adds, changes, archives and restores them and sets the letterhead; case
// officers and managers see the active ones and preview a letter made from any of them.
import { useState } from "react";
import { Alert, Badge, Button, Group, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { api } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { Refusal } from "../../components/NoAccess";
import { errorMessage } from "../../i18n/labels";
import { NOUNS, countOf } from "../../i18n/plural";
import { hasRole, useUser } from "../../nav/user";
import { LetterheadModal, PreviewModal, VersionsModal } from "./TemplateDialogs";
import { TemplateModal } from "./TemplateModal";
import type { LetterTemplate } from "./letterTemplates";

type Open = { kind: "edit" | "versions" | "preview"; template: LetterTemplate } | { kind: "add" | "letterhead" } | null;

export function LetterTemplatesPage() {
  const user = useUser();
  const { unit } = user;
  const book = useLoad(() => api.GET("/units/{unit}/letter-templates", { params: { path: { unit } } }), [unit]);
  const vocabulary = useLoad(() => api.GET("/letter-templates/placeholders"), []);
  const [open, setOpen] = useState<Open>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (book.status) return <Refusal status={book.status} />;
  const keeps = hasRole(user, ["unit_admin"]);
  const items = book.data?.items ?? [];

  async function toggle(t: LetterTemplate) {
    setError(null);
    setNotice(null);
    const path = { params: { path: { unit, template_id: t.template_id } }, body: { expected_version: t.version ?? 1 } };
    const answer = t.status === "active"
      ? await api.POST("/units/{unit}/letter-templates/{template_id}/archive", path)
      : await api.POST("/units/{unit}/letter-templates/{template_id}/restore", path);
    if (answer.data) setNotice(t.status === "active" ? `Zarchiwizowano szablon: ${t.name}.` : `Przywrócono szablon: ${t.name}.`);
    else {
      const failure = answer.error as { error_code?: string } | undefined;
      setError(failure?.error_code === "LETTER_TEMPLATE_NAME_TAKEN"
        ? "Nie można przywrócić: jednostka ma już aktywny szablon o tej nazwie."
        : errorMessage(failure, "Nie udało się zmienić stanu szablonu."));
    }
    book.reload();
  }

  function saved(t: LetterTemplate) {
    setNotice(`Zapisano szablon: ${t.name} (wersja ${t.version}).`);
    setOpen(null);
    book.reload();
  }

  return (
    <Stack gap="md">
      <Title order={2}>Szablony pism</Title>
      {keeps && (
        <Group>
          <Button onClick={() => { setNotice(null); setOpen({ kind: "add" }); }} disabled={!vocabulary.data}>
            Dodaj szablon
          </Button>
          <Button variant="default" onClick={() => setOpen({ kind: "letterhead" })}>Papier firmowy</Button>
        </Group>
      )}
      {notice && <Alert color="green" role="status">{notice}</Alert>}
      {error && <Alert color="red" role="alert">{error}</Alert>}
      <Text size="sm" aria-live="polite" data-testid="templates-count">
        {book.loading && !book.data ? "Wczytywanie…" : countOf(items.length, NOUNS.szablon)}
      </Text>
      <Paper withBorder>
        <Table striped aria-label="Szablony pism" data-testid="templates-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Nazwa</Table.Th>
              <Table.Th scope="col">Opis</Table.Th>
              <Table.Th scope="col">Wersja</Table.Th>
              <Table.Th scope="col">Stan</Table.Th>
              <Table.Th scope="col">Skąd</Table.Th>
              <Table.Th scope="col">Działania</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((t) => (
              <Table.Tr key={t.template_id}>
                <Table.Td>{t.name}</Table.Td>
                <Table.Td>{t.description || "—"}</Table.Td>
                <Table.Td>{t.version}</Table.Td>
                <Table.Td>
                  {t.status === "active"
                    ? <Badge size="sm" color="teal.9">aktywny</Badge>
                    : <Badge size="sm" color="gray.8">zarchiwizowany</Badge>}
                </Table.Td>
                <Table.Td>{t.standard ? "szablon miasta" : "szablon jednostki"}</Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    {t.status === "active" && (
                      <Button size="compact-xs" variant="default" aria-label={`Podgląd: ${t.name}`}
                        onClick={() => setOpen({ kind: "preview", template: t })}>Podgląd</Button>
                    )}
                    <Button size="compact-xs" variant="default" aria-label={`Wersje: ${t.name}`}
                      onClick={() => setOpen({ kind: "versions", template: t })}>Wersje</Button>
                    {keeps && (
                      <>
                        <Button size="compact-xs" variant="default" aria-label={`Zmień: ${t.name}`}
                          disabled={!vocabulary.data} onClick={() => { setNotice(null); setOpen({ kind: "edit", template: t }); }}>
                          Zmień
                        </Button>
                        <Button size="compact-xs" variant="default"
                          aria-label={`${t.status === "active" ? "Archiwizuj" : "Przywróć"}: ${t.name}`}
                          onClick={() => toggle(t)}>{t.status === "active" ? "Archiwizuj" : "Przywróć"}</Button>
                      </>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      {(open?.kind === "add" || open?.kind === "edit") && vocabulary.data && (
        <TemplateModal key={open.kind === "edit" ? open.template.template_id : "new"} unit={unit}
          editing={open.kind === "edit" ? open.template : null} vocabulary={vocabulary.data.placeholders}
          onClose={() => setOpen(null)} onSaved={saved} />
      )}
      {open?.kind === "versions" && <VersionsModal unit={unit} template={open.template} onClose={() => setOpen(null)} />}
      {open?.kind === "preview" && <PreviewModal unit={unit} template={open.template} onClose={() => setOpen(null)} />}
      {open?.kind === "letterhead" && (
        <LetterheadModal unit={unit} onClose={() => setOpen(null)}
          onSaved={() => { setOpen(null); setNotice("Zapisano papier firmowy jednostki."); }} />
      )}
    </Stack>
  );
}
