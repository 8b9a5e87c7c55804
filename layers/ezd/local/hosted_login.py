"""A local Cognito hosted login: the OAuth 2.0 endpoints of a user pool domain
(``https://<prefix>.auth.<region>.amazoncognito.com``) over HTTP, backed by the user pool
in the stack's moto.

What it speaks, as Cognito documents it:
- ``GET /oauth2/authorize`` (``response_type=code``, ``client_id``, ``redirect_uri``,
  ``state``, ``scope``, ``code_challenge`` + ``code_challenge_method=S256``): an unknown
  client or a ``redirect_uri`` not among the client's CallbackURLs is an error page;
  otherwise the browser goes to ``/login`` with the same query — unless it still has a
  session here (Cognito's cookie on its domain), which signs it in again at once;
- ``GET /login`` the sign-in form; ``POST /login`` checks the password with moto's
  ``AdminInitiateAuth`` (a temporary password asks for a new one:
  ``NEW_PASSWORD_REQUIRED``, answered with ``AdminRespondToAuthChallenge``) and redirects
  to ``redirect_uri?code=…&state=…``; a wrong password shows "Incorrect username or
  password." on the page;
- ``POST /oauth2/token`` (form-encoded, CORS open): ``grant_type=authorization_code`` with
  ``client_id``, ``code`` (single use, five minutes), the same ``redirect_uri`` and the
  ``code_verifier`` whose SHA-256 is the challenge; ``grant_type=refresh_token``. It
  answers ``id_token``, ``access_token``, (``refresh_token``), ``expires_in``,
  ``token_type``, or 400 ``{"error": "invalid_grant" | "invalid_request" | …}``;
- ``GET /logout`` (``client_id``, ``logout_uri`` among the client's LogoutURLs): ends the
  session here and redirects there.

The tokens are moto's (RS256, moto's key, published at ``<moto>/<pool id>/.well-known/
jwks.json``), with ``cognito:username``, ``custom:*`` and ``cognito:groups``. Not
simulated: confidential clients (a client secret), the implicit grant, MFA, sign-up,
``prompt``/``nonce``, the userInfo and revoke endpoints.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlencode

from botocore.exceptions import ClientError
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from ezd.local.hosted_login_page import PAGE_POLICY, error_page, new_password_page, sign_in_page

CODE_LIFETIME_SECONDS = 300  # Cognito's authorization codes are valid for five minutes
SESSION_COOKIE = "cognito"
_UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_DEFAULT_UNITS = {"IdToken": "hours", "AccessToken": "hours", "RefreshToken": "days"}


def token_validity(client: dict[str, Any], token: str) -> int | None:
    """Seconds an app client's ``IdToken``/``AccessToken``/``RefreshToken`` is valid."""
    value = client.get(f"{token}Validity")
    if value is None:
        return None
    unit = (client.get("TokenValidityUnits") or {}).get(token) or _DEFAULT_UNITS[token]
    return int(value) * _UNITS[unit]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    challenge: str | None
    tokens: dict[str, Any]
    expires: float


