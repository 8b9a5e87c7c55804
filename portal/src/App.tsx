import { useEffect, useState } from "react";
import { Alert, Center, Container, Loader, Paper, Title } from "@mantine/core";
import { api, type Principal } from "./api/client";
import { completeLogin, handBackToPortal, isPopupReturn, returnedFromLogin } from "./auth/cognito";
import { HostedLoginStart } from "./auth/HostedLoginStart";
import { LoginForm } from "./auth/LoginForm";
import { hostedLogin, loadLoginConfig, type LoginConfig } from "./auth/loginConfig";
import { ReloginModal } from "./auth/ReloginModal";
import { useSession } from "./auth/useSession";
import { PortalRouter } from "./nav/Router";
import { UserContext } from "./nav/user";

interface Boot {
  config: LoginConfig;
  problem: string | null; // why coming back from the hosted login did not log in
  closing?: boolean; // the re-login window, handing its answer back
}

// Once per page load: how to log in here, and the hosted login's answer if this is the
// return from it (the code is exchanged, and cleaned out of the address, at once).
let booting: Promise<Boot> | null = null;

async function boot(): Promise<Boot> {
  const config = await loadLoginConfig();
  const hosted = hostedLogin();
  const returned = hosted ? returnedFromLogin() : null;
  if (!hosted || !returned) return { config, problem: null };
  if (isPopupReturn(returned)) {
    handBackToPortal(returned);
    return { config, problem: null, closing: true };
  }
  const ok = await completeLogin(hosted, returned);
  return { config, problem: ok ? null : "Logowanie nie zostało dokończone. Zaloguj się jeszcze raz." };
}

export function App() {
  const [booted, setBooted] = useState<Boot | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    booting ??= boot();
    booting.then(setBooted, () => setFailed(true));
  }, []);
  if (failed) {
    return <Center h="100vh"><Alert color="red" role="alert">Nie udało się połączyć z serwerem. Odśwież stronę.</Alert></Center>;
  }
  if (!booted) return <Center h="100vh"><Loader aria-label="Wczytywanie" /></Center>;
  if (booted.closing) return <Center h="100vh"><Alert role="status">Zalogowano. To okno można zamknąć.</Alert></Center>;
  return <Portal config={booted.config} problem={booted.problem} />;
}

function LoginScreen({ config, problem }: { config: LoginConfig; problem: string | null }) {
  const hosted = hostedLogin();
  return (
    <Container size={420} py={80}>
      <Paper withBorder shadow="sm" p="xl" radius="md">
        <Title order={1} size="h2" mb="md">Logowanie do EZD</Title>
        {config.login === "local" && <LoginForm />}
        {hosted && <HostedLoginStart config={hosted} problem={problem} />}
        {!hosted && config.login !== "local" && (
          <Alert color="red" role="alert">Logowanie nie jest skonfigurowane w tym wdrożeniu.</Alert>
        )}
      </Paper>
    </Container>
  );
}

function Portal({ config, problem }: { config: LoginConfig; problem: string | null }) {
  const { token, loginRequired } = useSession();
  const [user, setUser] = useState<Principal | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (!token) {
      setUser(null);
      return;
    }
    // Also after a new login over an expired session: the page underneath stays mounted.
    let live = true;
    api.GET("/me").then(({ data }) => {
      if (!live) return;
      if (data) setUser(data);
      else setFailed(true);
    }).catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [token]);

  if (!token && !loginRequired) return <LoginScreen config={config} problem={problem} />;
  if (!user) {
    return (
      <Center h="100vh">
        {failed ? <Alert color="red" role="alert">Nie udało się pobrać danych użytkownika.</Alert>
          : <Loader aria-label="Wczytywanie" />}
        <ReloginModal opened={loginRequired} login="" />
      </Center>
    );
  }
  return (
    <UserContext.Provider value={user}>
      <PortalRouter />
    </UserContext.Provider>
  );
}
