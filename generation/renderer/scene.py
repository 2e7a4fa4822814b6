"""Prompt → scene: the words pick the features, the seed picks everything the words leave open.

``describe_scene`` is pure and cheap. Its result is a JSON-serialisable dict that the video and
audio code draw from, and that the app stores next to the clip to show why it looks as it does.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from generation.renderer.seeding import rng_for, stable_hash

SCENE_VERSION = 1

RGB = tuple[int, int, int]

# Palette roles: sky gradient, three depth layers of scenery (far → near), ground, water and
# four accents used for characters, particles and lit windows.
PALETTES: dict[str, dict[str, Any]] = {
    "natural": {
        "sky_top": "#3a7bd5", "sky_horizon": "#a8d8f0", "far": "#7d98b3", "mid": "#4f7d5a",
        "near": "#2f5d3a", "ground": "#4a7a3d", "water": "#2a6f97",
        "accents": ["#e63946", "#f4a261", "#2a9d8f", "#ffd166"],
    },
    "neon": {
        "sky_top": "#0b0221", "sky_horizon": "#ff2a6d", "far": "#3b0f6b", "mid": "#22094a",
        "near": "#120426", "ground": "#1a0633", "water": "#1b0a4a",
        "accents": ["#05d9e8", "#ff2a6d", "#f9f871", "#b967ff"], "vivid": True,
    },
    "pastel": {
        "sky_top": "#a0c4ff", "sky_horizon": "#ffd6e8", "far": "#cdb4db", "mid": "#a8d5ba",
        "near": "#84b59f", "ground": "#b5e48c", "water": "#9bd7f6",
        "accents": ["#ffadad", "#ffd6a5", "#bdb2ff", "#caffbf"],
    },
    "golden": {
        "sky_top": "#f9c74f", "sky_horizon": "#f9844a", "far": "#c4773b", "mid": "#8c4a2f",
        "near": "#4a2a1a", "ground": "#7a4b21", "water": "#c9733d",
        "accents": ["#ffd166", "#f3722c", "#f94144", "#fff3b0"], "vivid": True,
    },
    "ocean": {
        "sky_top": "#1565a8", "sky_horizon": "#9fe3f5", "far": "#3c8dbc", "mid": "#1e5f8c",
        "near": "#0b3c5d", "ground": "#d8c08f", "water": "#0077b6",
        "accents": ["#ffb703", "#caf0f8", "#fb8500", "#00b4d8"],
    },
    "forest": {
        "sky_top": "#7fb4a6", "sky_horizon": "#e9f5db", "far": "#6b9080", "mid": "#3a5a40",
        "near": "#1f3322", "ground": "#344e2b", "water": "#386641",
        "accents": ["#bc4749", "#f2e8cf", "#a7c957", "#ffd166"],
    },
    "fire": {
        "sky_top": "#2b0504", "sky_horizon": "#ff7b00", "far": "#6a040f", "mid": "#3d0208",
        "near": "#1b0103", "ground": "#2b0a05", "water": "#9d0208",
        "accents": ["#ffba08", "#faa307", "#e85d04", "#ffdd00"], "vivid": True,
    },
    "ice": {
        "sky_top": "#5fa8d3", "sky_horizon": "#e0fbfc", "far": "#b8d8e8", "mid": "#8ab6d6",
        "near": "#5c7d9a", "ground": "#eef6fb", "water": "#61a5c2",
        "accents": ["#ff99c8", "#ffffff", "#3d5a80", "#a9def9"],
    },
    "desert": {
        "sky_top": "#4a90c2", "sky_horizon": "#f9dcb0", "far": "#d9a066", "mid": "#c07a3c",
        "near": "#8c5a2b", "ground": "#e0b071", "water": "#3a86a8",
        "accents": ["#e76f51", "#2a9d8f", "#f4a261", "#264653"],
    },
    "noir": {
        "sky_top": "#1c1c1c", "sky_horizon": "#bdbdbd", "far": "#6e6e6e", "mid": "#444444",
        "near": "#1f1f1f", "ground": "#2b2b2b", "water": "#555555",
        "accents": ["#d62828", "#ffffff", "#9e9e9e", "#e0e0e0"],
    },
    "candy": {
        "sky_top": "#ffafcc", "sky_horizon": "#fff1f7", "far": "#f4acb7", "mid": "#c77dff",
        "near": "#7b2cbf", "ground": "#ffcad4", "water": "#7bdff2",
        "accents": ["#ff5d8f", "#ffd60a", "#7bdff2", "#b388eb"],
    },
    "spooky": {
        "sky_top": "#1a0b2e", "sky_horizon": "#f08a24", "far": "#3c1642", "mid": "#241234",
        "near": "#110811", "ground": "#1d0f1f", "water": "#2a1b3d",
        "accents": ["#ff7518", "#8cff00", "#b185db", "#f8f32b"], "vivid": True,
    },
    "tropical": {
        "sky_top": "#00a6d6", "sky_horizon": "#ffe5b4", "far": "#2a9d8f", "mid": "#168a5a",
        "near": "#0b5d3b", "ground": "#f6d186", "water": "#00a6a6",
        "accents": ["#ff6b6b", "#ffd93d", "#6bcb77", "#ff9f1c"],
    },
}  # fmt: skip

PALETTE_WORDS: dict[str, tuple[str, ...]] = {
    "neon": ("neon", "cyberpunk", "synthwave", "vaporwave", "retrowave", "disco", "glowing"),
    "pastel": ("pastel", "pastels", "dreamy", "kawaii", "soft", "whimsical"),
    "golden": ("golden", "gold", "amber", "honey", "golden hour", "warm"),
    "ocean": ("ocean", "oceanic", "marine", "aqua", "nautical", "underwater", "sea"),
    "forest": ("forest", "jungle", "woods", "woodland", "emerald", "mossy", "nature"),
    "fire": ("fire", "fiery", "flame", "flames", "lava", "volcano", "inferno", "burning", "hell"),
    "ice": ("ice", "icy", "frozen", "arctic", "glacier", "frost", "frosty", "winter", "polar"),
    "desert": ("desert", "sand", "sandy", "dunes", "sahara", "canyon"),
    "noir": ("noir", "monochrome", "grayscale", "greyscale", "black and white", "vintage"),
    "candy": ("candy", "sweet", "bubblegum", "lollipop", "sugar", "cupcake", "toy"),
    "spooky": ("spooky", "haunted", "halloween", "creepy", "ghost", "ghosts", "witch", "zombie"),
    "tropical": ("tropical", "summer", "paradise", "island", "palm", "palms", "hawaii"),
}
# Palettes a seed may choose when the prompt names none: the moody ones must be asked for.
FALLBACK_PALETTES = ("natural", "natural", "natural", "pastel", "golden", "ocean", "tropical")

COLOR_WORDS: dict[str, str] = {
    "red": "#e63946", "crimson": "#b5172f", "scarlet": "#e0251b", "orange": "#f77f00",
    "yellow": "#ffd60a", "green": "#38b000", "lime": "#9ef01a", "blue": "#1e6fff",
    "navy": "#1d3557", "purple": "#8e44ad", "violet": "#9b5de5", "lavender": "#c8b6ff",
    "pink": "#ff5d8f", "magenta": "#e0119d", "teal": "#2a9d8f", "turquoise": "#1ccad8",
    "cyan": "#00d9f5", "white": "#f8f9fa", "black": "#1b1b1e", "brown": "#8b5a2b",
    "grey": "#8d99ae", "gray": "#8d99ae", "silver": "#c0c7d0", "ginger": "#d9772b",
}  # fmt: skip

TIME_WORDS: dict[str, tuple[str, ...]] = {
    "dawn": ("dawn", "sunrise", "morning", "daybreak", "early"),
    "day": ("day", "daytime", "noon", "midday", "afternoon", "sunny", "sunshine", "daylight"),
    "sunset": ("sunset", "golden hour", "evening", "sundown"),
    "dusk": ("dusk", "twilight", "nightfall", "gloaming"),
    "night": ("night", "midnight", "nighttime", "moonlit", "moonlight", "starry", "nocturnal"),
}
TIMES = ("dawn", "day", "sunset", "dusk", "night")

# Role decides where a subject lives: in the sky plate, as a scenery layer or as a sprite.
SUBJECT_WORDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sun": ("sky", ("sun", "suns", "sunshine", "sunlight", "sunny")),
    "moon": ("sky", ("moon", "moons", "moonlight", "moonlit", "lunar", "crescent")),
    "stars": ("sky", ("star", "stars", "starry", "starlight", "galaxy", "milky way", "night sky")),
    "planets": (
        "sky",
        ("planet", "planets", "saturn", "jupiter", "mars", "space", "cosmos", "cosmic",
         "universe", "outer space", "astronaut"),
    ),
    "clouds": ("sky", ("cloud", "clouds", "cloudy", "overcast", "fluffy")),
    "rainbow": ("sky", ("rainbow", "rainbows")),
    "mountains": (
        "terrain",
        ("mountain", "mountains", "peak", "peaks", "alps", "alpine", "summit", "cliff", "cliffs",
         "volcano", "himalaya", "range"),
    ),
    "hills": (
        "terrain",
        ("hill", "hills", "meadow", "meadows", "field", "fields", "valley", "countryside",
         "grass", "grassy", "park", "garden", "farm"),
    ),
    "city": (
        "terrain",
        ("city", "cities", "skyline", "skyscraper", "skyscrapers", "building", "buildings",
         "town", "downtown", "metropolis", "street", "streets", "urban", "tokyo", "new york",
         "rooftop", "rooftops", "cyberpunk"),
    ),
    "trees": (
        "terrain",
        ("tree", "trees", "forest", "woods", "woodland", "jungle", "pine", "pines", "grove",
         "orchard", "palm", "palms"),
    ),
    "sea": (
        "terrain",
        ("sea", "ocean", "wave", "waves", "beach", "shore", "lake", "river", "water", "bay",
         "surf", "surfing", "harbor", "harbour", "coast", "pond", "underwater", "sailing"),
    ),
    "desert": ("terrain", ("desert", "dune", "dunes", "sahara", "canyon")),
    "cat": ("character", ("cat", "cats", "kitten", "kittens", "kitty", "kitties")),
    "dog": ("character", ("dog", "dogs", "puppy", "puppies", "pup", "doggo", "corgi")),
    "person": (
        "character",
        ("person", "people", "man", "men", "woman", "women", "girl", "girls", "boy", "boys",
         "kid", "kids", "child", "children", "dancer", "dancers", "someone", "friend", "friends",
         "astronaut", "hero", "couple", "me", "myself", "wizard"),
    ),
    "bird": (
        "character",
        ("bird", "birds", "eagle", "eagles", "seagull", "seagulls", "gull", "gulls", "pigeon",
         "pigeons", "crow", "crows", "owl", "owls", "parrot", "dove", "doves", "flock"),
    ),
    "fish": (
        "character",
        ("fish", "fishes", "koi", "goldfish", "shark", "sharks", "dolphin", "dolphins", "whale"),
    ),
    "balloon": ("character", ("balloon", "balloons", "hot air balloon")),
    "car": ("character", ("car", "cars", "taxi", "taxis", "truck", "racecar", "race car", "van")),
    "boat": (
        "character",
        ("boat", "boats", "ship", "ships", "sailboat", "sailboats", "yacht", "canoe", "ferry"),
    ),
    "rocket": ("character", ("rocket", "rockets", "spaceship", "spaceships", "ufo")),
    # Drawn by more_sprites: the subjects people ask for most.
    "horse": ("character", ("horse", "horses", "pony", "ponies", "unicorn", "unicorns")),
    "cow": ("character", ("cow", "cows", "cattle", "bull", "calf")),
    "sheep": ("character", ("sheep", "lamb", "lambs", "goat", "goats")),
    "pig": ("character", ("pig", "pigs", "piglet", "piglets")),
    "bear": ("character", ("bear", "bears", "teddy", "panda", "pandas")),
    "fox": ("character", ("fox", "foxes", "wolf", "wolves")),
    "rabbit": ("character", ("rabbit", "rabbits", "bunny", "bunnies", "hare", "mouse", "mice")),
    "elephant": ("character", ("elephant", "elephants")),
    "lion": ("character", ("lion", "lions", "lioness")),
    "tiger": ("character", ("tiger", "tigers", "leopard", "cheetah")),
    "deer": ("character", ("deer", "reindeer", "stag", "moose", "giraffe", "giraffes")),
    "house": ("character", ("house", "houses", "home", "cottage", "cabin", "hut", "village",
                            "farmhouse", "barn")),
    "lighthouse": ("character", ("lighthouse", "lighthouses", "beacon")),
    "castle": ("character", ("castle", "castles", "palace", "fortress", "kingdom", "tower")),
    "windmill": ("character", ("windmill", "windmills", "wind turbine")),
    "tent": ("character", ("tent", "tents", "camping", "campsite", "camp")),
    "flower": ("character", ("flower", "flowers", "rose", "roses", "tulip", "tulips",
                             "sunflower", "sunflowers", "daisy")),
    "snowman": ("character", ("snowman", "snowmen")),
    "robot": ("character", ("robot", "robots", "android", "cyborg", "droid")),
    "butterfly": ("character", ("butterfly", "butterflies", "moth", "bee", "bees")),
    "airplane": ("character", ("airplane", "airplanes", "plane", "planes", "jet", "aeroplane",
                               "aircraft")),
    "train": ("character", ("train", "trains", "railway", "locomotive", "subway", "tram")),
    "bus": ("character", ("bus", "buses", "school bus")),
    "bicycle": ("character", ("bicycle", "bicycles", "bike", "bikes", "cycling", "cyclist")),
    "dragon": ("character", ("dragon", "dragons", "dinosaur", "dinosaurs", "dino")),
    "heart": ("character", ("heart", "hearts", "love")),
    "cake": ("character", ("cake", "cakes", "cupcake", "birthday cake", "dessert")),
    "pizza": ("character", ("pizza", "pizzas")),
    "umbrella": ("character", ("umbrella", "umbrellas", "parasol")),
}  # fmt: skip
PLURAL_WORDS = frozenset(
    {
        "cats",
        "kittens",
        "kitties",
        "dogs",
        "puppies",
        "people",
        "men",
        "women",
        "girls",
        "boys",
        "kids",
        "children",
        "dancers",
        "friends",
        "couple",
        "birds",
        "eagles",
        "seagulls",
        "gulls",
        "pigeons",
        "crows",
        "owls",
        "doves",
        "flock",
        "fishes",
        "sharks",
        "dolphins",
        "balloons",
        "cars",
        "taxis",
        "boats",
        "ships",
        "sailboats",
        "rockets",
        "spaceships",
        *"""horses ponies unicorns cows cattle lambs goats pigs piglets bears pandas foxes wolves
        rabbits bunnies mice elephants lions tigers giraffes houses village castles lighthouses
        windmills tents flowers roses tulips sunflowers snowmen robots butterflies bees airplanes
        planes trains buses bicycles bikes dragons dinosaurs hearts cakes pizzas umbrellas
        """.split(),  # noqa: SIM905 - a word list reads better as words
    }
)

PARTICLE_WORDS: dict[str, tuple[str, ...]] = {
    "rain": ("rain", "rainy", "raining", "rainfall", "storm", "stormy", "drizzle", "downpour",
             "thunderstorm", "monsoon"),
    "snow": ("snow", "snowy", "snowing", "snowfall", "snowflake", "snowflakes", "blizzard",
             "winter"),
    "fireflies": ("firefly", "fireflies", "glowworm", "glowworms", "lantern", "lanterns"),
    "confetti": ("confetti", "party", "celebration", "celebrate", "birthday", "festival",
                 "carnival", "parade", "new year"),
    "sparkles": ("sparkle", "sparkles", "sparkling", "glitter", "glittering", "magic", "magical",
                 "fairy", "twinkle", "twinkling", "shimmering", "enchanted"),
    "fog": ("fog", "foggy", "mist", "misty", "haze", "hazy", "smoke", "smoky"),
    "bubbles": ("bubble", "bubbles", "bubbly", "underwater", "soap"),
    "leaves": ("leaf", "leaves", "autumn", "fall leaves", "falling leaves"),
    "petals": ("petal", "petals", "blossom", "blossoms", "sakura", "cherry blossom", "flowers"),
}  # fmt: skip

CAMERA_WORDS: dict[str, tuple[str, ...]] = {
    "pan": ("pan", "panning", "tracking", "sweeping", "travelling", "traveling", "journey",
            "scrolling", "passing"),
    "zoom": ("zoom", "zooming", "zooms", "closer", "approaching", "dolly", "push in", "diving"),
    "drift": ("drift", "drifting", "floating", "float", "hover", "hovering", "gliding", "slowly"),
    "still": ("still", "static", "motionless", "tripod"),
}  # fmt: skip
SUBJECT_MOTION_WORDS: dict[str, tuple[str, ...]] = {
    "bounce": ("bounce", "bouncing", "bouncy", "bounces", "jumping", "jump", "jumps", "hopping",
               "hop", "leaping", "dancing", "dance", "dances"),
    "fly": ("fly", "flying", "flies", "soaring", "soar", "soars", "airborne", "gliding"),
    "drift": ("drift", "drifting", "drifts", "floating", "float", "floats", "hovering", "hover",
              "wandering"),
    "spin": ("spin", "spinning", "spins", "rotating", "twirling", "whirling", "swirling",
             "tumbling", "twirl"),
    "run": ("run", "running", "runs", "racing", "race", "speeding", "chasing", "rushing", "fast"),
    "walk": ("walk", "walking", "walks", "strolling", "stroll", "wander", "marching"),
    "swim": ("swim", "swimming", "swims"),
}  # fmt: skip

# Mood → musical mode, tempo range (bpm) and how much drums the track gets (0..1).
MOODS: dict[str, dict[str, Any]] = {
    "happy": {"mode": "major", "bpm": (100, 118), "drums": 0.7},
    "calm": {"mode": "major", "bpm": (70, 88), "drums": 0.25},
    "sad": {"mode": "minor", "bpm": (68, 84), "drums": 0.2},
    "dark": {"mode": "minor", "bpm": (76, 96), "drums": 0.45},
    "epic": {"mode": "minor", "bpm": (96, 116), "drums": 0.9},
    "energetic": {"mode": "major", "bpm": (122, 140), "drums": 1.0},
    "romantic": {"mode": "major", "bpm": (74, 90), "drums": 0.3},
}
MOOD_WORDS: dict[str, tuple[str, ...]] = {
    "happy": ("happy", "joyful", "joy", "cheerful", "fun", "playful", "bright", "smiling",
              "delightful", "cute", "silly", "funny", "sunny", "celebration", "birthday"),
    "calm": ("calm", "peaceful", "serene", "relaxing", "relaxed", "chill", "gentle", "quiet",
             "slow", "sleepy", "lazy", "tranquil", "soothing", "meditation", "lofi", "cozy",
             "dreamy", "slowly", "drifting", "floating"),
    "sad": ("sad", "melancholy", "melancholic", "lonely", "gloomy", "crying", "tears", "sorrow",
            "grief", "rainy", "nostalgic", "alone"),
    "dark": ("dark", "spooky", "scary", "haunted", "creepy", "mysterious", "ominous", "horror",
             "eerie", "sinister", "halloween", "noir"),
    "epic": ("epic", "heroic", "majestic", "cinematic", "grand", "legendary", "dramatic",
             "powerful", "battle", "storm", "thunderstorm", "volcano", "hero"),
    "energetic": ("energetic", "fast", "party", "dance", "dancing", "racing", "hyper", "wild",
                  "exciting", "crazy", "upbeat", "speed", "rave", "action", "running", "bouncing",
                  "neon", "cyberpunk", "disco", "festival"),
    "romantic": ("romantic", "love", "lovers", "heart", "hearts", "valentine", "tender", "kiss"),
}  # fmt: skip
FALLBACK_MOODS = ("happy", "calm", "calm", "energetic", "epic", "romantic")

NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")

# How each time of day relights the palette: sky targets mixed in, light on the scenery and how
# much of the sky colour the far scenery picks up (aerial haze).
LIGHTING: dict[str, dict[str, Any]] = {
    "dawn": {"top": "#5b6fa8", "horizon": "#ffc6a5", "mix": (0.35, 0.5), "light": 0.8},
    "day": {"top": "#3a7bd5", "horizon": "#bfe3f5", "mix": (0.0, 0.0), "light": 1.0},
    "sunset": {"top": "#3d348b", "horizon": "#ff7e47", "mix": (0.45, 0.55), "light": 0.55},
    "dusk": {"top": "#1b1f4b", "horizon": "#a05195", "mix": (0.6, 0.5), "light": 0.4},
    "night": {"top": "#03050f", "horizon": "#1d2951", "mix": (0.8, 0.7), "light": 0.22},
}


def _hex(color: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*color)


def parse_hex(value: str) -> RGB:
    """``"#rrggbb"`` → ``(r, g, b)``."""
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _scale(a: RGB, k: float) -> RGB:
    return tuple(min(255, round(x * k)) for x in a)  # type: ignore[return-value]


def normalise_prompt(prompt: str) -> str:
    """Collapse whitespace; the caption shows the prompt as typed otherwise."""
    return " ".join(prompt.split())


def _tokens(prompt: str) -> list[str]:
    # Fold accents so "café" still matches vocabulary spelled without them.
    folded = unicodedata.normalize("NFKD", prompt.lower())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.findall(r"[a-z]+", folded)


class _Matcher:
    """Finds vocabulary (single words and short phrases) in a token list, in prompt order."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.matched: list[dict[str, str]] = []

    def find(self, table: dict[str, tuple[str, ...]]) -> list[tuple[int, str, str]]:
        """All (token index, feature, word) hits of ``table``, sorted by position."""
        hits: list[tuple[int, str, str]] = []
        for feature, words in table.items():
            for word in words:
                parts = word.split()
                n = len(parts)
                for i in range(len(self.tokens) - n + 1):
                    if self.tokens[i : i + n] == parts:
                        hits.append((i, feature, word))
        hits.sort()
        return hits

    def first(self, table: dict[str, tuple[str, ...]], label: str) -> str | None:
        hits = self.find(table)
        if not hits:
            return None
        _, feature, word = hits[0]
        self.matched.append({"word": word, "feature": f"{label}:{feature}"})
        return feature


