"""The unit administrator's users and roles, through the HTTP API of the running local
stack: add, log in, change roles, deactivate and reactivate, reset a password, and the
audit chain of all of it.

LO11, LO12 and LO13 are this file's units.
"""

from __future__ import annotations

import itertools
import time

import pytest

pytestmark = pytest.mark.stack

UNIT, OTHER, KEEPER = "LO11", "LO12", "LO13"
ADMIN, OTHER_ADMIN = "lo11.admin", "lo12.admin"
_n = itertools.count(1)


def _login_name(prefix: str) -> str:
    # A fresh login per call (the session's stack is shared by the whole file).
    return f"{prefix}{next(_n)}x{time.time_ns() % 10**8}"


def _new_user(unit: str = UNIT, **overrides) -> dict:
    body = {"login": f"{unit.lower()}.{_login_name('nowak')}", "full_name": "Jan Nowak", "position": "nauczyciel",
            "cell": "KAD", "roles": ["case_officer"], "email": "jan.nowak@example.org"}
    return {**body, **overrides}


def _add(api, unit: str = UNIT, admin: str = ADMIN, **overrides) -> tuple[dict, str]:
    answer = api.call("POST", f"/units/{unit}/users", user=admin, json_body=_new_user(unit, **overrides))
    assert answer.status == 201, answer.body
    return answer.body["user"], answer.body["temporary_password"]


def _log_in(api, login: str, password: str):
    return api.call("POST", "/auth/login", json_body={"login": login, "password": password})


def _activate(api, login: str, temporary: str, new_password: str = "Nowe-Haslo-2026") -> str:
    """The first login of a new user: the temporary password must be replaced."""
    changed = api.call("POST", "/auth/password",
                       json_body={"login": login, "password": temporary, "new_password": new_password})
    assert changed.status == 200, changed.body
    return changed.body["token"]


def _users(api, unit: str = UNIT, admin: str = ADMIN) -> dict[str, dict]:
    answer = api.call("GET", f"/units/{unit}/users", user=admin)
    assert answer.status == 200, answer.body
    assert answer.body["count"] == len(answer.body["users"])
    return {u["login"]: u for u in answer.body["users"]}


def test_an_administrator_adds_a_user_who_then_logs_in_and_sees_their_unit(api):
    user, temporary = _add(api, roles=["case_officer", "archivist"], cell="ADM", position="archiwista")
    login = user["login"]
    assert user == {"login": login, "full_name": "Jan Nowak", "position": "archiwista", "unit": UNIT,
                    "roles": ["case_officer", "archivist"], "cell": "ADM", "email": "jan.nowak@example.org",
                    "active": True}
    # The temporary password opens nothing by itself: it must be changed first.
    first = _log_in(api, login, temporary)
    assert first.status == 403 and first.body["error_code"] == "PASSWORD_CHANGE_REQUIRED", first.body
    weak = api.call("POST", "/auth/password", json_body={"login": login, "password": temporary, "new_password": "krotkie"})
    assert weak.status == 400 and weak.body["error_code"] == "VALIDATION_FAILED"
    token = _activate(api, login, temporary)
    me = api.call("GET", "/me", token=token)
    assert me.status == 200 and me.body["unit"] == UNIT and me.body["roles"] == ["case_officer", "archivist"]
    assert me.body["cell"] == "ADM"
    again = _log_in(api, login, "Nowe-Haslo-2026")
    assert again.status == 200 and again.body["user"]["login"] == login
    assert _log_in(api, login, temporary).status == 401  # the temporary one is gone
    # The list is the directory's (demo users and the new one), without password data.
    listed = api.call("GET", f"/units/{UNIT}/users", user=ADMIN)
    users = {u["login"]: u for u in listed.body["users"]}
    assert login in users and "lo11.sekretariat" in users and "lo12.admin" not in users
    assert b"password" not in listed.raw and b"scrypt" not in listed.raw and temporary.encode() not in listed.raw
    # With the unit's komórki, for the forms.
    assert [c["symbol"] for c in listed.body["cells"]] == ["ADM", "DYR", "KAD", "KSI", "SEK"]


