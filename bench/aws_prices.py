"""Public AWS on-demand prices used by bench/cost_model.py: all of them, in one place.

Region eu-central-1 (Frankfurt), USD, no free tier, first pricing tier (the reference
city's volumes never leave it). Each price names the page it comes from and how it was
checked. ``checked`` says what was confirmed for this file:

- "page": the Frankfurt figure read on the pricing page on ``AS_OF``;
- "page, us-east-1": only the US East figure could be read (the region tables of most
  pricing pages are rendered in the browser); the Frankfurt figure here is AWS's
  published one as known to the author, to be confirmed in the AWS Pricing Calculator
  before a figure goes into a tender.

Change a price here and every table the cost model prints follows.
"""

from __future__ import annotations

from dataclasses import dataclass

REGION = "eu-central-1"
AS_OF = "2026-12-02"


@dataclass(frozen=True)
class Price:
    usd: float  # per ``unit``
    unit: str
    source: str
    checked: str
    note: str = ""


_LAMBDA = "https://aws.amazon.com/lambda/pricing/"
_SFN = "https://aws.amazon.com/step-functions/pricing/"
_DDB = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
_S3 = "https://aws.amazon.com/s3/pricing/"
_SM = "https://aws.amazon.com/secrets-manager/pricing/"
_CW = "https://aws.amazon.com/cloudwatch/pricing/"

PRICES: dict[str, Price] = {
    # ---- AWS Lambda (requests; duration per GB-second by architecture, billed per 1 ms)
    "lambda.request": Price(0.20 / 1e6, "request", _LAMBDA, "page, us-east-1", "$0.20 per 1M requests"),
    "lambda.gb_s.x86_64": Price(0.0000166667, "GB-second", _LAMBDA, "page, us-east-1", "first 6 billion GB-s/month"),
    "lambda.gb_s.arm64": Price(0.0000133334, "GB-second", _LAMBDA, "page, us-east-1", "first 7.5 billion GB-s/month"),
    # ---- AWS Step Functions
    "states.standard.transition": Price(0.025 / 1000, "state transition", _SFN, "page",
                                        "$0.0250 per 1,000 in Europe (Frankfurt); retries count"),
    "states.express.request": Price(1.00 / 1e6, "execution", _SFN, "page, us-east-1", "$1.00 per 1M requests"),
    "states.express.gb_s": Price(0.00001667, "GB-second", _SFN, "page, us-east-1",
                                 "first 1,000 GB-hours/month; 100 ms steps, 64 MB chunks"),
    # ---- Amazon DynamoDB, on demand, Standard table class (after the 1 Nov 2024 halving)
    "dynamodb.wru": Price(0.7625 / 1e6, "write request unit", _DDB, "page, us-east-1",
                          "us-east-1: $0.625 per 1M; Frankfurt $0.7625 (was $1.525 before Nov 2024)"),
    "dynamodb.rru": Price(0.1525 / 1e6, "read request unit", _DDB, "page, us-east-1",
                          "us-east-1: $0.125 per 1M; Frankfurt $0.1525 (was $0.305)"),
    "dynamodb.storage": Price(0.306, "GB-month", _DDB, "page, us-east-1",
                              "us-east-1 $0.25; item size + 100 bytes each, indexes alike"),
    "dynamodb.pitr": Price(0.2448, "GB-month", _DDB, "page, us-east-1",
                           "continuous backups (the template enables PITR); us-east-1 $0.20"),
    # ---- Amazon S3: storage by class
    "s3.storage.STANDARD": Price(0.0245, "GB-month", _S3, "page, us-east-1", "first 50 TB; us-east-1 $0.023"),
    "s3.storage.STANDARD_IA": Price(0.0135, "GB-month", _S3, "page, us-east-1",
                                    "us-east-1 $0.0125; 128 KB and 30 days minimum"),
    "s3.storage.ONEZONE_IA": Price(0.0108, "GB-month", _S3, "page, us-east-1", "us-east-1 $0.01"),
    "s3.storage.GLACIER_IR": Price(0.005, "GB-month", _S3, "page, us-east-1",
                                   "us-east-1 $0.004; 128 KB and 90 days minimum"),
    "s3.storage.GLACIER": Price(0.0045, "GB-month", _S3, "page, us-east-1", "Flexible Retrieval; us-east-1 $0.0036"),
    "s3.storage.DEEP_ARCHIVE": Price(0.0018, "GB-month", _S3, "page, us-east-1", "us-east-1 $0.00099"),
    # ---- Amazon S3: requests (by the class of the object asked)
    "s3.tier1.STANDARD": Price(0.0054 / 1000, "PUT, COPY, POST or LIST request", _S3, "page, us-east-1",
                               "us-east-1 $0.005 per 1,000"),
    "s3.tier2.STANDARD": Price(0.00043 / 1000, "GET, HEAD or other request", _S3, "page, us-east-1",
                               "us-east-1 $0.0004 per 1,000"),
    # ---- Amazon S3: lifecycle transition requests, into the class named
    "s3.transition.STANDARD_IA": Price(0.01 / 1000, "object transitioned", _S3, "page, us-east-1"),
    "s3.transition.ONEZONE_IA": Price(0.01 / 1000, "object transitioned", _S3, "page, us-east-1"),
    "s3.transition.GLACIER_IR": Price(0.02 / 1000, "object transitioned", _S3, "page, us-east-1"),
    "s3.transition.GLACIER": Price(0.036 / 1000, "object transitioned", _S3, "page, us-east-1",
                                   "us-east-1 $0.03 per 1,000"),
    "s3.transition.DEEP_ARCHIVE": Price(0.06 / 1000, "object transitioned", _S3, "page, us-east-1",
                                        "us-east-1 $0.05 per 1,000"),
    # ---- others the intake calls
    "secretsmanager.api": Price(0.05 / 10_000, "API call", _SM, "page", "$0.05 per 10,000 API calls"),
    "logs.ingestion": Price(0.63, "GB ingested", _CW, "page, us-east-1",
                            "standard log class; us-east-1 $0.50 per GB"),
}


def price(name: str) -> float:
    return PRICES[name].usd
