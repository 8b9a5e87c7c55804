"""The pages of the hosted-login simulator (ezd/local/hosted_login.py): the sign-in form,
the form that replaces a temporary password, and the error page, shaped after Cognito's
classic hosted UI (its English texts, its field names ``username`` and ``password``)."""

from __future__ import annotations

from html import escape

# The page's own styles only; the form posts to the simulator itself and its answer
# redirects to the app client's callback URL.
PAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"

_STYLE = """
body { font-family: system-ui, sans-serif; background: #f4f4f4; color: #1a1a1a; margin: 0; }
main { max-width: 360px; margin: 64px auto; background: #fff; padding: 24px 28px; border: 1px solid #ccc;
       border-radius: 6px; }
h1 { font-size: 1.25rem; margin: 0 0 4px; } p.hint { color: #444; margin: 0 0 16px; font-size: .9rem; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
input { width: 100%; box-sizing: border-box; padding: 8px; border: 1px solid #767676; border-radius: 4px;
        font-size: 1rem; }
button { margin-top: 20px; width: 100%; padding: 10px; background: #1f4e8c; color: #fff; border: 0;
         border-radius: 4px; font-size: 1rem; cursor: pointer; }
.error { background: #fdecea; color: #8a1c12; border: 1px solid #e0a39c; padding: 8px 10px; border-radius: 4px; }
"""


def _page(title: str, body: str) -> bytes:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>'
            f'<body><main>{body}</main></body></html>').encode()


def _error(message: str | None) -> str:
    return f'<p class="error" role="alert" id="loginErrorMessage">{escape(message)}</p>' if message else ""


def sign_in_page(action: str, username: str = "", error: str | None = None) -> bytes:
    """``action``: where the form posts (the /login URL with the authorize request's query)."""
    return _page("Signin", f"""
<h1>Sign in with your username and password</h1>
<p class="hint">EZD (local Cognito hosted login)</p>
{_error(error)}
<form method="post" action="{escape(action)}" novalidate>
  <label for="signInFormUsername">Username</label>
  <input id="signInFormUsername" name="username" type="text" autocomplete="username" value="{escape(username)}"
         autocapitalize="none" required>
  <label for="signInFormPassword">Password</label>
  <input id="signInFormPassword" name="password" type="password" autocomplete="current-password" required>
  <button type="submit" name="signInSubmitButton">Sign in</button>
</form>""")


def new_password_page(action: str, username: str, session: str, error: str | None = None) -> bytes:
    return _page("Change Password", f"""
<h1>Change Password</h1>
<p class="hint">Please enter a new password for {escape(username)}.</p>
{_error(error)}
<form method="post" action="{escape(action)}" novalidate>
  <input type="hidden" name="username" value="{escape(username)}">
  <input type="hidden" name="challenge_session" value="{escape(session)}">
  <label for="newPassword">New Password</label>
  <input id="newPassword" name="new_password" type="password" autocomplete="new-password" required>
  <button type="submit">Send</button>
</form>""")


def error_page(message: str) -> bytes:
    return _page("Error", f"<h1>An error was encountered with the requested page.</h1>{_error(message)}")