def describe_scene(prompt: str, seed: int) -> dict[str, Any]:
    """Derive the clip's palette, subjects, motion, particles, light and music from its prompt.

    Pure and cheap. Each open choice draws from its own seeded stream (see ``seeding``), so
    the same seed with an edited prompt only changes the features the edited words control.
    """
    tokens = _tokens(prompt)
    match = _Matcher(tokens)
    token_set = set(tokens)

    # Subjects, in prompt order, with a colour word just before them bound to them.
    subject_table = {kind: words for kind, (_, words) in SUBJECT_WORDS.items()}
    subjects: dict[str, dict[str, Any]] = {}
    bound_colour_positions: set[int] = set()
    for index, kind, word in match.find(subject_table):
        role = SUBJECT_WORDS[kind][0]
        entry = subjects.setdefault(
            kind, {"kind": kind, "role": role, "count": 1, "color": None, "from": "prompt"}
        )
        match.matched.append({"word": word, "feature": f"subject:{kind}"})
        if role == "character" and word in PLURAL_WORDS:
            entry["count"] = max(entry["count"], 3)
        for back in (index - 1, index - 2):
            if back >= 0 and tokens[back] in COLOR_WORDS and entry["color"] is None:
                entry["color"] = COLOR_WORDS[tokens[back]]
                bound_colour_positions.add(back)
                break
    free_colours = [
        COLOR_WORDS[t]
        for i, t in enumerate(tokens)
        if t in COLOR_WORDS and i not in bound_colour_positions
    ]

    particles = []
    for _, kind, word in match.find(PARTICLE_WORDS):
        if kind not in particles:
            particles.append(kind)
            match.matched.append({"word": word, "feature": f"particles:{kind}"})
    particles = particles[:2]

    time_of_day = match.first(TIME_WORDS, "time_of_day")
    time_from = "prompt"
    space = "planets" in subjects
    underwater = "underwater" in token_set
    # Some words imply a time of day when the prompt gives none.
    if time_of_day is None:
        if underwater:
            time_of_day, time_from = "day", "implied"
        elif space or "stars" in subjects or "moon" in subjects or "fireflies" in particles:
            time_of_day, time_from = "night", "implied"
        elif "sun" in subjects:
            time_of_day, time_from = "day", "implied"
        else:
            rng = rng_for(seed, "time_of_day")
            time_of_day = str(rng.choice(TIMES, p=[0.12, 0.32, 0.26, 0.1, 0.2]))
            time_from = "seed"

    palette_name = match.first(PALETTE_WORDS, "palette")
    palette_from = "prompt"
    if palette_name is None and "snow" in particles:
        palette_name, palette_from = "ice", "implied"
    if palette_name is None:
        palette_name = str(rng_for(seed, "palette").choice(FALLBACK_PALETTES))
        palette_from = "seed"

    # Scenery: what the prompt names, plus what its characters need to stand in or on.
    if ("fish" in subjects or "boat" in subjects or underwater) and "sea" not in subjects:
        subjects["sea"] = _implied("sea", "terrain")
    has_terrain = any(s["role"] == "terrain" for s in subjects.values())
    if not has_terrain and not space:
        kind = str(rng_for(seed, "terrain").choice(["hills", "mountains", "trees", "sea", "city"]))
        subjects[kind] = _implied(kind, "terrain", source="seed")
    if not underwater:  # under the sea there is no sky to fill
        if time_of_day in ("dawn", "sunset") and not ({"sun", "moon"} & subjects.keys()):
            subjects["sun"] = _implied("sun", "sky")
        if time_of_day == "night" and not ({"moon", "stars"} & subjects.keys()):
            subjects["stars"] = _implied("stars", "sky")
            if rng_for(seed, "moon").random() < 0.6:
                subjects["moon"] = _implied("moon", "sky", source="seed")
        clouds_wanted = "rain" in particles or rng_for(seed, "clouds").random() < 0.6
        if time_of_day in ("day", "dawn") and "clouds" not in subjects and clouds_wanted:
            subjects["clouds"] = _implied("clouds", "sky", source="seed")
    else:
        for kind in ("sun", "moon", "stars", "clouds", "rainbow", "planets"):
            subjects.pop(kind, None)
    # An empty landscape looks like a still: give daytime skies a few birds.
    lonely = not any(s["role"] == "character" for s in subjects.values())
    birds = rng_for(seed, "ambient").random() < 0.5
    if lonely and birds and not underwater and time_of_day != "night":
        subjects["bird"] = _implied("bird", "character", source="seed") | {"count": 3}
    for kind, entry in subjects.items():
        if entry["role"] == "character" and entry["count"] > 1:
            low, high = (3, 6) if kind in ("bird", "fish", "balloon") else (2, 3)
            entry["count"] = int(rng_for(seed, "count", kind).integers(low, high + 1))

    if not particles:
        choices = ["none", "sparkles", "fireflies" if time_of_day == "night" else "leaves"]
        if underwater:
            choices = ["bubbles"]
        pick = str(rng_for(seed, "particles").choice(choices))
        particles = [] if pick == "none" else [pick]
    if underwater and "bubbles" not in particles:
        particles = ["bubbles", *particles][:2]

    camera = match.first(CAMERA_WORDS, "camera")
    camera_from = "prompt"
    if camera is None:
        camera = str(rng_for(seed, "camera").choice(["pan", "pan", "drift", "drift", "zoom"]))
        camera_from = "seed"
    subject_motion = match.first(SUBJECT_MOTION_WORDS, "motion")

    mood = match.first(MOOD_WORDS, "mood")
    mood_from = "prompt"
    if mood is None:
        mood = str(rng_for(seed, "mood").choice(FALLBACK_MOODS))
        mood_from = "seed"
    music = MOODS[mood]
    low, high = music["bpm"]
    tempo = int(rng_for(seed, "tempo").integers(low, high + 1))
    root = NOTE_NAMES[stable_hash("key", seed) % 12]

    colours = _resolve_colours(palette_name, time_of_day, free_colours)
    ordered = sorted(
        subjects.values(), key=lambda s: ("sky", "terrain", "character").index(s["role"])
    )
    return {
        "version": SCENE_VERSION,
        "seed": seed,
        "caption": normalise_prompt(prompt),
        "palette": {"name": palette_name, "from": palette_from, "colors": colours},
        "time_of_day": time_of_day,
        "time_of_day_from": time_from,
        "subjects": ordered,
        "underwater": underwater,
        "motion": {
            "camera": camera,
            "camera_from": camera_from,
            "subjects": subject_motion,
        },
        "particles": particles,
        "mood": mood,
        "mood_from": mood_from,
        "tempo_bpm": tempo,
        "key": f"{root} {music['mode']}",
        "drums": music["drums"],
        "matched": match.matched,
    }


