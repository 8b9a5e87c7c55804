// Dodaj użytkownika: the unit administrator's form; errors under the fields they concern.
import { useState, type FormEvent } from "react";
import { Alert, Button, Checkbox, Group, Paper, Select, SimpleGrid, Stack, TextInput, Title } from "@mantine/core";
import { api, type Schemas } from "../../api/client";
import { ROLES, errorMessage } from "../../i18n/labels";
import { EMPTY_DRAFT, draftProblems, refusalProblems, type Problems, type Role, type UserDraft } from "./userForm";

interface Props {
  unit: string;
  cells: Schemas["CellOption"][];
  onAdded: (added: Schemas["UserWithPassword"]) => void;
}

export function AddUserForm({ unit, cells, onAdded }: Props) {
  const [draft, setDraft] = useState<UserDraft>(EMPTY_DRAFT);
  const [problems, setProblems] = useState<Problems>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (name: keyof UserDraft) => (value: string) => setDraft((d) => ({ ...d, [name]: value }));

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = draftProblems(unit, draft);
    setProblems(found);
    setError(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const body = { ...draft, login: draft.login.trim().toLowerCase(), email: draft.email.trim() };
      const { data, error: failure } = await api.POST("/units/{unit}/users", { params: { path: { unit } }, body });
      if (data) {
        setDraft(EMPTY_DRAFT);
        onAdded(data);
      } else {
        const fields = refusalProblems(failure);
        if (fields) setProblems(fields);
        else setError(errorMessage(failure, "Nie udało się dodać użytkownika."));
      }
    } catch {
      setError("Brak połączenia z serwerem. Spróbuj ponownie.");
    } finally {
      setBusy(false);
    }
  }

  const prefix = `${unit.toLowerCase()}.`;
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit} noValidate aria-label="Dodaj użytkownika">
        <Stack gap="sm">
          <Title order={3}>Dodaj użytkownika</Title>
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }}>
            <TextInput label="Login" description={`np. ${prefix}nowak`} placeholder={prefix} value={draft.login}
              onChange={(e) => set("login")(e.currentTarget.value)} error={problems.login} aria-required="true" />
            <TextInput label="Imię i nazwisko" value={draft.full_name}
              onChange={(e) => set("full_name")(e.currentTarget.value)} error={problems.full_name} aria-required="true" />
            <TextInput label="Stanowisko" value={draft.position}
              onChange={(e) => set("position")(e.currentTarget.value)} error={problems.position} aria-required="true" />
            <Select label="Komórka" placeholder="wybierz" value={draft.cell || null} error={problems.cell}
              data={cells.map((c) => ({ value: c.symbol, label: `${c.symbol} — ${c.name}` }))}
              onChange={(value) => set("cell")(value ?? "")} aria-required="true" />
            <TextInput label="E-mail" type="email" value={draft.email}
              onChange={(e) => set("email")(e.currentTarget.value)} error={problems.email} aria-required="true" />
          </SimpleGrid>
          <Checkbox.Group label="Role" value={draft.roles} error={problems.roles}
            onChange={(roles) => setDraft((d) => ({ ...d, roles: roles as Role[] }))}>
            <Group mt="xs">
              {(Object.keys(ROLES) as Role[]).map((role) => <Checkbox key={role} value={role} label={ROLES[role]} />)}
            </Group>
          </Checkbox.Group>
          <Group>
            <Button type="submit" loading={busy}>Dodaj użytkownika</Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
