"""The price of a clip, in credits — one function for the create page's quote, the router's
comparison of backends, the hold and the capture.

    credits = ceil( resolution factor × ( seconds × tier base
                    + billed seconds × backend cost per second in credits × (1 + margin) ) )

"Billed seconds" is what the backend charges for: a provider with only 4/6/8 s clips bills 6 s for
a 5 s clip (Reverie trims it afterwards), and the quote says so. 1 credit = CREDIT_USD dollars.
Backend costs come from the dated price table (admin: Backend prices); each backend's published
prices, with the date they were read, seed it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

CREDIT_USD = Decimal("0.01")
MARGIN = Decimal("0.30")
# Credits per second of clip for each tier (generation.choices.TIERS), before the backend cost.
TIER_BASE: dict[str, Decimal] = {"standard": Decimal("0.5"), "pro": Decimal("1.5")}
RESOLUTION_FACTORS: dict[str, Decimal] = {"720p": Decimal("1.0"), "1080p": Decimal("1.5")}


@dataclass(frozen=True)
class Quote:
    credits: int
    seconds: int
    resolution: str
    tier: str
    backend: str
    backend_usd: Decimal  # what the backend costs us for this clip
    price_usd: Decimal  # what the credits are worth
    billed_seconds: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "credits": self.credits,
            "seconds": self.seconds,
            "billed_seconds": self.billed_seconds,
            "resolution": self.resolution,
            "tier": self.tier,
            "backend": self.backend,
            "backend_usd": str(self.backend_usd),
            "price_usd": str(self.price_usd),
        }


def resolution_for(width: int, height: int) -> str:
    return "1080p" if min(width, height) > 720 else "720p"


def price_credits(
    *, seconds: int, billed_seconds: int, resolution: str, tier: str, usd_per_second: Decimal
) -> int:
    """The formula itself: pure arithmetic, no look-ups (the router calls it per candidate)."""
    backend_credits = billed_seconds * usd_per_second / CREDIT_USD * (1 + MARGIN)
    return math.ceil(RESOLUTION_FACTORS[resolution] * (seconds * TIER_BASE[tier] + backend_credits))


def quote(
    *,
    seconds: int,
    width: int,
    height: int,
    tier: str = "standard",
    backend: str = "local",
    usd_per_second: Decimal,
    billed_seconds: int | None = None,
) -> Quote:
    """The exact number of credits a clip costs; the same inputs always give the same price.
    (The backend's price in force: `routing.quote_at_price_in_force`.)"""
    resolution = resolution_for(width, height)
    billed = billed_seconds if billed_seconds is not None else seconds
    credits = price_credits(
        seconds=seconds, billed_seconds=billed, resolution=resolution, tier=tier,
        usd_per_second=usd_per_second,
    )  # fmt: skip
    return Quote(
        credits=credits,
        seconds=seconds,
        resolution=resolution,
        tier=tier,
        backend=backend,
        backend_usd=usd_per_second * billed,
        price_usd=CREDIT_USD * credits,
        billed_seconds=billed,
    )
