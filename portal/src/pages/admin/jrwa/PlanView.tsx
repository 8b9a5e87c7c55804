// One version of the plan: whose it is (the city's inherited plan or the unit's own) and
// which, its export as CSV, and its classes. An older version is read here by itself.
import { useState } from "react";
import { Alert, Button, Group, Loader, Text } from "@mantine/core";
import { api, type Schemas } from "../../../api/client";
import { downloadFromApi } from "../../../api/download";
import { useLoad } from "../../../api/useLoad";
import { Refusal } from "../../../components/NoAccess";
import { dateTime } from "../../../i18n/dates";
import { CITY, ownerName } from "./labels";
import { PlanTable } from "./PlanTable";
import type { VersionRef } from "./VersionHistory";

type Plan = Schemas["UnitPlan"];

function whose(plan: Plan): string {
  if (plan.owner === CITY) return `Obowiązuje wykaz miasta w wersji ${plan.version} (odziedziczony — jednostka nie ma własnego).`;
  const who = plan.published_by && plan.published_at
    ? ` — opublikował ${plan.published_by} ${dateTime(plan.published_at)}` : "";
  return `Obowiązuje własny wykaz jednostki ${plan.owner} w wersji ${plan.version}${who}${plan.note ? ` („${plan.note}”)` : ""}.`;
}

function ExportButton({ plan, older }: { plan: Plan; older: boolean }) {
  const [failed, setFailed] = useState(false);
  const query = older ? `&version=${plan.version}&owner=${encodeURIComponent(plan.owner)}` : "";
  async function run() {
    setFailed(false);
    try {
      await downloadFromApi(`/units/${encodeURIComponent(plan.unit)}/jrwa?format=csv${query}`,
        `jrwa-${plan.unit}-${plan.owner}-v${plan.version}.csv`);
    } catch {
      setFailed(true);
    }
  }
  return (
    <Group gap="xs">
      <Button variant="default" onClick={run}>Eksportuj CSV (wersja {plan.version})</Button>
      {failed && <Text c="red.9" size="sm" role="alert">Nie udało się pobrać pliku.</Text>}
    </Group>
  );
}

export function PlanView({ plan, older, onBack }: { plan: Plan; older: boolean; onBack?: () => void }) {
  return (
    <>
      {older ? (
        <Alert color="yellow" title={`Starsza wersja ${plan.version} (${ownerName(plan.owner)}) — nie obowiązuje`} mb="sm">
          <Button size="xs" variant="default" onClick={onBack}>Wróć do obowiązującej wersji</Button>
        </Alert>
      ) : <Text size="sm" mb="sm" data-testid="jrwa-whose">{whose(plan)}</Text>}
      <Group justify="flex-end" mb="xs"><ExportButton plan={plan} older={older} /></Group>
      <PlanTable classes={plan.classes} />
    </>
  );
}

export function OlderPlanView({ unit, shown, onBack }: { unit: string; shown: VersionRef; onBack: () => void }) {
  const plan = useLoad(() => api.GET("/units/{unit}/jrwa", { params: {
    path: { unit }, query: { version: String(shown.version), owner: shown.owner } } }), [unit, shown.owner, shown.version]);
  if (plan.status) return <Refusal status={plan.status} />;
  if (!plan.data) return <Loader size="sm" aria-label="Wczytywanie wersji wykazu" />;
  return <PlanView plan={plan.data} older onBack={onBack} />;
}
