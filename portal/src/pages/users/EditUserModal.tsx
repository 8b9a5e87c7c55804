// Zmień role, komórkę i stanowisko of one user.
import { useEffect, useState, type FormEvent } from "react";
import { Alert, Button, Checkbox, Group, Modal, Select, Stack, TextInput } from "@mantine/core";
import { api, type Schemas } from "../../api/client";
import { ROLES, errorMessage } from "../../i18n/labels";
import type { Role } from "./userForm";

interface Props {
  unit: string;
  user: Schemas["UserView"] | null;
  cells: Schemas["CellOption"][];
  onClose: () => void;
  onSaved: () => void;
}

export function EditUserModal({ unit, user, cells, onClose, onSaved }: Props) {
  const [roles, setRoles] = useState<Role[]>([]);
  const [cell, setCell] = useState("");
  const [position, setPosition] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [rolesError, setRolesError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!user) return;
    setRoles(user.roles);
    setCell(user.cell ?? "");
    setPosition(user.position);
    setError(null);
    setRolesError(undefined);
  }, [user]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!user) return;
    if (roles.length === 0) {
      setRolesError("Wybierz co najmniej jedną rolę");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { data, error: failure } = await api.PATCH("/units/{unit}/users/{login}", {
        params: { path: { unit, login: user.login } },
        body: { roles, cell: cell || null, position: position.trim() || null },
      });
      if (data) onSaved();
      else setError(errorMessage(failure, "Nie udało się zapisać zmian."));
    } catch {
      setError("Brak połączenia z serwerem. Spróbuj ponownie.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal opened={user !== null} onClose={onClose} title={user ? `Zmień użytkownika ${user.login}` : ""}>
      <form onSubmit={submit} noValidate aria-label="Zmiana użytkownika">
        <Stack gap="sm">
          {error && <Alert color="red" role="alert">{error}</Alert>}
          <Checkbox.Group label="Role" value={roles} error={rolesError}
            onChange={(value) => setRoles(value as Role[])}>
            <Stack gap={4} mt="xs">
              {(Object.keys(ROLES) as Role[]).map((role) => <Checkbox key={role} value={role} label={ROLES[role]} />)}
            </Stack>
          </Checkbox.Group>
          <Select label="Komórka" value={cell || null} onChange={(value) => setCell(value ?? "")}
            data={cells.map((c) => ({ value: c.symbol, label: `${c.symbol} — ${c.name}` }))} />
          <TextInput label="Stanowisko" value={position} onChange={(e) => setPosition(e.currentTarget.value)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>Anuluj</Button>
            <Button type="submit" loading={busy}>Zapisz zmiany</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