def test_login_rules_and_bad_input_get_stable_codes_and_write_nothing(api):
    before = _users(api)
    cases = [
        ({"login": "nowak"}, 400, "LOGIN_INVALID"),
        ({"login": "lo12.nowak"}, 400, "LOGIN_INVALID"),           # another unit's prefix
        ({"login": "lo11.wiśniewska"}, 400, "LOGIN_INVALID"),      # diacritics
        ({"login": "lo11.1nowak"}, 400, "LOGIN_INVALID"),
        ({"login": "lo11.now--ak"}, 400, "LOGIN_INVALID"),
        ({"login": "lo11.sekretariat"}, 409, "USER_EXISTS"),       # a demo user
        ({"cell": "XYZ"}, 400, "CELL_UNKNOWN"),
        ({"cell": "WO-AO"}, 400, "CELL_UNKNOWN"),                  # the education department's
        ({"roles": []}, 400, "VALIDATION_FAILED"),
        ({"roles": ["superuser"]}, 400, "VALIDATION_FAILED"),
        ({"roles": ["manager", "manager"]}, 400, "VALIDATION_FAILED"),
        ({"email": "nie-adres"}, 400, "VALIDATION_FAILED"),
        ({"full_name": "  "}, 400, "VALIDATION_FAILED"),
    ]
    for overrides, status, code in cases:
        answer = api.call("POST", f"/units/{UNIT}/users", user=ADMIN, json_body=_new_user(**overrides))
        assert (answer.status, answer.body["error_code"]) == (status, code), (overrides, answer.body)
    missing = api.call("POST", f"/units/{UNIT}/users", user=ADMIN, json_body={"login": "lo11.kowal"})
    assert missing.status == 400 and "full_name" in missing.body["message"]
    assert _users(api) == before
    # A login is case-insensitive and stored in lower case; taken once, taken for good.
    body = _new_user(login=f"LO11.{_login_name('Kowal')}")
    added = api.call("POST", f"/units/{UNIT}/users", user=ADMIN, json_body=body)
    assert added.status == 201 and added.body["user"]["login"] == body["login"].lower()
    twice = api.call("POST", f"/units/{UNIT}/users", user=ADMIN, json_body=body)
    assert twice.status == 409 and twice.body["error_code"] == "USER_EXISTS"


def test_only_an_administrator_of_the_same_unit_manages_its_users(api):
    user, _ = _add(api)
    login = user["login"]
    calls = [("GET", f"/units/{UNIT}/users", None), ("POST", f"/units/{UNIT}/users", _new_user()),
             ("PATCH", f"/units/{UNIT}/users/{login}", {"roles": ["manager"]}),
             ("POST", f"/units/{UNIT}/users/{login}/deactivate", None),
             ("POST", f"/units/{UNIT}/users/{login}/reactivate", None),
             ("POST", f"/units/{UNIT}/users/{login}/password-reset", {}),
             ("GET", f"/units/{UNIT}/user-history", None)]
    for caller in (OTHER_ADMIN, "lo11.sekretariat", "lo11.kadry", "lo11.archiwum", login):
        for method, path, body in calls:
            answer = api.call(method, path, user=caller, json_body=body)
            assert answer.status == 403 and answer.body["error_code"] == "FORBIDDEN", (caller, method, path, answer.body)
    assert _users(api)[login] == user  # nothing changed
    # Another unit's user under one's own unit does not exist.
    for method, path, body in calls[2:6]:
        answer = api.call(method, path.replace(UNIT, OTHER), user=OTHER_ADMIN, json_body=body)
        assert answer.status == 404 and answer.body["error_code"] == "NOT_FOUND", (method, path, answer.body)
    # The director is a unit administrator too.
    assert api.call("GET", f"/units/{UNIT}/users", user="lo11.dyrektor").status == 200


def test_a_deactivated_user_cannot_log_in_and_their_token_stops_working(api):
    user, temporary = _add(api, roles=["registry_clerk"], cell="SEK")
    login = user["login"]
    token = _activate(api, login, temporary)
    assert api.call("GET", f"/units/{UNIT}/registry", token=token).status == 200
    off = api.call("POST", f"/units/{UNIT}/users/{login}/deactivate", user=ADMIN)
    assert off.status == 200 and off.body["active"] is False
    refused = api.call("GET", f"/units/{UNIT}/registry", token=token)
    assert refused.status == 401 and refused.body["error_code"] == "UNAUTHENTICATED"
    assert api.call("GET", "/me", token=token).status == 401
    wrong = _log_in(api, login, "Nowe-Haslo-2026")
    assert wrong.status == 401 and wrong.body == {"error_code": "UNAUTHENTICATED", "message": "wrong login or password"}
    assert _users(api)[login]["active"] is False
    assert api.call("POST", f"/units/{UNIT}/users/{login}/deactivate", user=ADMIN).status == 200  # once is enough
    on = api.call("POST", f"/units/{UNIT}/users/{login}/reactivate", user=ADMIN)
    assert on.status == 200 and on.body["active"] is True
    assert _log_in(api, login, "Nowe-Haslo-2026").status == 200
    assert api.call("GET", f"/units/{UNIT}/registry", token=token).status == 200


