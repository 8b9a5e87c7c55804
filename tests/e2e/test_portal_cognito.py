"""The portal logging in as it does in AWS: Cognito's hosted login (the local simulator on
the user pool in the stack's moto) and API Gateway's Cognito authorizer in front of the
API (emulated), with the API run as a deployed stage (ezd/local/cognito_stage.py).

P6 is this file's unit; its director is created in the user pool with the unit
administrator's Cognito adapter, as the portal's "Użytkownicy jednostki" would.
"""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request

import pytest

from portal_kit import expect, shot

pytestmark = pytest.mark.stack

LOGIN = "p6.dyrektor"
TEMPORARY = "Tymczasowe-Haslo-1"
PASSWORD = "Wlasne-Haslo-2026"
ID_TOKEN_SECONDS = 6  # the app client's IdTokenValidity here: sessions expire while one watches


@pytest.fixture(scope="module")
def cognito(stack):
    from ezd.adapters import directory_store
    from ezd.adapters.identity.cognito import CognitoIdentities
    from ezd.local.cognito_stage import CognitoStage

    stage = CognitoStage(stack, id_token_validity_seconds=ID_TOKEN_SECONDS)
    login = stage.start()
    try:
        CognitoIdentities(login.pool_id).create(directory_store.get_user(LOGIN), TEMPORARY)
        yield stage
    finally:
        stage.stop()


