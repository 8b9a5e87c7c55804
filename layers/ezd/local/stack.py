"""The embedded local stack: moto running the template's resources and real ASL, the
ePUAP simulator, the portal API and the scheduler, all in one process.

`make run` starts it; tests start it once per session on free ports.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ezd.local import lambda_runtime, lifecycle, moto_patches, moto_sfn_integration
from ezd.local.edoreczenia import EdoreczeniaSimulator
from ezd.local.epuap_simulator import EpuapSimulator
from ezd.services.dispatch.channels import UPD_BOX_NAME
from ezd.local.iam_enforcement import Enforcer, acting_as, install_request_tagging
from ezd.local.iam_policies import function_statements
from ezd.adapters.wssecurity import WsSecuritySigner
from ezd.local.keys import ensure_demo_ca, ensure_epuap_simulator_identity, ensure_seal, identity_pems
from ezd.local.moto_server import SerializedMotoServer
from ezd.local.persistence import Persistence, RestoreReport
from ezd.local.provision import ProvisionedStack, provision
from ezd.local.scheduler import LocalScheduler, LocalTask
from ezd.local.secret_files import ensure_private_mode, ensure_random_key
from ezd.local.template import REGION, Template
from ezd.local.unit_seals import STAGE_PREFIX as UNIT_SEAL_PREFIX, provision_unit_seals

STACK_NAME = "ezd-local"
EDORECZENIA_CLIENT_ID = "ezd-local"


def repository_root() -> Path:
    return Path(os.environ.get("EZD_ROOT") or Path(__file__).resolve().parents[3])


@dataclass
class StackInfo:
    """What a client of a running stack needs: written to <state>/stack.json."""

    moto_url: str
    api_url: str
    epuap_url: str
    environment: dict[str, str]
    state_dir: str
    functions: dict[str, str] = field(default_factory=dict)  # logical id -> function name
    token_key_file: str = ""  # the installation's token-signing key (0600); never in this file
    portal_url: str = ""  # the web portal (the API's own origin, or EZD_PORTAL_PORT's)
    # The e-Doręczenia User Agent API simulator: its API base (…/api/v1), token endpoint and
    # the OAuth2 client registered for every demo unit's address (secret in a 0600 file).
    edoreczenia_url: str = ""
    edoreczenia_token_url: str = ""
    edoreczenia_client_id: str = ""
    edoreczenia_secret_file: str = ""
    started_at: float = field(default_factory=time.time)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2)

    @classmethod
    def load(cls, path: Path) -> "StackInfo":
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def activate(self) -> None:
        """Point this process's adapters at the running stack."""
        os.environ.update(self.environment)
        os.environ["AWS_ENDPOINT_URL"] = self.moto_url
        _forget_cached_configuration()


def local_token(info: StackInfo, login: str, lifetime: int | None = None) -> str:
    """A token for a user of the local stack, signed with the installation's key (what
    `ezd token` prints). Refuses a login the directory does not know."""
    from ezd.adapters import directory_store
    from ezd.services.auth import TOKEN_LIFETIME_SECONDS, issue_token

    user = directory_store.get_user(login)
    if user is None or not user.active:
        raise LookupError(f"no active user {login} in the local stack")
    key = Path(info.token_key_file).read_text(encoding="ascii").strip()
    return issue_token(login, key, lifetime or TOKEN_LIFETIME_SECONDS)


def _forget_cached_configuration() -> None:
    from ezd.adapters import aws
    from ezd.config import settings

    settings.cache_clear()
    aws.reset_clients()


def _base_environment(moto_url: str, port: int) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": moto_url,
        "MOTO_PORT": str(port),
        # No X-Ray daemon locally; logs and metrics still go to stdout as in Lambda.
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_DEV": "false",
    }