def test_a_change_of_roles_and_komorka_takes_effect_at_the_next_request(api):
    user, temporary = _add(api, roles=["case_officer"], cell="KAD")
    login = user["login"]
    token = _activate(api, login, temporary)
    assert api.call("GET", f"/units/{UNIT}/registry", token=token).status == 403
    changed = api.call("PATCH", f"/units/{UNIT}/users/{login}", user=ADMIN,
                       json_body={"roles": ["registry_clerk"], "cell": "SEK", "position": "sekretarka"})
    assert changed.status == 200, changed.body
    assert (changed.body["roles"], changed.body["cell"], changed.body["position"]) == (["registry_clerk"], "SEK",
                                                                                      "sekretarka")
    assert api.call("GET", f"/units/{UNIT}/registry", token=token).status == 200  # the same token
    me = api.call("GET", "/me", token=token).body
    assert (me["roles"], me["cell"], me["position"]) == (["registry_clerk"], "SEK", "sekretarka")
    for body, code in (({"roles": []}, "VALIDATION_FAILED"), ({"cell": "WO"}, "CELL_UNKNOWN"),
                       ({}, "VALIDATION_FAILED"), ({"roles": ["dyrektor"]}, "VALIDATION_FAILED")):
        answer = api.call("PATCH", f"/units/{UNIT}/users/{login}", user=ADMIN, json_body=body)
        assert answer.status == 400 and answer.body["error_code"] == code, (body, answer.body)
    assert api.call("PATCH", f"/units/{UNIT}/users/lo11.nikt", user=ADMIN, json_body={"roles": ["manager"]}).status == 404


def test_a_password_reset_ends_the_old_password(api):
    user, temporary = _add(api)
    login = user["login"]
    _activate(api, login, temporary)
    reset = api.call("POST", f"/units/{UNIT}/users/{login}/password-reset", user=ADMIN)
    assert reset.status == 200, reset.body
    fresh = reset.body["temporary_password"]
    assert len(fresh) >= 12 and fresh != temporary and reset.body["must_change_password"] is True
    assert _log_in(api, login, "Nowe-Haslo-2026").status == 401
    assert _log_in(api, login, fresh).body["error_code"] == "PASSWORD_CHANGE_REQUIRED"
    _activate(api, login, fresh, "Drugie-Haslo-2027")
    assert _log_in(api, login, "Drugie-Haslo-2027").status == 200
    # The administrator may choose the temporary password, within the policy.
    weak = api.call("POST", f"/units/{UNIT}/users/{login}/password-reset", user=ADMIN,
                    json_body={"temporary_password": "tylkomaleliterki"})
    assert weak.status == 400 and weak.body["error_code"] == "VALIDATION_FAILED"
    chosen = api.call("POST", f"/units/{UNIT}/users/{login}/password-reset", user=ADMIN,
                      json_body={"temporary_password": "Tymczasowe-2026"})
    assert chosen.status == 200 and chosen.body["temporary_password"] == "Tymczasowe-2026"
    assert _log_in(api, login, "Drugie-Haslo-2027").status == 401
    # A reset lifts a lock-out as well.
    for _ in range(5):
        _log_in(api, login, "zgadywanie-1A")
    assert _log_in(api, login, "Tymczasowe-2026").body["error_code"] == "ACCOUNT_LOCKED"
    api.call("POST", f"/units/{UNIT}/users/{login}/password-reset", user=ADMIN,
             json_body={"temporary_password": "Odblokowane-2026"})
    assert _log_in(api, login, "Odblokowane-2026").body["error_code"] == "PASSWORD_CHANGE_REQUIRED"


def test_the_unit_always_keeps_an_administrator(api):
    admin, director = "lo13.admin", "lo13.dyrektor"
    # An administrator neither deactivates themselves nor drops their own role...
    selfish = api.call("POST", f"/units/{KEEPER}/users/{admin}/deactivate", user=admin)
    assert selfish.status == 409 and selfish.body["error_code"] == "SELF_LOCKOUT"
    dropped = api.call("PATCH", f"/units/{KEEPER}/users/{admin}", user=admin, json_body={"roles": ["archivist"]})
    assert dropped.status == 409 and dropped.body["error_code"] == "SELF_LOCKOUT"
    # ...another administrator does; but the last one stays.
    demoted = api.call("PATCH", f"/units/{KEEPER}/users/{director}", user=admin,
                       json_body={"roles": ["manager", "case_officer"]})
    assert demoted.status == 200, demoted.body
    last = api.call("PATCH", f"/units/{KEEPER}/users/{admin}", user=admin, json_body={"roles": ["archivist"]})
    assert last.status == 409 and last.body["error_code"] == "LAST_ADMIN"
    assert api.call("POST", f"/units/{KEEPER}/users/{admin}/deactivate", user=admin).body["error_code"] == "SELF_LOCKOUT"
    # Keeping one's own administration while changing other roles is fine.
    own = api.call("PATCH", f"/units/{KEEPER}/users/{admin}", user=admin, json_body={"roles": ["unit_admin", "archivist"]})
    assert own.status == 200, own.body
    # The director is no longer an administrator: refused at once.
    assert api.call("GET", f"/units/{KEEPER}/users", user=director).status == 403
    restored = api.call("PATCH", f"/units/{KEEPER}/users/{director}", user=admin,
                        json_body={"roles": ["manager", "unit_admin", "case_officer"]})
    assert restored.status == 200
    assert api.call("PATCH", f"/units/{KEEPER}/users/{admin}", user=director, json_body={"roles": ["unit_admin"]}).status == 200


