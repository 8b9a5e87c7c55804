// The portal's only way to the API: a typed client generated from openapi.json (the
// types in schema.d.ts come from `npm run generate`; no route is listed by hand here).
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";
import * as session from "../auth/session";
import { renew } from "../auth/cognito";
import * as serverClock from "./serverClock";

export type Schemas = components["schemas"];
// The logged-in user as GET /me answers (with what the role alone does not say).
export type Principal = Schemas["Me"];
export type RegisterPage = Schemas["RegisterPage"];
export type RegistryEntry = Schemas["RegistryEntry"];
export type ApiError = Schemas["ErrorBody"];

const PUBLIC = new Set(["/auth/config", "/auth/login", "/health", "/openapi.json"]);
// Requests are kept (cloned before they are sent) until answered, to send again after a
// new login when the token had expired.
const sent = new Map<string, Request>();

const auth: Middleware = {
  onRequest({ request, schemaPath, id }) {
    const current = session.token();
    if (current && !PUBLIC.has(schemaPath)) {
      request.headers.set("Authorization", `Bearer ${current}`);
    }
    sent.set(id, request.clone());
    return request;
  },
  async onResponse({ response, schemaPath, id }) {
    serverClock.observe(response);
    const original = sent.get(id);
    sent.delete(id);
    if (response.status !== 401 || PUBLIC.has(schemaPath) || !original) {
      return response;
    }
    // With the hosted login the refresh token renews the ID token silently; only when
    // that fails (or locally) the login modal, the page underneath staying as it was.
    if (!(await renew())) await session.reauthenticate();
    const again = new Request(original);
    again.headers.set("Authorization", `Bearer ${session.token()}`);
    return fetch(again);
  },
  onError({ id }) {
    sent.delete(id);
  },
};

// The portal reads JSON only: answers the document also lists in CSV or HTML (?format=)
// are downloads, not bodies this client parses, so their types stay out of its results.
export const api = createClient<paths, "application/json">({ baseUrl: window.location.origin });
api.use(auth);