def _implied(kind: str, role: str, *, source: str = "implied") -> dict[str, Any]:
    return {"kind": kind, "role": role, "count": 1, "color": None, "from": source}


def _resolve_colours(name: str, time_of_day: str, tints: list[str]) -> dict[str, Any]:
    """The palette relit for the time of day, as hex strings (what the frames are drawn with)."""
    base = PALETTES[name]
    light = LIGHTING[time_of_day]
    # Vivid palettes carry their own mood; relight them only half as much.
    damp = 0.5 if base.get("vivid") else 1.0
    top_mix, horizon_mix = (m * damp for m in light["mix"])
    level = 1.0 - (1.0 - light["light"]) * damp
    sky_top = _mix(parse_hex(base["sky_top"]), parse_hex(light["top"]), top_mix)
    sky_horizon = _mix(parse_hex(base["sky_horizon"]), parse_hex(light["horizon"]), horizon_mix)
    accents = [parse_hex(a) for a in base["accents"]]
    if tints:
        tint = parse_hex(tints[0])
        sky_horizon = _mix(sky_horizon, _scale(tint, level), 0.35)
        accents[0] = tint
    # Scenery picks up the light level, far layers also the horizon haze.
    far = _mix(_scale(parse_hex(base["far"]), level), sky_horizon, 0.35)
    mid = _mix(_scale(parse_hex(base["mid"]), level), sky_horizon, 0.12)
    near = _scale(parse_hex(base["near"]), level)
    ground = _scale(parse_hex(base["ground"]), level)
    water = _mix(_scale(parse_hex(base["water"]), level), sky_horizon, 0.25)
    return {
        "sky_top": _hex(sky_top),
        "sky_horizon": _hex(sky_horizon),
        "far": _hex(far),
        "mid": _hex(mid),
        "near": _hex(near),
        "ground": _hex(ground),
        "water": _hex(water),
        "accents": [_hex(a) for a in accents],
        "light": round(level, 3),
    }


