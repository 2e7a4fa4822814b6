"""The price of a clip, in credits — one function for the create page's quote, the hold, the
capture and (later) the router's comparison of backends.

    credits = ceil( seconds × resolution factor × (tier base + backend cost per second
                                                   in credits × (1 + margin)) )

1 credit = CREDIT_USD dollars. Backend costs are dated so an operator can see how old a price is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CREDIT_USD = Decimal("0.01")
MARGIN = Decimal("0.30")
TIERS: dict[str, Decimal] = {"standard": Decimal("0.5"), "pro": Decimal("1.5")}
RESOLUTION_FACTORS: dict[str, Decimal] = {"720p": Decimal("1.0"), "1080p": Decimal("1.5")}


@dataclass(frozen=True)
class BackendCost:
    backend: str
    usd_per_second: dict[str, Decimal]  # by resolution
    as_of: date
    note: str = ""


# The local renderer's "cost" is the CPU it burns (about 0.25 core-seconds per clip-second on a
# cloud core at ~$0.04/h, rounded up); remote providers are added with their own dated prices.
BACKEND_COSTS: dict[str, BackendCost] = {
    "local": BackendCost(
        backend="local",
        usd_per_second={"720p": Decimal("0.002"), "1080p": Decimal("0.003")},
        as_of=date(2026, 11, 23),
        note="CPU time of the built-in renderer",
    ),
}


@dataclass(frozen=True)
class Quote:
    credits: int
    seconds: int
    resolution: str
    tier: str
    backend: str
    backend_usd: Decimal  # what the backend costs us for this clip
    price_usd: Decimal  # what the credits are worth

    def as_dict(self) -> dict[str, object]:
        return {
            "credits": self.credits,
            "seconds": self.seconds,
            "resolution": self.resolution,
            "tier": self.tier,
            "backend": self.backend,
            "backend_usd": str(self.backend_usd),
            "price_usd": str(self.price_usd),
        }


def resolution_for(width: int, height: int) -> str:
    return "1080p" if min(width, height) > 720 else "720p"


def quote(*, seconds: int, width: int, height: int, tier: str = "standard",
          backend: str = "local") -> Quote:  # fmt: skip
    """The exact number of credits a clip costs; the same inputs always give the same price."""
    resolution = resolution_for(width, height)
    cost = BACKEND_COSTS[backend]
    backend_per_second = cost.usd_per_second[resolution]
    per_second = TIERS[tier] + backend_per_second / CREDIT_USD * (1 + MARGIN)
    credits = math.ceil(seconds * RESOLUTION_FACTORS[resolution] * per_second)
    return Quote(
        credits=credits,
        seconds=seconds,
        resolution=resolution,
        tier=tier,
        backend=backend,
        backend_usd=backend_per_second * seconds,
        price_usd=CREDIT_USD * credits,
    )