def _claims(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _forge(token: str, **changes) -> str:
    """The same header and signature over claims someone changed."""
    head, body, signature = token.split(".")
    claims = dict(_claims(token), **changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{head}.{forged}.{signature}"


def _status(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        return refused.code


def _hosted_sign_in(page, cognito, password: str) -> None:
    expect()(page.get_by_role("heading", name="Sign in with your username and password")).to_be_visible()
    assert page.url.startswith(cognito.login.hosted_login_url + "/login?")
    page.get_by_label("Username").fill(LOGIN)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _expire_id_token(page, cognito) -> str:
    """Waits (on the clock the authorizer reads) until the page's ID token is refused."""
    token = page.evaluate("() => sessionStorage.getItem('ezd.token')")
    issued = _claims(token)["iat"]
    while time.time() < issued + ID_TOKEN_SECONDS + 0.5:
        time.sleep(0.25)
    assert _status(cognito.stack.info.api_url + "/me", token) == 401
    return token


def test_the_director_logs_in_through_the_hosted_login_and_stays_logged_in(page, cognito):
    cognito.cognito().admin_set_user_password(UserPoolId=cognito.login.pool_id, Username=LOGIN, Password=TEMPORARY,
                                              Permanent=False)
    expect()(page.get_by_role("heading", name="Logowanie do EZD")).to_be_visible()
    assert page.get_by_label("Hasło", exact=True).count() == 0  # no local form in this mode
    shot(page, "cognito-01-start")
    page.get_by_role("button", name="Zaloguj", exact=True).click()

    # The hosted login: the temporary password first asks for one's own.
    expect()(page.get_by_role("heading", name="Sign in with your username and password")).to_be_visible()
    authorize = [r for r in cognito.hosted_login.requests if r.startswith("/oauth2/authorize?")][-1]
    assert "code_challenge_method=S256" in authorize and "code_challenge=" in authorize and "state=" in authorize
    shot(page, "cognito-02-hosted-login")
    _hosted_sign_in(page, cognito, TEMPORARY)
    expect()(page.get_by_role("heading", name="Change Password")).to_be_visible()
    page.get_by_label("New Password").fill(PASSWORD)
    page.get_by_role("button", name="Send").click()

    # Back in the portal: who, which unit, which role; their first page.
    expect()(page.get_by_test_id("user-name")).to_have_text("Piotr Wiśniewski")
    expect()(page.get_by_test_id("user-unit")).to_have_text("P6")
    expect()(page.get_by_test_id("user-role")).to_contain_text("kierownik")
    expect()(page.get_by_role("heading", name="Rejestr przesyłek wpływających")).to_be_visible()
    assert "code=" not in page.url and "state=" not in page.url and "token" not in page.url
    assert page.url.startswith(cognito.stack.info.api_url + "/")
    stored = page.evaluate("() => Object.keys(sessionStorage).sort()")
    assert stored == ["ezd.refresh", "ezd.token"], stored
    assert page.evaluate("() => localStorage.length") == 0
    token = page.evaluate("() => sessionStorage.getItem('ezd.token')")
    claims = _claims(token)
    assert (claims["cognito:username"], claims["custom:unit"], claims["token_use"]) == (LOGIN, "P6", "id")
    assert "manager" in claims["cognito:groups"]
    assert cognito.hosted_login.token_requests[-1] == "authorization_code"
    shot(page, "cognito-03-logged-in")

    # The ID token expires while the director types: the refresh token renews it and the
    # refused request goes again, the text stays where it was typed.
    sender = page.get_by_label("Nadawca")
    sender.fill("Kowalski — pisane przed wygaśnięciem")
    expired = _expire_id_token(page, cognito)
    renewals = cognito.hosted_login.token_requests.count("refresh_token")
    with page.expect_response(lambda r: "/units/P6/registry" in r.url and r.status == 200):
        page.get_by_role("button", name="Filtruj").click()  # refused (401), renewed, sent again
    page.wait_for_function("(old) => sessionStorage.getItem('ezd.token') !== old", arg=expired)
    assert cognito.hosted_login.token_requests.count("refresh_token") == renewals + 1
    assert cognito.authorizer.refused[-1].startswith("expired")
    expect()(page.get_by_test_id("register-count")).not_to_contain_text("Wczytywanie")
    expect()(sender).to_have_value("Kowalski — pisane przed wygaśnięciem")
    expect()(page.get_by_role("dialog")).to_have_count(0)  # no login asked for
    shot(page, "cognito-04-renewed")

    # Logging out ends the hosted login's session too and comes back to the start.
    page.get_by_role("button", name="Wyloguj").click()
    expect()(page.get_by_role("button", name="Zaloguj", exact=True)).to_be_visible()
    assert any(r.startswith("/logout?") for r in cognito.hosted_login.requests)
    assert page.evaluate("() => sessionStorage.length") == 0
    assert page.url.rstrip("/") == cognito.stack.info.api_url
    # ... so "Zaloguj" asks for the password again.
    page.get_by_role("button", name="Zaloguj", exact=True).click()
    expect()(page.get_by_role("heading", name="Sign in with your username and password")).to_be_visible()


def _log_in(page, cognito) -> None:
    cognito.cognito().admin_set_user_password(UserPoolId=cognito.login.pool_id, Username=LOGIN, Password=PASSWORD,
                                              Permanent=True)
    page.get_by_role("button", name="Zaloguj", exact=True).click()
    _hosted_sign_in(page, cognito, PASSWORD)
    expect()(page.get_by_role("heading", name="Rejestr przesyłek wpływających")).to_be_visible()


def test_when_the_refresh_token_is_revoked_the_hosted_login_opens_in_a_window_and_the_page_stays(page, cognito):
    _log_in(page, cognito)
    title = page.get_by_label("Dotyczy")
    title.fill("Wniosek o duplikat legitymacji")
    # Signed out everywhere (as deactivating a user does): the refresh token is revoked.
    cognito.cognito().admin_user_global_sign_out(UserPoolId=cognito.login.pool_id, Username=LOGIN)
    _expire_id_token(page, cognito)
    page.get_by_role("button", name="Filtruj").click()
    dialog = page.get_by_role("dialog", name="Sesja wygasła — zaloguj się ponownie")
    expect()(dialog).to_be_visible()
    shot(page, "cognito-06-session-expired")
    with page.expect_popup() as opened:
        dialog.get_by_role("button", name="Zaloguj ponownie").click()
    popup = opened.value
    # The hosted login's own session was ended with the refresh token: the form again.
    _hosted_sign_in(popup, cognito, PASSWORD)
    popup.wait_for_event("close")
    expect()(dialog).to_have_count(0)
    expect()(title).to_have_value("Wniosek o duplikat legitymacji")  # the page was never unloaded
    expect()(page.get_by_test_id("register-count")).not_to_contain_text("Wczytywanie")
    assert "code=" not in page.url and "state=" not in page.url
    assert sorted(page.evaluate("() => Object.keys(sessionStorage)")) == ["ezd.refresh", "ezd.token"]


def test_a_wrong_password_stays_on_the_hosted_login_with_its_error(page, cognito):
    page.get_by_role("button", name="Zaloguj", exact=True).click()
    _hosted_sign_in(page, cognito, "Zle-Haslo-12345")
    expect()(page.get_by_role("alert")).to_have_text("Incorrect username or password.")
    assert page.url.startswith(cognito.login.hosted_login_url)
    expect()(page.get_by_label("Username")).to_have_value(LOGIN)
    shot(page, "cognito-05-wrong-password")


def test_the_api_refuses_tokens_the_authorizer_would_refuse(cognito, stack):
    me = stack.info.api_url + "/me"
    cognito.cognito().admin_set_user_password(UserPoolId=cognito.login.pool_id, Username=LOGIN, Password=PASSWORD,
                                              Permanent=True)
    tokens = cognito.cognito().admin_initiate_auth(
        UserPoolId=cognito.login.pool_id, ClientId=cognito.login.client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": LOGIN, "PASSWORD": PASSWORD})["AuthenticationResult"]
    token = tokens["IdToken"]
    assert _status(me, token) == 200
    refused_before = len(cognito.authorizer.refused)
    head, body, signature = token.split(".")
    none = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    assert _status(me, _forge(token, **{"custom:unit": "SP19", "cognito:username": "sp19.dyrektor"})) == 401
    assert _status(me, f"{head}.{body}.{signature[:-4]}AAAA") == 401  # signature broken
    assert _status(me, f"{none}.{body}.") == 401  # unsigned
    assert _status(me, tokens["AccessToken"]) == 401  # not an ID token
    assert _status(me, stack_local_token(stack)) == 401  # local tokens are not accepted here
    assert _status(me, "") == 401
    assert len(cognito.authorizer.refused) == refused_before + 6
    # An ID token past the app client's IdTokenValidity.
    issued = _claims(token)["iat"]
    while time.time() < issued + ID_TOKEN_SECONDS + 0.5:
        time.sleep(0.25)
    assert _status(me, token) == 401
    assert cognito.authorizer.refused[-1].startswith("expired")
    # The routes the template leaves open stay open.
    assert _status(stack.info.api_url + "/health", "") == 200
    with urllib.request.urlopen(stack.info.api_url + "/auth/config", timeout=10) as answer:
        config = json.loads(answer.read())
    assert config == {"login": "cognito", "domain": cognito.login.hosted_login_url,
                      "client_id": cognito.login.client_id, "redirect_uri": stack.info.portal_url}


def stack_local_token(stack) -> str:
    from ezd.local.stack import local_token

    return local_token(stack.info, LOGIN)