# Words that carry no drawable subject: articles, prepositions, pronouns, common verbs and
# adjectives, in English and French (our first users write French). Whatever is left of a prompt
# once these and the vocabulary above are taken out is what the renderer can't draw.
FILLER_WORDS = frozenset(
    """a an the and or but of in on at to from into onto over under above below behind beside
    near by with without through across around along between among up down out off for as is
    are was were be being been it its it's this that these those there here their his her my
    your our some many few lots lot very really so too just all each every one two three
    four five six seven eight nine ten of while then when where who which what how big small
    little tiny huge giant large tall short long old new young beautiful pretty cute nice
    lovely amazing awesome cool epic realistic cinematic detailed high quality hd k style
    shot scene video clip film view close closeup wide angle background foreground looking
    look looks watching sitting standing lying playing having making doing going goes comes
    coming being gets getting together alone only full empty other another same le la les un
    une des du de d l et ou sur sous dans avec sans pour par au aux en entre vers chez qui
    que quoi est sont il elle ils elles son sa ses leur leurs mon ma mes ce cette ces tres
    plus moins petit petite petits petites grand grande grands grandes beau belle beaux
    belles joli jolie vieux vieille nouveau nouvelle""".split()  # noqa: SIM905 - a word list reads better as words
)


def _vocabulary_words() -> frozenset[str]:
    """Every single word some table reacts to (phrases split into their words)."""
    tables: list[dict[str, tuple[str, ...]]] = [
        {k: w for k, (_, w) in SUBJECT_WORDS.items()},
        PALETTE_WORDS, TIME_WORDS, PARTICLE_WORDS, CAMERA_WORDS, SUBJECT_MOTION_WORDS,
        MOOD_WORDS, {"colour": tuple(COLOR_WORDS)},
    ]  # fmt: skip
    words = {"underwater"}
    for table in tables:
        for phrases in table.values():
            for phrase in phrases:
                words.update(phrase.split())
    return frozenset(words)


