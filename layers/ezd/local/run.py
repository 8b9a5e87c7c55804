"""`make run`: start the embedded local stack and say where it is.

It resumes the saved state in ``<state-dir>/data`` (demo data is written only on a fresh
installation); ``--fresh`` (``make run FRESH=1``) starts from nothing instead. SIGTERM
and Ctrl+C stop it gracefully (a final snapshot); after ``kill -9`` the next start
recovers from the journal.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path

from ezd.local.persistence import StateBusy
from ezd.local.stack import LocalStack, repository_root
from ezd.local.demo_data import DEMO_PASSWORD


def main() -> None:
    parser = argparse.ArgumentParser(description="Run EZD locally on moto")
    parser.add_argument("--api-port", type=int, default=int(os.environ.get("EZD_PORT", "8000")))
    parser.add_argument("--portal-port", type=int, default=int(os.environ.get("EZD_PORTAL_PORT", "8080")),
                        help="the web portal (with the API on the same origin); it is also at / of the API's port")
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("EZD_MOTO_PORT", "5001")))
    parser.add_argument("--epuap-port", type=int, default=int(os.environ.get("EZD_EPUAP_PORT", "8001")))
    parser.add_argument("--edoreczenia-port", type=int, default=int(os.environ.get("EZD_EDORECZENIA_PORT", "8002")))
    parser.add_argument("--state-dir", type=Path, default=repository_root() / ".ezd")
    parser.add_argument("--schedule-speedup", type=float, default=float(os.environ.get("EZD_SCHEDULE_SPEEDUP", "1")))
    parser.add_argument("--fresh", action="store_true", help="forget the saved state and start empty (demo data only); keys and trust stay")
    parser.add_argument("--no-schedules", action="store_true", help="do not fire the template's schedules")
    args = parser.parse_args()

    stack = LocalStack(
        args.state_dir,
        api_port=args.api_port,
        portal_port=args.portal_port,
        moto_port=args.moto_port,
        epuap_port=args.epuap_port,
        edoreczenia_port=args.edoreczenia_port,
        schedule_speedup=args.schedule_speedup,
        run_schedules=not args.no_schedules,
        fresh=args.fresh,
    )
    try:
        info = stack.start()
    except StateBusy as busy:
        raise SystemExit(f"ezd: {busy}") from None
    saved = stack.restored.summary() if stack.restored else "not kept (persistence off)"
    from ezd.local.stack import local_token

    built = (stack.portal_dist / "index.html").is_file()
    portal_note = "" if built else "\n                    (not built yet: `make portal`, then reload the page)"

    print(
        f"""
EZD local stack is running (moto, real ASL, in-process Lambda).
  web portal        {info.portal_url}   (also {info.api_url}/; log in as sp19.sekretariat){portal_note}
  portal API        {info.api_url}          (try {info.api_url}/health; described at {info.api_url}/openapi.json)
  ePUAP simulator   {info.epuap_url}/pk_external_ws/services/{{pull,skrytka}}
  e-Doręczenia sim  {info.edoreczenia_url}   (token {info.edoreczenia_token_url}, client {info.edoreczenia_client_id})
  moto (AWS API)    {info.moto_url}
  state             {info.state_dir}/stack.json
  saved data        {info.state_dir}/data: {saved}
  demo units        165 (SP1…SP58, P1…P71, LO1…, ZS1…, LCEAO, WOIW = the education department)
  demo users        <unit>.sekretariat / .dyrektor / .kadry / .archiwum / .admin (e.g. sp19.dyrektor)
  demo password     {DEMO_PASSWORD}   (the same for every demo user; POST {info.api_url}/auth/login)
  a token           {local_token(info, 'sp19.sekretariat')}
                    (valid 1 h; .venv/bin/ezd token --user sp19.sekretariat)
Try:  .venv/bin/ezd demo-letter --out /tmp/letter.xml && .venv/bin/ezd intake /tmp/letter.xml --unit SP19
      .venv/bin/ezd registry --unit SP19 --date $(date +%F)
      curl -H "Authorization: Bearer $(.venv/bin/ezd token --user sp19.dyrektor)" {info.api_url}/units/SP19/inbox
Stop with Ctrl+C (the data is kept; `make run FRESH=1` or `ezd reset` starts empty).""",
        flush=True,
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    stack.stop()


if __name__ == "__main__":
    main()
