// The local stack's login form (in AWS: Cognito's hosted login instead).
import { useState, type FormEvent } from "react";
import { Alert, Button, PasswordInput, Stack, TextInput } from "@mantine/core";
import { api } from "../api/client";
import { errorMessage } from "../i18n/labels";
import * as session from "./session";

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

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!login.trim() || !password) {
      setError("Podaj login i hasło.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const { data, error: failure } = await api.POST("/auth/login", { body: { login: login.trim(), password } });
      if (data) {
        setPassword("");
        session.storeToken(data.token);
        onLoggedIn?.();
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
        <Button type="submit" loading={busy}>Zaloguj</Button>
      </Stack>
    </form>
  );
}
