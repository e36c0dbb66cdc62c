"""The rule catalogue: every rule's own examples, and clear errors for malformed rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ftscan.ruleset import RuleError, load_rule_file, load_rules

RULES = load_rules()
CASES = [(r.id, ex) for r in RULES.id_rules for ex in r.positive]
NEGATIVES = [(r.id, ex) for r in RULES.id_rules for ex in r.negative]


def test_every_rule_has_positive_and_negative_examples() -> None:
    for rule in RULES.id_rules:
        assert rule.positive, f"{rule.id} has no positive example"
        assert rule.negative, f"{rule.id} has no negative example"


@pytest.mark.parametrize(("rule_id", "example"), CASES, ids=lambda v: getattr(v, "text", v))
def test_positive_example_is_found_by_its_rule(rule_id: str, example) -> None:  # noqa: ANN001
    matches = [m for m in RULES.find(example.text) if m.rule.id == rule_id]
    assert matches, f"{rule_id} did not match {example.text!r}"
    if example.model_id is not None:
        assert matches[0].model_id == example.model_id
    if example.base_model is not None:
        assert matches[0].base_model == example.base_model


def test_a_whole_files_text_finds_what_each_of_its_lines_finds() -> None:
    """Rules claim spans in precedence order across a whole file's text: every example,
    positive and negative, is found in a file of them all exactly as on its own line."""
    lines = [ex.text.replace("\n", " ") for _, ex in CASES + NEGATIVES]
    filler = "# nothing to see here, " * 200 + "\n"
    text, expected = filler, []
    for line in lines:
        offset = len(text)
        expected += [(m.rule.id, m.model_id, m.start + offset) for m in RULES.find(line)]
        text += line + "\n" + filler
    assert len(text) > 4096 and len(expected) >= len(CASES)
    assert [(m.rule.id, m.model_id, m.start) for m in RULES.find(text)] == expected


@pytest.mark.parametrize(("rule_id", "example"), NEGATIVES, ids=lambda v: getattr(v, "text", v))
def test_negative_example_is_not_reported_by_its_rule(rule_id: str, example) -> None:  # noqa: ANN001
    assert [m.model_id for m in RULES.find(example.text) if m.rule.id == rule_id] == []


def test_mistral_id_is_not_also_reported_as_openai() -> None:
    matches = RULES.find("ft:open-mistral-7b:587a6b29:20240514:7e773925")
    assert [m.rule.id for m in matches] == ["FT005"]


def test_gateway_prefix_is_stripped_from_the_model_id() -> None:
    (match,) = RULES.find('litellm.completion(model="openai/ft:gpt-4o-2024-08-06:acme::AObgFq9i")')
    assert match.model_id == "ft:gpt-4o-2024-08-06:acme::AObgFq9i"
    assert dict(match.parts)["org"] == "acme"


def test_dynamic_templates_need_a_placeholder_inside_the_id() -> None:
    assert RULES.find_dynamic("ft:{base}:acme:{suffix}:{job}").rule.id == "FT001"  # type: ignore[union-attr]
    assert RULES.find_dynamic("ft:gpt-4o:acme::x and {y}") is None
    assert RULES.find_dynamic("no id here {x}") is None


def test_a_template_of_ft_and_one_placeholder_is_no_id() -> None:
    """`` `ft:${this.model}` `` keys a price table (``ft:gpt-3.5-turbo`` is a price key); an id
    built at run time shows its shape: a literal base, or the fields between its colons."""
    assert RULES.find_dynamic("ft:{this.model}") is None
    assert RULES.find_dynamic("ft:{model}:{suffix}") is None
    rebuilt = RULES.find_dynamic("ft:{this.model}:{org}:{suffix}:{job}")
    assert rebuilt is not None and rebuilt.model_id == "ft:{this.model}:{org}:{suffix}:{job}"
    based = RULES.find_dynamic("ft:gpt-4o-mini-2024-07-18:{org}::{job}")
    assert based is not None and based.base_model == "gpt-4o-mini-2024-07-18"


CHECKPOINT = "ftchkpt-3f1c5e7a9b2d4f6081a3c5e7f9b1d3a5"


@pytest.mark.parametrize("text", [
    f'{{"id": "{CHECKPOINT}", "fine_tuned_model_checkpoint": "gpt-4o-mini.ft-x:ckpt-step-9"}}',
    f'"      \\"id\\": \\"{CHECKPOINT}\\",\\n",',  # a notebook's output, JSON-escaped
    f"FineTuningJobCheckpoint(id='{CHECKPOINT}', step_number=90)",
])
def test_a_checkpoint_records_own_id_is_no_model_id(text: str) -> None:
    assert RULES.find(text) == []


@pytest.mark.parametrize("text", [
    f"checkpoint_id: {CHECKPOINT}",
    f'{{"checkpoint_id": "{CHECKPOINT}"}}',
    f'"  \\"checkpoint_id\\": \\"{CHECKPOINT}\\",\\n",',
    f'deploy(checkpoint_id="{CHECKPOINT}")',
    f'"model": {{"format": "OpenAI", "name": "{CHECKPOINT}"}}',
])
def test_a_checkpoint_id_named_as_a_model_is_still_one(text: str) -> None:
    assert [m.model_id for m in RULES.find(text)] == [CHECKPOINT]


def test_prefilter_keywords_cover_every_rule() -> None:
    for rule in RULES.id_rules:
        for example in rule.positive:
            assert RULES.might_match(example.text.encode()), rule.id
            assert RULES.is_candidate(example.text.encode()), rule.id


def _rule_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "custom.yaml"
    path.write_text(body)
    return path


GOOD = """rules:
  - id: ACME001
    name: acme-internal-model
    provider: acme
    title: Acme internal fine-tune
    description: An Acme model-registry id.
    help: Ask the ML platform team.
    keywords: ["acme-ft/"]
    patterns: ['acme-ft/(?P<base>[a-z0-9-]+)/[0-9a-f]{8}']
    examples:
      positive: ["acme-ft/llama-3-8b/deadbeef"]
      negative: ["acme-ft/"]
