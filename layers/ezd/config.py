"""Runtime settings, read from the environment the template gives every function."""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import BaseModel


class Settings(BaseModel):
    stage: str = "local"
    region: str = "eu-central-1"
    table: str
    archive_bucket: str
    quarantine_bucket: str
    staging_bucket: str
    derived_bucket: str
    anchor_bucket: str | None = None
    anchor_retention_days: int = 3650
    archive_retention_days: int = 1825
    quarantine_retention_days: int = 90
    quarantine_quota_count: int = 30  # rejected inputs per source and hour
    quarantine_quota_bytes: int = 200 * 1024 * 1024
    intake_state_machine_arn: str | None = None
    epuap_endpoint: str = "https://ws.epuap.gov.pl/pk_external_ws/services"
    local_token_secret_arn: str | None = None  # the local stage's token key; never set in AWS
    user_pool_id: str | None = None  # the Cognito user pool of a deployed stage (unit administration)
    epuap_push_trust: str | None = None  # certificates trusted as ePUAP's (push signatures)
    # How the portal logs in outside the local stage (GET /auth/config): Cognito's hosted
    # login at this domain, with the portal's public app client, returning to the portal.
    cognito_domain: str | None = None  # https://<prefix>.auth.<region>.amazoncognito.com
    cognito_client_id: str | None = None
    portal_url: str | None = None
    download_link_seconds: int = 300
    max_document_bytes: int = 52_428_800
    paper_backdate_limit_days: int = 30  # older dates of receipt need a manager's confirmation
    # e-Doręczenia (User Agent API) for the units' e-delivery addresses: where it is, the
    # system's OAuth2 client (its secret in Secrets Manager), the secret the callback keys
    # are derived from (no callback is accepted without it), the URL the service calls
    # back (the API's public base), the workflow a callback starts, and the poll's back-off.
    edoreczenia_api_url: str | None = None
    edoreczenia_token_url: str | None = None
    edoreczenia_client_id: str | None = None
    edoreczenia_client_secret_arn: str | None = None
    edoreczenia_callback_secret_arn: str | None = None
    edoreczenia_callback_url: str | None = None
    edoreczenia_collect_state_machine_arn: str | None = None
    edoreczenia_backoff_first_seconds: int = 60
    edoreczenia_backoff_cap_seconds: int = 3600
    # The electronic dispatch (services/dispatch/electronic.py): its workflow, and how its
    # Wait state waits for evidences — first wait, doubling, capped, at most so many checks
    # (about 16 days with the defaults: past e-Doręczenia's deemed delivery after 14).
    dispatch_state_machine_arn: str | None = None
    dispatch_wait_first_seconds: int = 60
    dispatch_wait_cap_seconds: int = 21600
    dispatch_wait_max_checks: int = 72

    @classmethod
    def from_env(cls) -> "Settings":
        env = os.environ
        return cls(
            stage=env.get("EZD_STAGE", "local"),
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-central-1",
            table=env["EZD_TABLE"],
            archive_bucket=env["EZD_ARCHIVE_BUCKET"],
            quarantine_bucket=env["EZD_QUARANTINE_BUCKET"],
            staging_bucket=env["EZD_STAGING_BUCKET"],
            derived_bucket=env["EZD_DERIVED_BUCKET"],
            anchor_bucket=env.get("EZD_ANCHOR_BUCKET") or None,
            anchor_retention_days=int(env.get("EZD_ANCHOR_RETENTION_DAYS", "3650")),
            archive_retention_days=int(env.get("EZD_ARCHIVE_RETENTION_DAYS", "1825")),
            quarantine_retention_days=int(env.get("EZD_QUARANTINE_RETENTION_DAYS", "90")),
            quarantine_quota_count=int(env.get("EZD_QUARANTINE_QUOTA_COUNT", "30")),
            quarantine_quota_bytes=int(env.get("EZD_QUARANTINE_QUOTA_MEGABYTES", "200")) * 1024 * 1024,
            intake_state_machine_arn=env.get("EZD_INTAKE_STATE_MACHINE_ARN") or None,
            epuap_endpoint=env.get("EZD_EPUAP_ENDPOINT", cls.model_fields["epuap_endpoint"].default),
            local_token_secret_arn=env.get("EZD_LOCAL_TOKEN_SECRET_ARN") or None,
            user_pool_id=env.get("EZD_USER_POOL_ID") or None,
            epuap_push_trust=env.get("EZD_EPUAP_PUSH_TRUST") or None,
            cognito_domain=(env.get("EZD_COGNITO_DOMAIN") or "").rstrip("/") or None,
            cognito_client_id=env.get("EZD_COGNITO_CLIENT_ID") or None,
            portal_url=env.get("EZD_PORTAL_URL") or None,
            max_document_bytes=int(env.get("EZD_MAX_DOCUMENT_BYTES", "52428800")),
            paper_backdate_limit_days=int(env.get("EZD_PAPER_BACKDATE_LIMIT_DAYS", "30")),
            edoreczenia_api_url=env.get("EZD_EDORECZENIA_API_URL") or None,
            edoreczenia_token_url=env.get("EZD_EDORECZENIA_TOKEN_URL") or None,
            edoreczenia_client_id=env.get("EZD_EDORECZENIA_CLIENT_ID") or None,
            edoreczenia_client_secret_arn=env.get("EZD_EDORECZENIA_CLIENT_SECRET_ARN") or None,
            edoreczenia_callback_secret_arn=env.get("EZD_EDORECZENIA_CALLBACK_SECRET_ARN") or None,
            edoreczenia_callback_url=(env.get("EZD_EDORECZENIA_CALLBACK_URL") or "").rstrip("/") or None,
            edoreczenia_collect_state_machine_arn=env.get("EZD_EDORECZENIA_COLLECT_STATE_MACHINE_ARN") or None,
            edoreczenia_backoff_first_seconds=int(env.get("EZD_EDORECZENIA_BACKOFF_FIRST_SECONDS", "60")),
            edoreczenia_backoff_cap_seconds=int(env.get("EZD_EDORECZENIA_BACKOFF_CAP_SECONDS", "3600")),
            dispatch_state_machine_arn=env.get("EZD_DISPATCH_STATE_MACHINE_ARN") or None,
            dispatch_wait_first_seconds=int(env.get("EZD_DISPATCH_WAIT_FIRST_SECONDS", "60")),
            dispatch_wait_cap_seconds=int(env.get("EZD_DISPATCH_WAIT_CAP_SECONDS", "21600")),
            dispatch_wait_max_checks=int(env.get("EZD_DISPATCH_WAIT_MAX_CHECKS", "72")),
        )


@lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()
