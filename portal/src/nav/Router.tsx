// The portal's addresses: one route per entry of PAGES, under the frame (Shell). Hash
// addresses (#/rejestr) so that any static host serves every page from index.html;
// the token is never in them (it stays in sessionStorage).
import { useEffect, useState } from "react";
import { Navigate, Outlet, RouterProvider, createHashRouter, matchPath, useLocation } from "react-router";
import { notifications } from "@mantine/notifications";
import { logOut as endSession } from "../auth/logout";
import { useSession } from "../auth/useSession";
import { ReloginModal } from "../auth/ReloginModal";
import { NoAccess, NotFound } from "../components/NoAccess";
import { Shell } from "../components/Shell";
import { PAGES, type PageEntry } from "./pages";
import { mayOpen, useUser } from "./user";

// Whatever the last user was told stays theirs: the next one to log in on this computer
// does not see it.
function logOut() {
  notifications.clean();
  endSession();
}

function Frame() {
  const user = useUser();
  const { loginRequired } = useSession();
  const location = useLocation();
  useEffect(() => {
    // A new page: the title says where one is, and focus goes to the content (for
    // screen readers the page changed, as after a full load).
    // Static addresses first (sprawy/nowa before sprawy/:ref), as the router ranks them.
    const page = PAGES.find((p) => `/${p.path}` === location.pathname)
      ?? PAGES.find((p) => matchPath(`/${p.path}`, location.pathname));
    document.title = page?.label ? `${page.label} — EZD` : "EZD — elektroniczne zarządzanie dokumentacją";
    document.getElementById("tresc")?.focus({ preventScroll: true });
  }, [location.pathname]);
  return (
    <Shell user={user} onLogOut={logOut}>
      <Outlet />
      <ReloginModal opened={loginRequired} login={user.login} />
    </Shell>
  );
}

function Guarded({ page }: { page: PageEntry }) {
  const user = useUser();
  return mayOpen(user, page) ? page.element : <NoAccess />;
}

function Home() {
  const user = useUser();
  const first = PAGES.find((page) => page.label && !page.path.includes(":") && mayOpen(user, page));
  return first ? <Navigate to={`/${first.path}`} replace /> : <NoAccess what="Twoja rola nie ma jeszcze stron w portalu." />;
}

const ROUTES = [
  {
    path: "/",
    element: <Frame />,
    children: [
      { index: true, element: <Home /> },
      ...PAGES.map((page) => ({ path: page.path, element: <Guarded page={page} /> })),
      { path: "*", element: <NotFound /> },
    ],
  },
];

// A router per login: it starts from the address as it is then (logging out clears it, so
// the next person starts on their own first page; a link opened before logging in is kept).
// Disposed when the session ends, so an old router no longer listens to the address.
export function PortalRouter() {
  const [router, setRouter] = useState<ReturnType<typeof createHashRouter> | null>(null);
  useEffect(() => {
    const made = createHashRouter(ROUTES);
    setRouter(made);
    return () => made.dispose();
  }, []);
  return router ? <RouterProvider router={router} /> : null;
}
