"""A scan on its way to the register: uploaded straight to S3, then registered by reference.

A scan of up to the configured limit (50 MB) cannot pass through API Gateway (10 MB) or a
Lambda payload (6 MB), so the registry desk asks for a short-lived pre-signed upload, the
browser sends the bytes to S3, and the registration names the upload.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class Backdating(BaseModel):
    """A manager's confirmation that a paper letter was received on an earlier day than
    the registry desk may state on its own (the limit is a setting, 30 days by default)."""

    received_on: date
    reason: str = Field(min_length=1, max_length=2000)
    by: str
    by_name: str
    by_position: str
    at: datetime


UploadPurpose = Literal["paper", "draft"]


class Upload(BaseModel):
    upload_id: str
    unit: str
    clerk: str  # who uploaded it: only they may use it
    purpose: UploadPurpose = "paper"  # a scan to register, or a draft's content
    filename: str
    declared_size: int
    bucket: str
    key: str
    created_at: datetime
    expires_at: datetime  # the upload link's end
    backdating: Backdating | None = None
    intake_ids: list[str] = []  # registrations started from it (a conflict may be registered anyway later)
    version: int = 1


class UploadTicket(BaseModel):
    """What the client needs to send the bytes: a form POST to S3 (S3 enforces the size)."""

    upload_id: str
    method: str = "POST"
    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int
