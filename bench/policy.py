"""The content policy's cost: one local check of a prompt (normalisation, the one version query,
the scan of every rule and rights holder) and one rebuild of the rule index (at a process's
first check, and after a moderator changes a policy row).

Self-contained: a temporary SQLite database migrated here, so the shipped default policy is what
is measured. The harmful and harmless corpora of the tests, plus their evasion variants, are
checked one by one and timed alone with perf_counter_ns. Last line: one JSON object.

    python bench/policy.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0:1] = [str(ROOT)]

REBUILDS = 5


def _percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))]


def run() -> dict[str, object]:
    import django

    django.setup()
    from django.core.management import call_command

    from generation import policy
    from tests.policy_corpus import EVASIONS, HARMFUL, HARMLESS, MORE_HARMFUL, MORE_HARMLESS

    call_command("migrate", verbosity=0)
    prompts = [p for ps in HARMFUL.values() for p in ps] + HARMLESS + MORE_HARMFUL + MORE_HARMLESS
    prompts += [change(p) for change in EVASIONS.values() for ps in HARMFUL.values() for p in ps]

    rebuilds = []
    for _ in range(REBUILDS):
        started = time.perf_counter()
        policy._compile(policy._policy_version())
        rebuilds.append(time.perf_counter() - started)
    policy.compiled_policy()

    times = []
    for prompt in prompts:
        started = time.perf_counter_ns()
        policy.local_check(prompt)
        times.append((time.perf_counter_ns() - started) / 1e6)
    times.sort()
    compiled = policy.compiled_policy()
    return {
        "benchmark": "policy",
        "checks": len(times),
        "check_ms_p50": round(statistics.median(times), 3),
        "check_ms_p99": round(_percentile(times, 0.99), 3),
        "check_ms_max": round(times[-1], 3),
        "rebuild_s_median": round(statistics.median(rebuilds), 3),
        "rules": len(compiled.rules),
        "rights_holders": len(compiled.holders),
        "term_lists": len(compiled.lexicon.ids),
        "sql_per_check": 1,
        "db": "sqlite",
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="reverie-bench-policy-") as tmp:
        os.environ.update(
            REVERIE_VAR_DIR=tmp, DJANGO_SETTINGS_MODULE="config.settings", LOG_LEVEL="WARNING"
        )
        os.environ.pop("DATABASE_URL", None)
        result = run()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
