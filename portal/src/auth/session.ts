// The session: the bearer token in sessionStorage (this tab only, gone when it closes;
// never in a URL or localStorage), and a way for the API client to ask for a new login
// when the token has expired, without the page losing what it holds. With Cognito's
// hosted login the bearer is the ID token, and the refresh token waits beside it.

const TOKEN_KEY = "ezd.token";
const REFRESH_KEY = "ezd.refresh";
const PENDING_LOGIN_KEY = "ezd.login";

type Listener = () => void;
const listeners = new Set<Listener>();
let pendingLogin: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | null = null;

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(value: string): void {
  sessionStorage.setItem(TOKEN_KEY, value);
  if (pendingLogin) {
    pendingLogin.resolve();
    pendingLogin = null;
  }
  notify();
}

export function refreshToken(): string | null {
  return sessionStorage.getItem(REFRESH_KEY);
}

export function storeRefreshToken(value: string): void {
  sessionStorage.setItem(REFRESH_KEY, value);
}

export function logOut(): void {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(REFRESH_KEY);
  sessionStorage.removeItem(PENDING_LOGIN_KEY);
  // The next person to log in at this screen starts on their own first page, not on the
  // page (or the document) the last one left open.
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  if (pendingLogin) {
    pendingLogin.reject(new Error("wylogowano"));
    pendingLogin = null;
  }
  notify();
}

/** True while the API refused the token and the user has not logged in again. */
export function loginRequired(): boolean {
  return pendingLogin !== null;
}

/** The API answered 401: wait until the user logs in again (the login modal). */
export function reauthenticate(): Promise<void> {
  if (!pendingLogin) {
    let resolve!: () => void;
    let reject!: (e: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    pendingLogin = { promise, resolve, reject };
    notify();
  }
  return pendingLogin.promise;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify(): void {
  listeners.forEach((listener) => listener());
}
