"""AWS clients are made once per process, under a lock, however many threads ask first."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import botocore.session
import pytest

from ezd.adapters import aws, records_table
from ezd.adapters.records_table import RecordItem


@pytest.fixture
def created(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every botocore client made while the test runs, by service."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "local")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    counts: Counter[str] = Counter()
    lock = threading.Lock()
    original = botocore.session.Session.create_client

    def create_client(self, service_name, *args, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            counts[service_name] += 1
        return original(self, service_name, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", create_client)
    saved = (RecordItem.Meta.table_name, RecordItem.Meta.region)
    aws.reset_clients()
    yield counts
    aws.reset_clients()
    RecordItem.Meta.table_name, RecordItem.Meta.region = saved


def _together(threads: int, action) -> list:  # type: ignore[no-untyped-def]
    start = threading.Barrier(threads)

    def run(_: int):  # type: ignore[no-untyped-def]
        start.wait()
        return action()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, range(threads)))


def test_boto3_clients_are_made_once_for_many_threads(created: Counter[str]) -> None:
    clients = _together(16, lambda: (aws.client("s3"), aws.client("dynamodb")))
    assert created == {"s3": 1, "dynamodb": 1}
    assert len({id(c) for pair in clients for c in pair}) == 2


def test_the_table_connection_and_its_client_are_made_once_for_many_threads(created: Counter[str]) -> None:
    def first_use():  # type: ignore[no-untyped-def]
        records_table.bind_table("ezd-test-records", "eu-central-1")
        return RecordItem._get_connection().connection.client  # noqa: SLF001

    clients = _together(16, first_use)
    assert created == {"dynamodb": 1}
    assert len({id(c) for c in clients}) == 1


def test_the_transaction_connection_is_made_once_for_many_threads(created: Counter[str]) -> None:
    clients = _together(16, lambda: records_table.transaction_connection().client)
    assert created == {"dynamodb": 1}
    assert len({id(c) for c in clients}) == 1


def test_a_new_table_gets_a_new_connection(created: Counter[str]) -> None:
    records_table.bind_table("ezd-test-records", "eu-central-1")
    records_table.bind_table("ezd-test-records", "eu-central-1")
    records_table.bind_table("ezd-other-records", "eu-central-1")
    assert RecordItem._get_connection().table_name == "ezd-other-records"  # noqa: SLF001
    assert created == {"dynamodb": 2}
