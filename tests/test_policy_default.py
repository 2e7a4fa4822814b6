"""The shipped default policy, on a freshly migrated database (the test database runs every
migration, so this is what a fresh install gets): each category refused in English and French,
also under the usual evasions; the harmless corpus allowed."""

from __future__ import annotations

import pytest

from generation.policy import prompt_check
from tests.policy_corpus import EVASIONS, HARMFUL, HARMLESS

pytestmark = pytest.mark.django_db


def _refused(prompt: str) -> bool:
    return not prompt_check(prompt).allowed


def test_every_harmful_prompt_is_refused_with_its_category_reason() -> None:
    missed = []
    wrong_category = []
    for category, prompts in HARMFUL.items():
        for prompt in prompts:
            verdict = prompt_check(prompt)
            if verdict.allowed:
                missed.append((category, prompt))
                continue
            assert verdict.reason
            kind = "rights" if verdict.code.startswith("rights:") else verdict.code[7:]
            if kind != category:
                wrong_category.append((category, prompt, verdict.code))
    total = sum(len(prompts) for prompts in HARMFUL.values())
    print(f"harmful refused: {total - len(missed)}/{total}; missed: {missed}")
    print(f"refused under another category: {wrong_category}")
    assert not missed


@pytest.mark.parametrize("evasion", sorted(EVASIONS))
def test_evasions_are_refused_too(evasion: str) -> None:
    change = EVASIONS[evasion]
    prompts = [prompt for prompts in HARMFUL.values() for prompt in prompts]
    missed = [
        change(prompt) for prompt in prompts if _refused(prompt) and not _refused(change(prompt))
    ]
    rate = 1 - len(missed) / len(prompts)
    print(f"{evasion}: refused {rate:.1%}; missed: {missed}")
    assert rate >= 0.95


def test_harmless_prompts_are_allowed() -> None:
    refused = [(prompt, prompt_check(prompt).code) for prompt in HARMLESS if _refused(prompt)]
    rate = 1 - len(refused) / len(HARMLESS)
    print(f"harmless allowed: {rate:.1%}; refused: {refused}")
    assert rate >= 0.95


@pytest.mark.parametrize(
    "corpus",
    ["more", "heldout", "heldout_2", "heldout_3", "round_4", "round_5", "round_6", "round_7"],
)
def test_more_corpora_rates(corpus: str) -> None:
    from tests import policy_corpus, policy_heldout

    harmful, harmless = {
        "more": (policy_corpus.MORE_HARMFUL, policy_corpus.MORE_HARMLESS),
        "heldout": (policy_heldout.HARMFUL, policy_heldout.HARMLESS),
        "heldout_2": (policy_heldout.HARMFUL_2, policy_heldout.HARMLESS_2),
        "heldout_3": (policy_heldout.HARMFUL_3, policy_heldout.HARMLESS_3),
        "round_4": (policy_corpus.ROUND_4_HARMFUL, policy_corpus.ROUND_4_HARMLESS),
        "round_5": (policy_corpus.ROUND_5_HARMFUL, policy_corpus.ROUND_5_HARMLESS),
        "round_6": (policy_corpus.ROUND_6_HARMFUL, policy_corpus.ROUND_6_HARMLESS),
        "round_7": (policy_corpus.ROUND_7_HARMFUL, policy_corpus.ROUND_7_HARMLESS),
    }[corpus]
    missed = [prompt for prompt in harmful if not _refused(prompt)]
    refused = [prompt for prompt in harmless if _refused(prompt)]
    refusal_rate = 1 - len(missed) / len(harmful)
    allow_rate = 1 - len(refused) / len(harmless)
    print(f"{corpus}: harmful refused {refusal_rate:.1%} (missed {missed}); "
          f"harmless allowed {allow_rate:.1%} (refused {refused})")  # fmt: skip
    assert refusal_rate >= 0.95 and allow_rate >= 0.95


def test_inflections_match_by_stem_but_names_stay_exact() -> None:
    # Verb endings the lists don't spell out, in English and French.
    assert not prompt_check("two men strangling a woman in an alley").allowed
    assert not prompt_check("des hommes tabassaient un passant").allowed
    assert not prompt_check("ils egorgent un otage").allowed
    # A character's name is a name: "transforming" is not "Transformers".
    assert prompt_check("a robot transforming into a car").allowed


def test_upgrade_brings_unedited_shipped_rows_up_to_date_and_keeps_edited_ones() -> None:
    from django.apps import apps

    from generation.models import PolicyTerm, RightsHolder
    from generation.policy_default import (
        RULES,
        _holder_fingerprint,
        _rule_fingerprint,
        default_policy_upgrade,
    )

    shipped = {rule["key"]: rule for rule in RULES}
    values = ("category_id", "kind", "pattern", "near", "window", "unless", "reason")
    # An older release's content, never touched since, and a moderator's own edit.
    PolicyTerm.objects.filter(key="violence.harm").update(pattern="stab")
    PolicyTerm.objects.filter(key="violence.kill").update(pattern="kill\nslay")
    RightsHolder.objects.filter(key="rights.peppa").update(aliases="peppa")
    PolicyTerm.objects.filter(key="minors.strong").delete()
    old_rule = PolicyTerm.objects.values(*values).get(key="violence.harm")
    holder_fields = ("name", "holder", "aliases", "unless", "policy")
    old_holder = RightsHolder.objects.values(*holder_fields).get(key="rights.peppa")
    previous = {
        "violence.harm": [_rule_fingerprint(old_rule)],
        "rights.peppa": [_holder_fingerprint(old_holder)],
    }

    for _ in range(2):  # idempotent
        result = default_policy_upgrade(apps, previous=previous)

    assert (
        PolicyTerm.objects.get(key="violence.harm").pattern == shipped["violence.harm"]["pattern"]
    )
    assert PolicyTerm.objects.get(key="violence.kill").pattern == "kill\nslay"
    assert "george pig" in RightsHolder.objects.get(key="rights.peppa").aliases
    assert PolicyTerm.objects.filter(key="minors.strong").exists()
    assert result == {"rules": 0, "rights_holders": 0, "updated": 0}


def test_look_alikes_of_the_newer_rules_are_allowed() -> None:
    from tests.policy_corpus import NEW_RULES_LOOKALIKES

    assert [prompt for prompt in NEW_RULES_LOOKALIKES if _refused(prompt)] == []
