// Cognito's hosted login: the authorization code flow with PKCE for the portal's public
// app client (no secret). The verifier and the state wait in sessionStorage while the
// browser is at the hosted login; the ID token is the API's bearer and the refresh
// token renews it when the API answers 401 — both in sessionStorage, never in a URL.
import * as session from "./session";
import { hostedLogin, type HostedLogin } from "./loginConfig";

const PENDING_KEY = "ezd.login"; // {verifier, state, back}
const POPUP_MARK = ".okno"; // a state ending so was sent from the re-login window
const CHANNEL = "ezd-login";

interface Pending {
  verifier: string;
  state: string;
  back: string; // the page's address (its hash) to return to
}

function randomText(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64url(data: Uint8Array): string {
  let text = "";
  data.forEach((byte) => (text += String.fromCharCode(byte)));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

async function authorizeUrl(config: HostedLogin, popup: boolean): Promise<string> {
  const pending: Pending = {
    verifier: randomText(32),
    state: randomText(16) + (popup ? POPUP_MARK : ""),
    back: window.location.hash,
  };
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    scope: "openid email profile",
    state: pending.state,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  });
  return `${config.domain}/oauth2/authorize?${query}`;
}

/** "Zaloguj": the browser goes to the hosted login (nothing is on the page yet). */
export async function startLogin(config: HostedLogin): Promise<void> {
  window.location.assign(await authorizeUrl(config, false));
}

export interface Returned {
  code: string | null;
  state: string;
  error: string | null;
}

/** The hosted login's answer in this address (?code=&state= or ?error=), if any. */
export function returnedFromLogin(): Returned | null {
  const query = new URLSearchParams(window.location.search);
  const state = query.get("state");
  if (state === null || (!query.get("code") && !query.get("error"))) return null;
  return { code: query.get("code"), state, error: query.get("error") };
}

export function isPopupReturn(returned: Returned): boolean {
  return returned.state.endsWith(POPUP_MARK);
}

function cleanAddress(back: string): void {
  // The code never stays in the address (nor in the history).
  window.history.replaceState(null, "", window.location.pathname + back);
}

async function tokenRequest(config: HostedLogin, body: Record<string, string>): Promise<Record<string, unknown> | null> {
  const answer = await fetch(`${config.domain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ client_id: config.client_id, ...body }),
  });
  return answer.ok ? ((await answer.json()) as Record<string, unknown>) : null;
}

/** Exchanges the returned code (checking the state) for the tokens; false if refused. */
export async function completeLogin(config: HostedLogin, returned: Returned): Promise<boolean> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null") as Pending | null;
  sessionStorage.removeItem(PENDING_KEY);
  if (!isPopupReturn(returned)) cleanAddress(pending?.back ?? "");
  if (!pending || pending.state !== returned.state || !returned.code) return false;
  const tokens = await tokenRequest(config, {
    grant_type: "authorization_code",
    code: returned.code,
    redirect_uri: config.redirect_uri,
    code_verifier: pending.verifier,
  }).catch(() => null);
  if (!tokens || typeof tokens.id_token !== "string" || typeof tokens.refresh_token !== "string") return false;
  session.storeRefreshToken(tokens.refresh_token);
  session.storeToken(tokens.id_token);
  return true;
}

let renewing: Promise<boolean> | null = null;

/** A new ID token from the refresh token, silently (one request however many 401s). */
export function renew(): Promise<boolean> {
  const config = hostedLogin();
  const refresh = session.refreshToken();
  if (!config || !refresh) return Promise.resolve(false);
  renewing ??= tokenRequest(config, { grant_type: "refresh_token", refresh_token: refresh })
    .then((tokens) => {
      if (!tokens || typeof tokens.id_token !== "string") return false;
      session.storeToken(tokens.id_token);
      return true;
    })
    .catch(() => false)
    .finally(() => {
      renewing = null;
    });
  return renewing;
}

/**
 * The refresh token no longer works: the hosted login in a window of its own, so the page
 * underneath — and whatever was typed into it — stays as it is; the refused request is
 * sent again once the window hands back its code. (A redirect would unload the page.)
 * The window answers over a BroadcastChannel of this origin, which does not depend on
 * window.opener surviving the trip through the hosted login's origin.
 */
export async function loginInWindow(config: HostedLogin): Promise<boolean> {
  const opened = window.open("about:blank", "ezd-logowanie", "popup,width=480,height=640");
  if (!opened) return false;
  opened.location.href = await authorizeUrl(config, true);
  return new Promise<boolean>((resolve) => {
    const channel = new BroadcastChannel(CHANNEL);
    channel.onmessage = (event: MessageEvent<Returned>) => {
      channel.close();
      completeLogin(config, event.data).then(resolve, () => resolve(false));
    };
  });
}

/** In the re-login window, back from the hosted login: hand the answer over and close. */
export function handBackToPortal(returned: Returned): void {
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage(returned);
  channel.close();
  window.history.replaceState(null, "", window.location.pathname);
  window.close();
}

/** Logging out also ends the session at the hosted login (else "Zaloguj" would sign the
 * same person in again at once) and comes back to the start. */
export function hostedLogout(config: HostedLogin): void {
  const query = new URLSearchParams({ client_id: config.client_id, logout_uri: config.redirect_uri });
  window.location.assign(`${config.domain}/logout?${query}`);
}