@dataclass
class _Session:
    username: str
    client_id: str
    refresh_token: str


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class HostedLogin:
    pool_id: str
    cognito: Callable[[], Any]  # a boto3 cognito-idp client of the stack's moto
    clock: Callable[[], float] = time.time
    base_url: str | None = None
    token_requests: list[str] = field(default_factory=list)  # grant types asked for, in order
    requests: list[str] = field(default_factory=list)  # paths with their queries, in order
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _sessions: dict[str, _Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: Any = None

    # --- the app client, as the pool describes it ------------------------------------

    def _client(self, client_id: str | None) -> dict[str, Any] | None:
        if not client_id:
            return None
        try:
            return self.cognito().describe_user_pool_client(UserPoolId=self.pool_id, ClientId=client_id)["UserPoolClient"]
        except ClientError:
            return None

    # --- /oauth2/authorize and /login ------------------------------------------------

    def _authorize(self, request: Request) -> Response:
        args = request.args
        client = self._client(args.get("client_id"))
        if client is None:
            return _html(error_page("Invalid client_id"), 400)
        redirect_uri = args.get("redirect_uri", "")
        if redirect_uri not in (client.get("CallbackURLs") or []):
            return _html(error_page("redirect_mismatch"), 400)
        problem = None
        if args.get("response_type") != "code" or "code" not in (client.get("AllowedOAuthFlows") or []):
            problem = "unsupported_response_type"
        elif args.get("code_challenge") and args.get("code_challenge_method") != "S256":
            problem = "invalid_request"
        if problem:
            return _redirect(redirect_uri, {"error": problem, "state": args.get("state")})
        if request.path == "/oauth2/authorize":
            session = self._sessions.get(request.cookies.get(SESSION_COOKIE, ""))
            if session is not None and session.client_id == client["ClientId"]:
                try:
                    tokens = self._refresh(session.refresh_token, session.client_id)
                except ClientError:
                    tokens = None
                if tokens is not None:
                    tokens["refresh_token"] = session.refresh_token
                    return self._grant_code(redirect_uri, client, args, tokens)
            return _redirect("/login", dict(args.items()))
        if request.method == "GET":
            return _html(sign_in_page(request.full_path))
        return self._sign_in(request, client, redirect_uri)

    def _sign_in(self, request: Request, client: dict[str, Any], redirect_uri: str) -> Response:
        form = request.form
        username = form.get("username", "").strip()
        try:
            if form.get("challenge_session"):
                answer = self.cognito().admin_respond_to_auth_challenge(
                    UserPoolId=self.pool_id, ClientId=client["ClientId"], ChallengeName="NEW_PASSWORD_REQUIRED",
                    Session=form["challenge_session"],
                    ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": form.get("new_password", "")})
            else:
                answer = self.cognito().admin_initiate_auth(
                    UserPoolId=self.pool_id, ClientId=client["ClientId"], AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                    AuthParameters={"USERNAME": username, "PASSWORD": form.get("password", "")})
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if form.get("challenge_session"):
                message = exc.response.get("Error", {}).get("Message") or "Password does not conform to policy."
                return _html(new_password_page(request.full_path, username, form["challenge_session"], message), 400)
            if code in ("NotAuthorizedException", "UserNotFoundException"):
                # The same words for an unknown user (PreventUserExistenceErrors).
                message = "User is disabled." if "disabled" in str(exc) else "Incorrect username or password."
                return _html(sign_in_page(request.full_path, username, message), 400)
            return _html(sign_in_page(request.full_path, username, "An error occurred. Please try again."), 400)
        if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
            return _html(new_password_page(request.full_path, username, answer["Session"]))
        result = answer["AuthenticationResult"]
        tokens = {"id_token": result["IdToken"], "access_token": result["AccessToken"],
                  "refresh_token": result["RefreshToken"]}
        response = self._grant_code(redirect_uri, client, request.args, tokens)
        session_id = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[session_id] = _Session(username, client["ClientId"], result["RefreshToken"])
        response.set_cookie(SESSION_COOKIE, session_id, httponly=True, samesite="Lax", path="/")
        return response

    def _grant_code(self, redirect_uri: str, client: dict[str, Any], args: Any, tokens: dict[str, Any]) -> Response:
        code = secrets.token_urlsafe(32)
        with self._lock:
            self._grants[code] = _Grant(client["ClientId"], redirect_uri, args.get("code_challenge") or None,
                                        dict(tokens, expires_in=token_validity(client, "IdToken") or 3600),
                                        self.clock() + CODE_LIFETIME_SECONDS)
        return _redirect(redirect_uri, {"code": code, "state": args.get("state")})

    # --- /oauth2/token ---------------------------------------------------------------

    def _refresh(self, refresh_token: str, client_id: str) -> dict[str, Any]:
        result = self.cognito().admin_initiate_auth(
            UserPoolId=self.pool_id, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token})["AuthenticationResult"]
        return {"id_token": result["IdToken"], "access_token": result["AccessToken"]}

    def _token(self, request: Request) -> Response:
        form = request.form
        grant_type = form.get("grant_type", "")
        self.token_requests.append(grant_type)
        client = self._client(form.get("client_id"))
        if client is None:
            return _oauth_error("invalid_client", 401)
        if client.get("ClientSecret"):
            return _oauth_error("invalid_client", 401)  # confidential clients: not simulated
        if grant_type == "authorization_code":
            with self._lock:
                grant = self._grants.pop(form.get("code", ""), None)  # a code is used once
            if grant is None or grant.expires < self.clock() or grant.client_id != client["ClientId"]:
                return _oauth_error("invalid_grant")
            if form.get("redirect_uri") != grant.redirect_uri:
                return _oauth_error("invalid_grant")
            if grant.challenge is not None:
                verifier = form.get("code_verifier", "")
                if _b64url(hashlib.sha256(verifier.encode()).digest()) != grant.challenge:
                    return _oauth_error("invalid_grant")
            return _json(dict(grant.tokens, token_type="Bearer"))
        if grant_type == "refresh_token":
            if "ALLOW_REFRESH_TOKEN_AUTH" not in (client.get("ExplicitAuthFlows") or ["ALLOW_REFRESH_TOKEN_AUTH"]):
                return _oauth_error("unauthorized_client")
            try:
                tokens = self._refresh(form.get("refresh_token", ""), client["ClientId"])
            except (ClientError, KeyError):
                return _oauth_error("invalid_grant")
            return _json(dict(tokens, expires_in=token_validity(client, "IdToken") or 3600, token_type="Bearer"))
        return _oauth_error("unsupported_grant_type")

    # --- /logout ---------------------------------------------------------------------

    def _logout(self, request: Request) -> Response:
        client = self._client(request.args.get("client_id"))
        logout_uri = request.args.get("logout_uri", "")
        if client is None or logout_uri not in (client.get("LogoutURLs") or []):
            return _html(error_page("Required String parameter 'redirect_uri' is not present"), 400)
        with self._lock:
            self._sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
        response = _redirect(logout_uri, {})
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    # --- HTTP ------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        self.requests.append(request.full_path)
        if request.path in ("/oauth2/authorize", "/login") and request.method in ("GET", "POST"):
            response = self._authorize(request)
        elif request.path == "/oauth2/token" and request.method == "POST":
            response = self._token(request)
        elif request.path == "/oauth2/token" and request.method == "OPTIONS":
            response = Response(status=204)
        elif request.path == "/logout" and request.method == "GET":
            response = self._logout(request)
        else:
            response = _html(error_page("Not found"), 404)
        if request.path == "/oauth2/token":  # the portal's fetch() from its own origin
            response.headers["Access-Control-Allow-Origin"] = request.headers.get("Origin", "*")
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Vary"] = "Origin"
        response.headers["Cache-Control"] = "no-store"
        return response(environ, start_response)

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._server = make_server(host, port, self, threaded=True, request_handler=_Quiet)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                         name="hosted-login", daemon=True).start()
        self.base_url = f"http://{host}:{self._server.server_port}"
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def _html(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, headers={"Content-Type": "text/html; charset=utf-8",
                                                  "Content-Security-Policy": PAGE_POLICY})


def _json(body: dict[str, Any], status: int = 200) -> Response:
    import json

    return Response(json.dumps(body), status=status, content_type="application/json")


def _oauth_error(error: str, status: int = 400) -> Response:
    return _json({"error": error}, status)


def _redirect(location: str, query: dict[str, Any]) -> Response:
    query = {k: v for k, v in query.items() if v is not None}
    target = location + (("&" if "?" in location else "?") + urlencode(query) if query else "")
    return Response(status=302, headers={"Location": target})