VOCABULARY = _vocabulary_words()


def _singular(word: str) -> set[str]:
    forms = {word}
    if word.endswith("ies"):
        forms.add(word[:-3] + "y")
    if word.endswith("es"):
        forms.add(word[:-2])
    if word.endswith("s"):
        forms.add(word[:-1])
    return forms


def understood(prompt: str) -> dict[str, list[str]]:
    """What the local renderer will draw for ``prompt`` and which of its words it can't draw.

    ``drew``: the subjects, weather and light the words asked for, as the renderer names them
    (``"mountains"``, ``"rain"``, ``"sunset"``); ``cant_draw``: the remaining content words in
    prompt order, e.g. ``{"drew": ["sunset", "mountains", "birds"], "cant_draw": ["lighthouse"]}``.
    Pure and cheap: the create page calls it on every keystroke (through the quote API).
    """
    scene = describe_scene(prompt, 0)
    drew: list[str] = []
    for hit in scene["matched"]:
        label, _, feature = hit["feature"].partition(":")
        if label in ("subject", "particles", "time_of_day", "palette") and feature not in drew:
            drew.append(feature)
    cant: list[str] = []
    for token in _tokens(prompt):
        if len(token) < 3 or token in FILLER_WORDS or token in cant:
            continue
        if _singular(token) & VOCABULARY:
            continue
        cant.append(token)
    return {"drew": drew, "cant_draw": cant[:12]}
