// Nowa sprawa: a case opened in a leaf class of the unit's JRWA — from a letter decreed to
// the officer (?dokument=ID: its title and class are proposed, and the KPA term runs from
// its date of receipt), or of the authority's own initiative. The art. 35 KPA terms are
// explained where they are chosen.
import { useEffect, useState, type FormEvent } from "react";
import { Alert, Button, Group, Loader, Paper, Radio, Stack, Text, TextInput, Title } from "@mantine/core";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, type Schemas } from "../../api/client";
import { useLoad } from "../../api/useLoad";
import { NoAccess } from "../../components/NoAccess";
import { dateTime } from "../../i18n/dates";
import { DEADLINE_PRESETS, errorMessage } from "../../i18n/labels";
import { useUser } from "../../nav/user";
import { todayInPoland } from "./deadline";
import { caseAddress } from "./addresses";
import { JrwaPicker } from "./JrwaPicker";

type Preset = Schemas["OpenCaseBody"]["deadline_preset"];

interface Problems {
  title?: string;
  jrwa?: string;
  cell?: string;
}

export function OpenCasePage() {
  const user = useUser();
  const { unit } = user;
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const documentId = params.get("dokument") ?? "";
  const isManager = user.roles.includes("manager");

  const plan = useLoad(() => api.GET("/units/{unit}/jrwa", { params: { path: { unit } } }), [unit]);
  const document = useLoad(() => documentId
    ? api.GET("/units/{unit}/documents/{document_id}", { params: { path: { unit, document_id: documentId } } })
    : Promise.resolve({ data: undefined, response: new Response(null, { status: 204 }) }), [unit, documentId]);
  const routing = useLoad(() => documentId
    ? api.GET("/units/{unit}/documents/{document_id}/routing", { params: { path: { unit, document_id: documentId } } })
    : Promise.resolve({ data: undefined, response: new Response(null, { status: 204 }) }), [unit, documentId]);

  const [title, setTitle] = useState("");
  const [jrwa, setJrwa] = useState<string | null>(null);
  const [preset, setPreset] = useState<Preset>("one_month");
  const [cell, setCell] = useState(user.cell ?? "");
  const [touched, setTouched] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  // The letter's title and its class (when it is a leaf of the plan) are the proposal.
  const letter = document.data?.entry;
  const proposed = routing.data?.routing.classification?.jrwa_symbol;
  const classes = plan.data?.classes ?? [];
  useEffect(() => {
    if (letter) setTitle((t) => t || letter.title);
  }, [letter]);
  useEffect(() => {
    if (proposed && classes.some((c) => c.symbol === proposed && c.is_leaf)) setJrwa((j) => j ?? proposed);
  }, [proposed, classes]);

  const problems: Problems = {};
  if (!title.trim()) problems.title = "Podaj tytuł sprawy";
  else if (title.length > 500) problems.title = "Tytuł może mieć najwyżej 500 znaków";
  if (!jrwa) problems.jrwa = "Wybierz klasę JRWA (klasę końcową wykazu akt)";
  if (isManager && !/^[A-Z0-9]+(-[A-Z0-9]+)?$/.test(cell.trim())) problems.cell = "Podaj symbol komórki, np. KAD";

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0 || !jrwa) return;
    setSending(true);
    setError(null);
    try {
      const { data, error: failure } = await api.POST("/units/{unit}/cases", {
        params: { path: { unit } },
        body: {
          jrwa_symbol: jrwa, title: title.trim(), deadline_preset: preset,
          cell: isManager ? cell.trim() : null, officer: null, document_id: documentId || null,
        },
      });
      if (data) navigate(caseAddress(data.ref));
      else setError(errorMessage(failure, "Nie udało się założyć sprawy."));
    } catch {
      setError("Brak połączenia z serwerem.");
    } finally {
      setSending(false);
    }
  }

  if (plan.loading && !plan.data) return <Loader aria-label="Wczytywanie wykazu akt" />;
  if (documentId && document.status) {
    return <NoAccess what="Dokument nie istnieje albo nie masz do niego dostępu." />;
  }
  if (routing.data?.routing.case_ref) {
    return (
      <Alert color="blue" role="status" title="Dokument jest już w sprawie">
        Ten dokument należy do sprawy{" "}
        <Link to={caseAddress(routing.data.routing.case_ref)}>{routing.data.routing.case_ref}</Link>.
      </Alert>
    );
  }
  const year = todayInPoland().slice(0, 4);
  const chosenCell = (isManager ? cell.trim() : user.cell) || "KOMÓRKA";

  return (
    <Stack gap="md" maw={900}>
      <Title order={2}>Nowa sprawa</Title>
      {letter ? (
        <Paper withBorder p="sm" component="section" aria-label="Pismo wszczynające">
          <Text size="sm">Sprawa z pisma{" "}
            <Link to={`/dokumenty/${documentId}`}>{letter.registry_number}</Link>: „{letter.title}”</Text>
          <Text size="xs" c="dimmed">Nadawca: {letter.sender.name} · wpłynęło {dateTime(letter.received_at)} —
            terminy KPA biegną od dnia wpływu pisma.</Text>
        </Paper>
      ) : (
        <Text size="sm" c="dimmed">Sprawa z inicjatywy własnej (bez pisma wszczynającego). Aby założyć sprawę
          z pisma, przyjmij je w „Moje zadania”.</Text>
      )}
      <form onSubmit={submit} noValidate aria-label="Założenie sprawy">
        <Stack gap="md">
          <TextInput label="Tytuł sprawy" required value={title} onChange={(e) => setTitle(e.currentTarget.value)}
            error={touched && problems.title} maxLength={500} />
          {isManager ? (
            <TextInput label="Komórka organizacyjna (symbol)" required w={260} value={cell}
              onChange={(e) => setCell(e.currentTarget.value.toUpperCase())} error={touched && problems.cell}
              description="Sprawa trafi do spisu spraw tej komórki." />
          ) : (
            <Text size="sm">Komórka organizacyjna: <strong>{user.cell}</strong> (sprawa trafi do jej spisu spraw)</Text>
          )}
          <Paper withBorder p="sm">
            {plan.data ? <JrwaPicker classes={classes} value={jrwa} onChange={setJrwa} error={touched && problems.jrwa} />
              : <Alert color="red" role="alert">Nie udało się wczytać wykazu akt jednostki.</Alert>}
          </Paper>
          <Radio.Group label="Termin załatwienia (art. 35 KPA)" required value={preset}
            onChange={(v) => setPreset(v as Preset)}
            description="Sprawy załatwia się bez zbędnej zwłoki (art. 35 § 1 KPA); termin wskazuje ostatni dzień. Do terminu nie wlicza się okresów zawieszenia i opóźnień z winy strony (art. 35 § 5)">
            <Stack gap="xs" mt="xs">
              {DEADLINE_PRESETS.map((p) => (
                <Radio key={p.value} value={p.value} label={p.label} description={p.explanation} />
              ))}
            </Stack>
          </Radio.Group>
          <Text size="sm">Znak sprawy nada system według spisu spraw:{" "}
            <strong>{chosenCell}.{jrwa ?? "JRWA"}.<em>kolejny numer</em>.{year}</strong></Text>
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <Group>
            <Button type="submit" loading={sending}>Załóż sprawę</Button>
            <Button variant="default" component={Link} to="/zadania">Anuluj</Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
