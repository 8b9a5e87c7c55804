// The local stack's login form (in AWS: Cognito's hosted login instead).
import { useState, type FormEvent } from "react";
import { Alert, Button, PasswordInput, Stack, TextInput } from "@mantine/core";
import { api } from "../api/client";
import { errorMessage } from "../i18n/labels";
import * as session from "./session";

/** The user pool's password policy (infra/template.yaml), checked before sending. */
export function passwordProblem(password: string, old: string): string | null {
  if (password.length < 12) return "Nowe hasło musi mieć co najmniej 12 znaków.";
  if (!/[a-ząćęłńóśźż]/.test(password)) return "Nowe hasło musi zawierać małą literę.";
  if (!/[A-ZĄĆĘŁŃÓŚŹŻ]/.test(password)) return "Nowe hasło musi zawierać wielką literę.";
  if (!/[0-9]/.test(password)) return "Nowe hasło musi zawierać cyfrę.";
  if (password === old) return "Nowe hasło musi różnić się od tymczasowego.";
  return null;
}

interface Props {
  /** The login to fill in (a session that expired logs in the same person again). */
  initialLogin?: string;
  onLoggedIn?: () => void;
}

export function LoginForm({ initialLogin = "", onLoggedIn }: Props) {
  const [login, setLogin] = useState(initialLogin);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A temporary password (a new user, a reset) opens nothing until it is replaced.
  const [mustChange, setMustChange] = useState(false);
  const [newPassword, setNewPassword] = useState("");
  const [repeated, setRepeated] = useState("");

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!login.trim() || !password) {
      setError("Podaj login i hasło.");
      return;
    }
    if (mustChange) {
      const problem = passwordProblem(newPassword, password) ?? (newPassword !== repeated ? "Hasła się różnią." : null);
      if (problem) {
        setError(problem);
        return;
      }
    }
    setBusy(true);
    setError(null);
    try {
      const { data, error: failure } = mustChange
        ? await api.POST("/auth/password", { body: { login: login.trim(), password, new_password: newPassword } })
        : await api.POST("/auth/login", { body: { login: login.trim(), password } });
      if (data) {
        setPassword("");
        setNewPassword("");
        setRepeated("");
        setMustChange(false);
        session.storeToken(data.token);
        onLoggedIn?.();
      } else if (failure?.error_code === "PASSWORD_CHANGE_REQUIRED") {
        setMustChange(true);
      } else {
        setError(errorMessage(failure, "Nie udało się zalogować."));
      }
    } catch {
      setError("Brak połączenia z serwerem. Spróbuj ponownie.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label="Logowanie">
      <Stack gap="sm">
        {error && (
          <Alert color="red" role="alert" title="Logowanie nieudane">
            {error}
          </Alert>
        )}
        <TextInput label="Login" name="login" autoComplete="username" value={login}
          onChange={(e) => setLogin(e.currentTarget.value)} aria-required="true" data-autofocus={!initialLogin || undefined} />
        <PasswordInput label="Hasło" name="password" autoComplete="current-password" value={password}
          onChange={(e) => setPassword(e.currentTarget.value)} aria-required="true"
          data-autofocus={initialLogin ? true : undefined} />
        {mustChange && (
          <>
            <Alert color="blue" title="Ustaw własne hasło" role="status">
              Hasło jest tymczasowe. Wybierz nowe: co najmniej 12 znaków, mała i wielka litera oraz cyfra.
            </Alert>
            <PasswordInput label="Nowe hasło" name="new-password" autoComplete="new-password" value={newPassword}
              onChange={(e) => setNewPassword(e.currentTarget.value)} aria-required="true" />
            <PasswordInput label="Powtórz nowe hasło" name="repeat-password" autoComplete="new-password"
              value={repeated} onChange={(e) => setRepeated(e.currentTarget.value)} aria-required="true" />
          </>
        )}
        <Button type="submit" loading={busy}>{mustChange ? "Zmień hasło i zaloguj" : "Zaloguj"}</Button>
      </Stack>
    </form>
  );
}
