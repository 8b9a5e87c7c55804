// Wykaz akt (JRWA) of the unit, for its administrator: the plan in use and its history,
// any version shown and exported as CSV; a change made on the screen or a CSV import is
// always previewed first (what the API would publish, or why it would not), and published
// from the preview against the version it was made from.
import { useState } from "react";
import { Alert, Loader, Paper, Stack, Tabs, Text, Title } from "@mantine/core";
import { notifications } from "@mantine/notifications";
import { api } from "../../../api/client";
import { useLoad } from "../../../api/useLoad";
import { Refusal } from "../../../components/NoAccess";
import { errorMessage } from "../../../i18n/labels";
import { useUser } from "../../../nav/user";
import { ChangeForm } from "./ChangeForm";
import { ImportForm } from "./ImportForm";
import { type Change, type Preview, type Proposal, preview as askPreview, publish } from "./jrwaApi";
import { OlderPlanView, PlanView } from "./PlanView";
import { PreviewPanel } from "./PreviewPanel";
import { VersionHistory, type VersionRef } from "./VersionHistory";

const CONFLICT = (version: number) => `Inny administrator opublikował w międzyczasie nową wersję wykazu. Podgląd `
  + `odświeżono wobec obowiązującej teraz wersji ${version} — sprawdź go i opublikuj ponownie.`;

export function JrwaPage() {
  const { unit } = useUser();
  const current = useLoad(() => api.GET("/units/{unit}/jrwa", { params: { path: { unit } } }), [unit]);
  const versions = useLoad(() => api.GET("/units/{unit}/jrwa/versions", { params: { path: { unit } } }), [unit]);
  const [tab, setTab] = useState<string | null>("klasy");
  const [shown, setShown] = useState<VersionRef | null>(null);
  const [changes, setChanges] = useState<Change[]>([]);
  const [proposal, setProposal] = useState<Proposal | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  if (current.status) return <Refusal status={current.status} />;
  if (!current.data) return <Loader size="sm" aria-label="Wczytywanie wykazu akt" />;
  const plan = current.data;

  async function runPreview(next: Proposal): Promise<Preview | null> {
    setBusy(true);
    setError(null);
    setConflict(null);
    const { data, error: failure } = await askPreview(unit, next);
    setBusy(false);
    if (!data) {
      setPreview(null);
      setError(errorMessage(failure, "Nie udało się przygotować podglądu."));
      return null;
    }
    setProposal(next);
    setPreview(data);
    return data;
  }

  function close() {
    setPreview(null);
    setProposal(null);
    setConflict(null);
  }

  // A preview of other changes than those listed now would mislead: it goes.
  function editChanges(next: Change[]) {
    setChanges(next);
    if (proposal?.kind === "changes") close();
  }

  async function runPublish() {
    if (!proposal || !preview) return;
    setBusy(true);
    setError(null);
    const { data, error: failure, response } = await publish(unit, proposal, note, preview.base.version);
    setBusy(false);
    if (response.status === 409 && failure?.error_code === "JRWA_VERSION_CONFLICT") {
      current.reload();
      versions.reload();
      const fresh = await runPreview(proposal);
      if (fresh) setConflict(CONFLICT(fresh.base.version));
      return;
    }
    if (!data) {
      setError(errorMessage(failure, "Nie udało się opublikować wykazu."));
      return;
    }
    notifications.show({ message: `Opublikowano wersję ${data.version} wykazu akt.` });
    if (proposal.kind === "changes") setChanges([]);
    close();
    setNote("");
    setShown(null);
    current.reload();
    versions.reload();
  }

  return (
    <Stack gap="md">
      <Title order={2}>Wykaz akt (JRWA)</Title>
      <Text size="sm">Jednolity rzeczowy wykaz akt jednostki. Zmiana lub import tworzy nową wersję; starsze wersje zostają
        bez zmian, a dokumenty i sprawy zachowują swoją klasyfikację.</Text>
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List aria-label="Części wykazu akt">
          <Tabs.Tab value="klasy">Klasy wykazu</Tabs.Tab>
          <Tabs.Tab value="zmiana">Zmień wykaz</Tabs.Tab>
          <Tabs.Tab value="import">Import CSV</Tabs.Tab>
          <Tabs.Tab value="historia">Historia wersji</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="klasy" pt="md">
          {shown ? <OlderPlanView unit={unit} shown={shown} onBack={() => setShown(null)} />
            : <PlanView plan={plan} older={false} />}
        </Tabs.Panel>
        <Tabs.Panel value="zmiana" pt="md">
          <ChangeForm classes={plan.classes} changes={changes} onChanges={editChanges} busy={busy}
            onPreview={() => runPreview({ kind: "changes", changes })} />
        </Tabs.Panel>
        <Tabs.Panel value="import" pt="md">
          <ImportForm busy={busy} onPreview={(file) => runPreview({ kind: "csv", file })}
            onFile={() => proposal?.kind === "csv" && close()} />
        </Tabs.Panel>
        <Tabs.Panel value="historia" pt="md">
          {versions.data ? (
            <VersionHistory items={versions.data.items} shown={shown}
              onShow={(ref) => { setShown(ref); setTab("klasy"); }} />
          ) : <Loader size="sm" aria-label="Wczytywanie historii wersji" />}
        </Tabs.Panel>
      </Tabs>
      {error && <Alert color="red" role="alert">{error}</Alert>}
      {preview && (tab === "zmiana" || tab === "import") && (
        <Paper withBorder p="md" component="section" aria-label="Podgląd zmian">
          <Title order={3} size="h4" mb="xs">Podgląd przed publikacją</Title>
          <PreviewPanel preview={preview} note={note} onNote={setNote} onPublish={runPublish} onCancel={close}
            busy={busy} conflict={conflict} />
        </Paper>
      )}
    </Stack>
  );
}
