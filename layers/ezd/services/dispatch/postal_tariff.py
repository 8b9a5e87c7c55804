"""The post's prices for the services the registry desk uses, in one place.

The figures are the unit's configured tariff (grosze), not fetched from anywhere: the
city's IT team changes them here (or through EZD_POSTAL_TARIFF, a JSON object of the same
shape) when Poczta Polska changes its price list. The defaults are a plausible 2026
domestic tariff for registered letters of format A, for demonstration and tests.
"""

from __future__ import annotations

import json
import os

from ezd.errors import ValidationFailed

DEFAULT_TARIFF: dict[str, dict[str, int]] = {
    "polecony": {"do_350g": 950, "do_1kg": 1250, "do_2kg": 1650},
    "polecony_zpo": {"do_350g": 1400, "do_1kg": 1700, "do_2kg": 2100},  # with the return receipt (ZPO)
}

SERVICE_NAMES = {"polecony": "list polecony", "polecony_zpo": "list polecony za potwierdzeniem odbioru"}
WEIGHT_NAMES = {"do_350g": "do 350 g", "do_1kg": "ponad 350 g do 1 kg", "do_2kg": "ponad 1 kg do 2 kg"}


def tariff() -> dict[str, dict[str, int]]:
    configured = os.environ.get("EZD_POSTAL_TARIFF")
    return json.loads(configured) if configured else DEFAULT_TARIFF


def price(service: str, weight_class: str) -> int:
    try:
        return int(tariff()[service][weight_class])
    except KeyError as exc:
        raise ValidationFailed(f"no price for {service} {weight_class} in the tariff") from exc