class LocalStack:
    def __init__(
        self,
        state_dir: Path,
        *,
        api_port: int = 8000,
        moto_port: int = 0,
        epuap_port: int = 0,
        edoreczenia_port: int = 0,
        seed_demo: bool = True,
        run_schedules: bool = True,
        schedule_speedup: float = 1.0,
        parameters: dict[str, str] | None = None,
        root: Path | None = None,
        persist: bool = True,
        fresh: bool = False,
        enforce_iam: bool | None = None,
        portal_port: int | None = None,
        portal_dist: Path | None = None,
    ) -> None:
        self.root = root or repository_root()
        self.state_dir = state_dir
        self.api_port = api_port
        # The portal is served at / of the API's origin; portal_port also serves both (the
        # same handler) on a port of their own, e.g. 8080 for `make run`.
        self.portal_port = portal_port
        self.portal_dist = portal_dist or self.root / "portal" / "dist"
        self.moto_port = moto_port
        self.epuap_port = epuap_port
        self.edoreczenia_port = edoreczenia_port
        self.edoreczenia: EdoreczeniaSimulator | None = None
        self.seed_demo = seed_demo
        self.run_schedules = run_schedules
        self.schedule_speedup = schedule_speedup
        self.parameters = parameters or {}
        self.moto: SerializedMotoServer | None = None
        self.simulator: EpuapSimulator | None = None
        self.provisioned: ProvisionedStack | None = None
        self.info: StackInfo | None = None
        self._api_server: Any = None
        self._portal_server: Any = None
        self._scheduler: LocalScheduler | None = None
        # S3 lifecycle, which moto stores and never runs: the template's rules, daily and
        # by hand (`ezd lifecycle run`, POST <moto>/ezd-local/lifecycle).
        self.lifecycle: lifecycle.LifecycleRunner | None = None
        self.runtime = lambda_runtime.InProcessLambdas()
        # Persistence: the saved state under <state>/data (fresh: start from nothing).
        self.persist = persist
        self.fresh = fresh
        self.persistence: Persistence | None = None
        self.restored: RestoreReport | None = None
        # Each function's requests are checked against its role in the template.
        # EZD_IAM=record only records what the functions call (to write their policies).
        self.enforce_iam = enforce_iam if enforce_iam is not None else os.environ.get("EZD_IAM", "enforce") != "record"
        self.enforcer: Enforcer | None = None
        # The Cognito login mode (ezd/local/cognito_stage.py) puts API Gateway's Cognito
        # authorizer in front of the API here; None: the API as the local stage runs it.
        self.api_authorizer: Any = None
        self.portal_files: Any = None

    def start(self) -> StackInfo:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        # Persistence: take the state directory (one stack at a time) before binding ports.
        self.persistence = Persistence.open(self.state_dir, fresh=self.fresh) if self.persist else None
        self.moto = SerializedMotoServer(port=self.moto_port, journal=self.persistence)
        os.environ.update(_base_environment(self.moto.url, self.moto.port))
        _forget_cached_configuration()
        self.moto.start()
        lambda_runtime.install(self.runtime)
        moto_patches.install()
        moto_sfn_integration.install()
        lifecycle.install()

        epuap = ensure_epuap_simulator_identity(self.state_dir)
        self.simulator = EpuapSimulator(push_signer=WsSecuritySigner(*identity_pems(epuap)))
        epuap_url = self.simulator.start(port=self.epuap_port)
        edoreczenia_secret_file = self.state_dir / "keys" / "edoreczenia-client.secret"
        edoreczenia_secret = ensure_random_key(edoreczenia_secret_file)
        self.edoreczenia = self._start_edoreczenia(edoreczenia_secret)
        seal = ensure_seal(self.state_dir / "keys" / "seal.pem")
        ensure_private_mode(seal)
        token_key_file = self.state_dir / "keys" / "token-signing.key"
        token_key = ensure_random_key(token_key_file)
        trust_dir = self.state_dir / "trust"
        trust_dir.mkdir(parents=True, exist_ok=True)
        demo_ca = ensure_demo_ca(self.state_dir)
        self._provision_unit_seals(demo_ca)
        parameters = {
            "Stage": "local",
            "EpuapEndpoint": f"{epuap_url}/pk_external_ws/services",
            "TrustStoreParameter": str(trust_dir),
            "EpuapPushTrustParameter": str(self.state_dir / "trust-epuap"),
            "ReceiptSealSecretArn": self._store_secret(
                "receipt-seal", seal.read_text(encoding="ascii"), "The registry's seal for UPP receipts (local stack)"),
            "UnitSealSecretPrefix": UNIT_SEAL_PREFIX,
            "LocalTokenSecretArn": self._store_secret(
                "token-signing-key", token_key, "Signs the local stack's login tokens (made for this installation)"),
            # e-Doręczenia: the simulator, the installation's client, and the master key of the
            # mailboxes' callback URLs (the URL itself is the API's, known once it listens).
            "EdoreczeniaApiUrl": self.edoreczenia.api_url,
            "EdoreczeniaTokenUrl": self.edoreczenia.token_url,
            "EdoreczeniaClientId": EDORECZENIA_CLIENT_ID,
            "EdoreczeniaClientSecretArn": self._store_secret(
                "edoreczenia-client-secret", edoreczenia_secret, "The e-Doręczenia OAuth2 client's secret (local stack)"),
            "EdoreczeniaCallbackSecretArn": self._store_secret(
                "edoreczenia-callback-key", ensure_random_key(self.state_dir / "keys" / "edoreczenia-callback.key"),
                "Master key of the e-Doręczenia callback URLs (made for this installation)"),
            **self.parameters,
        }
        template = Template(self.root / "infra" / "template.yaml", STACK_NAME, parameters)
        self.provisioned = provision(template, self.moto.url, self.runtime)
        runner = self.lifecycle = lifecycle.LifecycleRunner(self.provisioned.lifecycle, self.moto)
        self.moto.operations["lifecycle"] = lambda body: runner.run(prefix=str(body.get("prefix") or "")).as_dict()
        # From here on each function calls AWS under the role the template gives it.
        install_request_tagging()
        self.enforcer = Enforcer(function_statements(template), enforce=self.enforce_iam)
        self.moto.enforcer = self.enforcer
        environment = {
            **_base_environment(self.moto.url, self.moto.port),
            **self.provisioned.environment,
        }
        os.environ.update(environment)
        _forget_cached_configuration()

        # Persistence: the saved state goes into the resources just created, before anyone
        # is served; demo data only on a fresh installation (never over users' changes).
        if self.persistence:
            self.restored = self.persistence.restore(self.moto.lock, self.simulator)
        if self.seed_demo and not (self.restored and self.restored.resumed):
            self._seed()
        if self.persistence:
            self.persistence.initialized()
        api_url, portal_url = self._start_api()
        if not self.parameters.get("EdoreczeniaCallbackUrl"):
            # The service calls back the API where it listens (a free port in tests).
            environment["EZD_EDORECZENIA_CALLBACK_URL"] = os.environ["EZD_EDORECZENIA_CALLBACK_URL"] = api_url
            _forget_cached_configuration()
        if self.run_schedules:
            self._scheduler = LocalScheduler(
                self.provisioned.schedules, self._invoke_async, self.schedule_speedup,
                tasks=[LocalTask("s3-lifecycle", 86400, runner.run)])
            self._scheduler.start()
        self.info = StackInfo(
            moto_url=self.moto.url,
            api_url=api_url,
            epuap_url=epuap_url,
            environment=environment,
            state_dir=str(self.state_dir),
            functions=dict(self.provisioned.functions),
            token_key_file=str(token_key_file),
            portal_url=portal_url,
            edoreczenia_url=self.edoreczenia.api_url,
            edoreczenia_token_url=self.edoreczenia.token_url,
            edoreczenia_client_id=EDORECZENIA_CLIENT_ID,
            edoreczenia_secret_file=str(edoreczenia_secret_file),
        )
        (self.state_dir / "stack.json").write_text(self.info.to_json(), encoding="utf-8")
        if self.persistence:  # continue waiting workflows in the background
            self.persistence.start_background(self.moto.url)
        return self.info

    def _start_edoreczenia(self, secret: str) -> EdoreczeniaSimulator:
        """The e-Doręczenia simulator with every demo unit's e-delivery address (its state is
        in memory: the addresses are registered again on every start), one OAuth2 client for
        the installation."""
        from ezd.local.demo_data import demo_units

        simulator = EdoreczeniaSimulator()
        addresses = []
        for unit in demo_units():
            if unit.ade:
                simulator.register_address(unit.ade, unit.name, public=True)
                addresses.append(unit.ade)
        simulator.register_client(EDORECZENIA_CLIENT_ID, secret, addresses)
        simulator.start(port=self.edoreczenia_port)
        return simulator

    def _provision_unit_seals(self, ca: Any) -> None:
        """Every demo unit's seal (issued by the demo CA, kept 0600 under keys/unit-seals/)
        into Secrets Manager as ezd/local/unit-seal/<UNIT>, where the adapter reads it."""
        from ezd.adapters.aws import client
        from ezd.local.demo_data import demo_units

        provision_unit_seals(self.state_dir, demo_units(), ca, client("secretsmanager"), UNIT_SEAL_PREFIX)

    def _store_secret(self, name: str, text: str, description: str) -> str:
        """Generated key material goes where a deployment keeps it: Secrets Manager."""
        from ezd.adapters.aws import client
        from ezd.adapters.secrets import forget

        forget()
        response = client("secretsmanager").create_secret(
            Name=f"{STACK_NAME}/{name}", SecretString=text, Description=description)
        return response["ARN"]

    def _seed(self) -> None:
        from ezd.adapters import credential_store, directory_store, jrwa_store, letter_template_store, routing_store
        from ezd.local.demo_data import (
            demo_cells,
            demo_classification_rules,
            demo_credentials,
            demo_decretation_models,
            demo_jrwa,
            demo_letterheads,
            demo_units,
            demo_users,
        )
        from ezd.models.jrwa import JrwaClass

        assert self.simulator is not None
        units = demo_units()
        directory_store.put_units(units)
        users = demo_users(units)
        directory_store.put_users(users)
        credential_store.put_many(demo_credentials(users))
        directory_store.put_cells(demo_cells(units))
        routing_store.put_rules(demo_classification_rules())
        routing_store.put_decretation_models(demo_decretation_models())
        letter_template_store.put_letterheads(demo_letterheads(units))
        jrwa_store.put_plan(
            jrwa_store.CITY_PLAN,
            1,
            [JrwaClass(symbol=r["symbol"], heading=r["heading"], category=r["category"] or None, notes=r["notes"] or None)
             for r in demo_jrwa()],
        )
        for unit in units:
            self.simulator.register_box(unit.podmiot, unit.box_name, unit.esp_address)
            # The box the UPDs of the unit's dorecz orders come back to (services/dispatch/channels.py).
            self.simulator.register_box(unit.podmiot, UPD_BOX_NAME, f"/{unit.podmiot}/{UPD_BOX_NAME}")

    def _start_api(self) -> tuple[str, str]:
        from chalice.config import Config
        from chalice.local import ChaliceRequestHandler, ThreadedHTTPServer, create_local_server

        from ezd.local.portal import PortalFiles, serve_portal_file

        api_function = self.provisioned.name("ApiFunction")
        portal = self.portal_files = PortalFiles(self.portal_dist, storage_origin=self.moto.url.rstrip("/"))
        stack = self

        class QuietHandler(ChaliceRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:  # the portal's files first, then the API
                if not serve_portal_file(self, portal):
                    self._generic_handle()

            do_HEAD = do_GET

            def handle_one_request(self) -> None:
                if stack.api_authorizer is not None:  # in place of chalice.local's own
                    self.local_gateway._authorizer = stack.api_authorizer  # noqa: SLF001
                with acting_as(api_function):  # the API calls AWS under ApiFunction's role
                    super().handle_one_request()

        # The same Chalice app object the ApiFunction's Handler names, served as API Gateway would.
        app = self.runtime.handler(api_function)
        config = Config.create(chalice_app=app, app_name="ezd-api", chalice_stage="local")
        server = create_local_server(app, config, "127.0.0.1", self.api_port)
        # The same request handler, without an access-log line per request.
        handler = functools.partial(QuietHandler, app_object=app, config=config)
        server.server.RequestHandlerClass = handler
        threading.Thread(target=server.serve_forever, name="api", daemon=True).start()
        self._api_server = server
        api_url = f"http://127.0.0.1:{server.server.server_address[1]}"
        portal_url = f"{api_url}/"
        if self.portal_port is not None:  # the same handler on the portal's own port
            portal_server = ThreadedHTTPServer(("127.0.0.1", self.portal_port), handler)
            threading.Thread(target=portal_server.serve_forever, name="portal", daemon=True).start()
            self._portal_server = portal_server
            portal_url = f"http://127.0.0.1:{portal_server.server_address[1]}/"
        return api_url, portal_url

    def _invoke_async(self, function_name: str, payload: str) -> None:
        from ezd.adapters.aws import client

        client("lambda").invoke(FunctionName=function_name, InvocationType="Event", Payload=payload.encode())

    def stop(self) -> None:
        if self.persistence:  # what fails while stopping has not really ended
            self.persistence.freeze()
        if self._scheduler:
            self._scheduler.stop()
        if self._portal_server:
            self._portal_server.shutdown()
            self._portal_server.server_close()
        if self._api_server:
            self._api_server.shutdown()
        if self.simulator:
            self.simulator.stop()
        if self.edoreczenia:
            self.edoreczenia.stop()
        if self.moto:
            self.moto.stop()
        if self.persistence:  # a final snapshot; the state directory is free again
            self.persistence.close()
            self.persistence = None
