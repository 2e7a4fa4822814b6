"""Stable, named random streams so every feature of a clip draws from its own seeded generator.

Keeping one stream per feature (sky, each subject slot, particles, music...) is what makes an
edited prompt with the same seed look like a remix: changing one word changes what one feature
*is*, never where the randomness of the other features comes from.
"""

from __future__ import annotations

import hashlib

import numpy as np


def stable_hash(*parts: object) -> int:
    """A 64-bit hash that is the same in every process (unlike Python's salted ``hash()``)."""
    text = "\x1f".join(str(part) for part in parts)
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def rng_for(seed: int, *labels: object) -> np.random.Generator:
    """A generator for one named feature of the clip made with ``seed``."""
    return np.random.default_rng(stable_hash("reverie", seed, *labels))
