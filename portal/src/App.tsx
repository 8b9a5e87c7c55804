import { useEffect, useState } from "react";
import { Alert, Center, Container, Loader, Paper, Title } from "@mantine/core";
import { api, type Principal } from "./api/client";
import { LoginForm } from "./auth/LoginForm";
import { ReloginModal } from "./auth/ReloginModal";
import { useSession } from "./auth/useSession";
import { PortalRouter } from "./nav/Router";
import { UserContext } from "./nav/user";

export function App() {
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

  if (!token && !loginRequired) {
    return (
      <Container size={420} py={80}>
        <Paper withBorder shadow="sm" p="xl" radius="md">
          <Title order={1} size="h2" mb="md">Logowanie do EZD</Title>
          <LoginForm />
        </Paper>
      </Container>
    );
  }
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
