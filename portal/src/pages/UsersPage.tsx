// Użytkownicy jednostki: the unit administrator's users and roles — the directory's list
// (never password data), adding a user, changing roles, deactivating, resetting a password.
import { useState } from "react";
import { Alert, Button, Code, Group, LoadingOverlay, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { api, type Schemas } from "../api/client";
import { useLoad } from "../api/useLoad";
import { Refusal } from "../components/NoAccess";
import { errorMessage, roleNames } from "../i18n/labels";
import { NOUNS, countOf } from "../i18n/plural";
import { useUser } from "../nav/user";
import { AddUserForm } from "./users/AddUserForm";
import { EditUserModal } from "./users/EditUserModal";

type User = Schemas["UserView"];

interface Shown {
  login: string;
  password: string;
  why: string;
}

export function UsersPage() {
  const me = useUser();
  const unit = me.unit;
  const list = useLoad(() => api.GET("/units/{unit}/users", { params: { path: { unit } } }), [unit]);
  const [editing, setEditing] = useState<User | null>(null);
  const [shown, setShown] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  if (list.status) return <Refusal status={list.status} />;
  const users = list.data?.users ?? [];
  const cells = list.data?.cells ?? [];
  const active = users.filter((u) => u.active).length;

  async function act(user: User, action: "deactivate" | "reactivate" | "password-reset") {
    setBusy(`${user.login}:${action}`);
    setError(null);
    setNotice(null);
    setShown(null);
    const params = { params: { path: { unit, login: user.login } } };
    try {
      if (action === "password-reset") {
        const { data, error: failure } = await api.POST("/units/{unit}/users/{login}/password-reset", { ...params, body: { temporary_password: null } });
        if (data) setShown({ login: user.login, password: data.temporary_password, why: "Hasło zresetowane" });
        else setError(errorMessage(failure, "Nie udało się zresetować hasła."));
      } else {
        const path = action === "deactivate" ? "/units/{unit}/users/{login}/deactivate" : "/units/{unit}/users/{login}/reactivate";
        const { data, error: failure } = await api.POST(path, params);
        if (data) setNotice(`${user.login}: ${data.active ? "konto aktywne" : "konto dezaktywowane"}.`);
        else setError(errorMessage(failure, "Nie udało się zmienić stanu konta."));
      }
      list.reload();
    } catch {
      setError("Brak połączenia z serwerem. Spróbuj ponownie.");
    } finally {
      setBusy(null);
    }
  }

  return (
    <Stack gap="md">
      <Title order={2}>Użytkownicy jednostki</Title>
      {error && <Alert color="red" role="alert">{error}</Alert>}
      {notice && <Alert color="green" role="status">{notice}</Alert>}
      {shown && (
        <Alert color="blue" title={`${shown.why}: ${shown.login}`} role="status" data-testid="temporary-password-notice">
          Hasło tymczasowe: <Code data-testid="temporary-password">{shown.password}</Code>. Przekaż je użytkownikowi —
          zobaczysz je tylko teraz; przy pierwszym logowaniu ustawi własne hasło.
        </Alert>
      )}

      <AddUserForm unit={unit} cells={cells} onAdded={(added) => {
        setError(null);
        setNotice(null);
        setShown({ login: added.user.login, password: added.temporary_password, why: "Dodano użytkownika" });
        list.reload();
      }} />

      <Text aria-live="polite" data-testid="users-count">
        {list.loading && !list.data ? "Wczytywanie…" : users.length === 0 ? "Brak użytkowników."
          : `${countOf(users.length, NOUNS.uzytkownik)}, w tym aktywnych: ${active}`}
      </Text>
      {list.failed && <Alert color="red" role="alert">Brak połączenia z serwerem.</Alert>}

      <Paper withBorder pos="relative">
        <LoadingOverlay visible={list.loading} zIndex={10} />
        <Table.ScrollContainer minWidth={900}>
          <Table striped highlightOnHover aria-label={`Użytkownicy jednostki ${unit}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Login</Table.Th>
                <Table.Th scope="col">Imię i nazwisko</Table.Th>
                <Table.Th scope="col">Stanowisko</Table.Th>
                <Table.Th scope="col">Komórka</Table.Th>
                <Table.Th scope="col">Role</Table.Th>
                <Table.Th scope="col">Stan</Table.Th>
                <Table.Th scope="col">Działania</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {users.map((user) => (
                <Table.Tr key={user.login} data-login={user.login}>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>{user.login}</Table.Td>
                  <Table.Td>{user.full_name}</Table.Td>
                  <Table.Td>{user.position}</Table.Td>
                  <Table.Td>{user.cell ?? "—"}</Table.Td>
                  <Table.Td>{roleNames(user.roles)}</Table.Td>
                  <Table.Td style={{ whiteSpace: "nowrap" }}>
                    <Text size="sm" fw={user.active ? 600 : 400} fs={user.active ? undefined : "italic"}>
                      {user.active ? "aktywny" : "nieaktywny"}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      <Button size="xs" variant="default" onClick={() => setEditing(user)}
                        aria-label={`Zmień role: ${user.login}`}>Zmień role</Button>
                      {user.active ? (
                        <Button size="xs" variant="default" color="red" loading={busy === `${user.login}:deactivate`}
                          disabled={user.login === me.login} onClick={() => act(user, "deactivate")}
                          aria-label={`Dezaktywuj: ${user.login}`}>Dezaktywuj</Button>
                      ) : (
                        <Button size="xs" variant="default" loading={busy === `${user.login}:reactivate`}
                          onClick={() => act(user, "reactivate")} aria-label={`Aktywuj: ${user.login}`}>Aktywuj</Button>
                      )}
                      <Button size="xs" variant="default" loading={busy === `${user.login}:password-reset`}
                        onClick={() => act(user, "password-reset")}
                        aria-label={`Resetuj hasło: ${user.login}`}>Resetuj hasło</Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>

      <EditUserModal unit={unit} user={editing} cells={cells} onClose={() => setEditing(null)} onSaved={() => {
        setNotice(editing ? `${editing.login}: zapisano zmiany.` : null);
        setEditing(null);
        list.reload();
      }} />
    </Stack>
  );
}