"""


def test_user_rule_file_extends_the_catalogue(tmp_path: Path) -> None:
    rules = load_rules([_rule_file(tmp_path, GOOD)])
    (match,) = rules.find("model = acme-ft/llama-3-8b/deadbeef")
    assert (match.rule.id, match.base_model) == ("ACME001", "llama-3-8b")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("    keywords: [\"acme-ft/\"]\n", ""), "missing field 'keywords'"),
        (("patterns: ['acme-ft", "patterns: ['(acme-ft"), "field 'patterns[0]': invalid regex"),
        (("    help: Ask", "    colour: red\n    help: Ask"), "unknown field 'colour'"),
        (("id: ACME001", "id: acme"), "field 'id' must look like FT001"),
        (("    provider: acme\n", "    provider: acme\n    level: loud\n"), "field 'level'"),
        (("rules:\n", "rulez:\n"), "a 'rules' list"),
    ],
)
def test_malformed_rule_file_is_a_clear_error(tmp_path: Path, change: tuple[str, str],
                                              message: str) -> None:
    path = _rule_file(tmp_path, GOOD.replace(*change))
    with pytest.raises(RuleError) as info:
        load_rule_file(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_invalid_yaml_rule_file_names_the_line(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, "rules:\n  - id: [unclosed\n")
    with pytest.raises(RuleError, match=r"custom.yaml:\d+: rule file is not valid YAML"):
        load_rule_file(path)


def test_duplicate_rule_id_is_rejected(tmp_path: Path) -> None:
    path = _rule_file(tmp_path, GOOD.replace("ACME001", "FT001"))
    with pytest.raises(RuleError, match="FT001: id already defined"):
        load_rules([path])


def test_prefilter_answers_exactly_as_the_full_patterns_do() -> None:
    """The bytes prefilter skips ahead to each literal prefix and only then checks the
    lookbehind; it must agree with running every full pattern on the text."""
    positives = [e.text for rule in RULES.rules for e in rule.positive]
    negatives = [e.text for rule in RULES.rules for e in rule.negative]
    glued = [
        # a look-alike right before the real id: the first place fails its lookbehind
        "shift:left:" + positives[0],
        "xft:gpt-4o-2024-08-06:acme::AbC123 and then " + positives[0],
        "xft:gpt-4o-2024-08-06:acme::AbC123 and nothing else",
        "left:right:ft:",
    ]
    for text in [*positives, *negatives, *glued]:
        expected = any(p.search(text) for r in RULES.id_rules
                       for p in (*r.patterns, *r.hints)) or any(
            k in text for r in RULES.training_rules for k in r.keywords
            if not r.requires or any(w in text for w in r.requires))
        assert RULES.is_candidate(text.encode()) is expected, text


def test_a_fusion_table_id_makes_no_file_worth_parsing() -> None:
    """Google Earth Engine scripts name Fusion Tables "ft:1emW...": the literal ends without a
    colon, so no model id is completed from it at run time. A file full of them (hundreds of
    kilobytes of coordinates around them) is settled by the byte prefilter, never parsed."""
    coordinates = ",".join(f"[{i}.5, {i}.25]" for i in range(20_000))
    script = ('var regions = ee.FeatureCollection("ft:1Q2w3E4r5T6y7U8i9O0pAsDfGhJkLzXcVbNm");\n'
              f"var roi = ee.Geometry.Polygon([[{coordinates}]]);\n"
              "Map.addLayer(roi, {left: 1}, 'roi');\n")
    assert not RULES.is_candidate(script.encode())
    assert RULES.is_candidate(b'MODEL = f"ft:{base}:acme:ranker:{job}"')
    assert RULES.is_candidate(b'MODEL = "ft:gpt-4o-mini-2024-07-18:acme:" "ranker:AbC12345"')
    assert RULES.is_candidate(b'model = "ft:" + base')
