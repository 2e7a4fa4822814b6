"""How much of what people ask for the local renderer can draw: a list of 100 common subjects
(people, animals, vehicles, buildings, landscapes, food, weather, sky), each looked up the way a
prompt is, and each drawn subject checked to be a real shape in the frame, not a colour."""

from __future__ import annotations

import numpy as np
import pytest

from generation.renderer.scene import describe_scene, understood
from generation.renderer.sprites import DRAW, build_sprite

COMMON_SUBJECTS = """
person man woman child girl boy couple dancer astronaut cat dog puppy kitten horse cow sheep
pig rabbit bear fox wolf lion tiger elephant deer giraffe bird eagle owl parrot fish shark
dolphin whale butterfly bee dragon unicorn dinosaur car taxi truck bus train bicycle boat ship
airplane rocket balloon house cabin castle lighthouse windmill tent city skyscraper street
bridge mountain hill valley forest tree beach ocean lake river desert volcano cliff island
field garden flower pizza cake coffee burger rain snow storm fog rainbow sun moon stars clouds
sunset night lightning robot snowman heart umbrella firework campfire book guitar
""".split()  # noqa: SIM905 - a word list reads better as words


def test_the_list_is_a_hundred_subjects() -> None:
    assert len(COMMON_SUBJECTS) == len(set(COMMON_SUBJECTS)) == 100


def test_coverage_of_common_subjects() -> None:
    drawn = [s for s in COMMON_SUBJECTS if understood(f"a {s}")["drew"]]
    missing = sorted(set(COMMON_SUBJECTS) - set(drawn))
    coverage = len(drawn) / len(COMMON_SUBJECTS)
    print(f"coverage {coverage:.0%}; can't draw: {', '.join(missing)}")
    # Measured: 92 of 100 (not drawn: book, bridge, burger, campfire, coffee, firework, guitar,
    # lightning; a cliff is drawn as mountains, a street as a city). Below this is a regression.
    assert coverage >= 0.92, missing
    for subject in missing:
        assert subject in understood(f"a {subject}")["cant_draw"]  # and it says so


@pytest.mark.parametrize("kind", sorted(DRAW))
def test_each_character_is_a_shape_not_a_blob(kind: str) -> None:
    """Every sprite has transparent surroundings, a silhouette that is neither a rectangle nor
    an ellipse filling its box, and more than one colour (eyes, windows, wheels, markings)."""
    sprite = build_sprite(kind, (200, 80, 60), 720, 1.0, spin=False)
    layer = sprite.right[0]
    alpha = 256.0 - layer.ya.astype(np.float32)  # premultiplied layer: alpha in 0..256
    solid = alpha > 128
    covered = solid.mean()
    assert 0.12 < covered < 0.9, f"{kind}: {covered:.2f} of its box"
    luma = layer.y.astype(np.float32)[solid] / alpha[solid]
    assert luma.std() > 6, f"{kind} is one flat colour"


def test_a_prompt_with_new_subjects_puts_them_in_the_scene() -> None:
    scene = describe_scene("two horses near a lighthouse, a pizza and a robot", 1)
    kinds = {s["kind"]: s for s in scene["subjects"]}
    assert {"horse", "lighthouse", "pizza", "robot"} <= kinds.keys()
    assert kinds["horse"]["count"] >= 2