def test_every_change_is_in_the_units_audit_chain_with_who_did_it(api):
    user, _ = _add(api)
    login = user["login"]
    api.call("PATCH", f"/units/{UNIT}/users/{login}", user="lo11.dyrektor", json_body={"roles": ["manager"]})
    api.call("POST", f"/units/{UNIT}/users/{login}/deactivate", user=ADMIN)
    api.call("POST", f"/units/{UNIT}/users/{login}/reactivate", user=ADMIN)
    api.call("POST", f"/units/{UNIT}/users/{login}/password-reset", user=ADMIN)
    history = api.call("GET", f"/units/{UNIT}/user-history", user=ADMIN)
    assert history.status == 200 and history.body["count"] == len(history.body["entries"])
    mine = [e for e in history.body["entries"] if e["details"].get("login") == login]
    assert [(e["action"], e["actor"]["login"]) for e in mine] == [
        ("user_added", ADMIN), ("user_changed", "lo11.dyrektor"), ("user_deactivated", ADMIN),
        ("user_reactivated", ADMIN), ("password_reset", ADMIN)]
    assert mine[1]["details"]["changes"] == {"roles": {"before": ["case_officer"], "after": ["manager"]}}
    assert mine[0]["actor"]["full_name"] and mine[0]["summary"].startswith("Dodanie użytkownika")
    seqs = [e["seq"] for e in history.body["entries"]]
    assert seqs == list(range(1, len(seqs) + 1))
    assert b"temporary_password" not in history.raw
    # A refused change leaves no entry.
    api.call("POST", f"/units/{UNIT}/users", user=ADMIN, json_body=_new_user(cell="XYZ"))
    assert api.call("GET", f"/units/{UNIT}/user-history", user=ADMIN).body["count"] == len(seqs)


def test_two_administrators_adding_the_same_login_at_once_make_one_user(api):
    from concurrent.futures import ThreadPoolExecutor

    body = _new_user()
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda admin: api.call("POST", f"/units/{UNIT}/users", user=admin, json_body=body),
                                [ADMIN, "lo11.dyrektor"] * 2))
    created = [a for a in answers if a.status == 201]
    assert len(created) == 1, [(a.status, a.body) for a in answers]
    assert all(a.status == 409 and a.body["error_code"] == "USER_EXISTS" for a in answers if a.status != 201)
    # The losers undid nothing of the winner's: the user logs in with the password handed over.
    first = _log_in(api, body["login"], created[0].body["temporary_password"])
    assert first.status == 403 and first.body["error_code"] == "PASSWORD_CHANGE_REQUIRED"
    history = api.call("GET", f"/units/{UNIT}/user-history", user=ADMIN).body["entries"]
    assert [e["action"] for e in history if e["details"].get("login") == body["login"]] == ["user_added"]


def test_two_administrators_taking_each_others_role_at_once_leave_one(api):
    from concurrent.futures import ThreadPoolExecutor

    unit = "LO15"
    first, second = "lo15.admin", "lo15.dyrektor"
    both = {first: ["unit_admin"], second: ["manager", "unit_admin", "case_officer"]}
    without = {first: ["archivist"], second: ["manager", "case_officer"]}
    outcomes = set()
    for _ in range(8):
        with ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(lambda pair: api.call(
                "PATCH", f"/units/{unit}/users/{pair[1]}", user=pair[0], json_body={"roles": without[pair[1]]}),
                [(first, second), (second, first)]))
        statuses = sorted(a.status for a in answers)
        outcomes.add(tuple(statuses))
        assert statuses != [200, 200], [a.body for a in answers]
        assert all(a.body["error_code"] in ("CONFLICT", "LAST_ADMIN", "FORBIDDEN") for a in answers if a.status != 200)
        users = _users(api, unit, first if any(
            a.status == 200 and a.body["login"] == second for a in answers) else second)
        admins = [login for login, u in users.items() if u["active"] and "unit_admin" in u["roles"]]
        assert len(admins) >= 1, users
        # Back to two administrators for the next round.
        keeper = admins[0]
        for login, roles in both.items():
            assert api.call("PATCH", f"/units/{unit}/users/{login}", user=keeper, json_body={"roles": roles}).status == 200
    assert outcomes <= {(200, 403), (200, 409)}, outcomes
