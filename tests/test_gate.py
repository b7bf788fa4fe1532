"""The faithfulness gate and its feedback loop (skillreducer.reduce.gate): each check
catches a Restructured broken on purpose, the loop repairs or falls back, a property
test over random bodies: restructuring behind the gate loses nothing; and the heuristic
behind the actionable check (lint.actionability): what only looks like an instruction
(a caption of sample code, a recap, a described modal, ...) is not one, and the
instructions next to each such case still are."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillreducer.body.items import LABELS, body_items
from skillreducer.lint.actionability import classify_items
from skillreducer.reduce.gate import check_faithfulness, edit_allowed, reduce_body
from skillreducer.reduce.restructure import normalise, restructure
from skillreducer.reduce.tighten import Edit, apply_edits
from test_restructure import index_of, labelled, write_skill


def sample(tmp_path: Path):
    skill = write_skill(tmp_path / "pdf-tools")
    items, labels, duplicates = labelled(skill)
    return skill, items, labels, duplicates, restructure(skill, items, labels, duplicates)


def checks_failed(report) -> set[str]:
    return {f.check for f in report.failures}


def test_a_faithful_restructuring_passes(tmp_path: Path):
    skill, items, labels, duplicates, result = sample(tmp_path)
    report = check_faithfulness(skill, items, result, routing_ok=lambda: True)
    assert report.passed, report.failures
    assert report.lossless and report.actionable and report.byte_identical and report.reachable and report.routing
    assert report.promote == frozenset()


def test_a_dropped_item_fails_lossless(tmp_path: Path):
    skill, items, labels, duplicates, result = sample(tmp_path)
    index = index_of(items, "Merging keeps")
    files = dict(result.files)
    files["references/background.md"] = files["references/background.md"].replace(items[index].text, "")
    report = check_faithfulness(skill, items, dataclasses.replace(result, files=files))
    assert not report.passed and not report.lossless
    assert report.promote == {index}
    assert [(f.check, f.item) for f in report.failures] == [("lossless", index)]


def test_a_false_duplicate_record_fails_lossless(tmp_path: Path):
    skill, items, labels, duplicates, result = sample(tmp_path)
    index = index_of(items, "Merging keeps")
    for record in ("dropped:duplicate-of:0", "dropped:duplicate-of:x"):
        placements = list(result.placements)
        placements[index] = dataclasses.replace(placements[index], destination=record)
        report = check_faithfulness(skill, items, dataclasses.replace(result, placements=tuple(placements)))
        assert ("lossless", index) in [(f.check, f.item) for f in report.failures]


def test_dropped_thematic_breaks_pass_but_a_dropped_html_line_fails(tmp_path: Path):
    body = "\n# Tool\n\n<!-- keep: reviewed 2026 -->\n\n---\n\n## History\n\nThe tool was written in 2019 because the old one was slow.\n\n---\n"
    skill = write_skill(tmp_path / "tool", body)
    items = body_items(skill)
    result = restructure(skill, items, ["background"], {})
    assert "---" not in result.body and "<!-- keep: reviewed 2026 -->" in result.body
    assert check_faithfulness(skill, items, result).passed
    without_html = dataclasses.replace(result, skill_md=result.skill_md.replace("<!-- keep: reviewed 2026 -->\n\n", ""))
    report = check_faithfulness(skill, items, without_html)
    assert not report.lossless and any(f.check == "lossless" and f.detail.endswith("is not in SKILL.md") for f in report.failures)


def test_a_changed_number_in_a_code_block_fails_byte_identical(tmp_path: Path):
    skill, items, labels, duplicates, result = sample(tmp_path)
    index = index_of(items, "For example")
    files = dict(result.files)
    files["references/examples.md"] = files["references/examples.md"].replace("report-2.pdf", "report-3.pdf")
    report = check_faithfulness(skill, items, dataclasses.replace(result, files=files))
    assert not report.byte_identical
    assert report.promote == {index}
    assert any(f.check == "byte-identical" and "code block" in f.detail for f in report.failures)


def test_a_changed_number_in_prose_fails_byte_identical(tmp_path: Path):
    skill, items, labels, duplicates, result = sample(tmp_path)
    index = index_of(items, "PDF is a document")
    files = dict(result.files)
    files["references/background.md"] = files["references/background.md"].replace("in 1993", "in 1994")
    report = check_faithfulness(skill, items, dataclasses.replace(result, files=files))
    assert ("byte-identical", index, "number '1993' is missing from references/background.md") in [(f.check, f.item, f.detail) for f in report.failures]
    assert report.promote == {index}


def test_a_removed_pointer_fails_reachable(tmp_path: Path):
    skill, items, labels, duplicates, result = sample(tmp_path)
    skill_md = "\n".join(line for line in result.skill_md.split("\n") if "(references/background.md)" not in line)
    report = check_faithfulness(skill, items, dataclasses.replace(result, skill_md=skill_md))
    assert checks_failed(report) == {"reachable"}
    moved = {p.index for p in result.placements if p.destination == "references/background.md"}
    assert report.promote == moved


def test_a_moved_instruction_fails_actionable(tmp_path: Path):
    skill, items, labels, duplicates, _ = sample(tmp_path)
    index = index_of(items, "It is important")
    assert any(c.actionable and c.line == items[index].line for c in classify_items(skill))
    labels[index] = "background"
    report = check_faithfulness(skill, items, restructure(skill, items, labels, duplicates))
    assert checks_failed(report) == {"actionable"}
    assert report.promote == {index}


def test_an_edit_that_is_not_filler_fails_lossless(tmp_path: Path):
    skill, items, labels, duplicates, result = sample(tmp_path)
    index = index_of(items, "Always run")
    text = items[index].text
    start = text.index("first ")
    bad = Edit(start, start + len("first "), "first ", "", "filler", "first")
    assert not edit_allowed(bad)
    placements = list(result.placements)
    placements[index] = dataclasses.replace(placements[index], edits=(bad,), tightened=True)
    skill_md = result.skill_md.replace(text, apply_edits(text, [bad]))
    report = check_faithfulness(skill, items, dataclasses.replace(result, skill_md=skill_md, placements=tuple(placements)))
    assert not report.lossless and report.promote == {index}
    assert "neither filler nor decoration" in report.failures[0].detail


def test_edit_allowed_accepts_exactly_filler_decoration_and_case():
    assert edit_allowed(Edit(0, 12, "in order to ", "to ", "filler", "in order to"))
    assert edit_allowed(Edit(0, 8, "Simply, ", "", "filler", "simply"))
    assert not edit_allowed(Edit(0, 12, "in order to ", "so ", "filler", "in order to"))
    assert edit_allowed(Edit(0, 9, "***Go***", "**Go**", "decoration", "emphasis-run"))
    assert edit_allowed(Edit(0, 5, "- 🚀 ", "- ", "decoration", "emoji-prefix"))
    assert not edit_allowed(Edit(0, 5, "- ❌ ", "- ", "decoration", "emoji-prefix"))
    assert not edit_allowed(Edit(0, 4, "42!!", "4!", "decoration", "bang-run"))
    assert edit_allowed(Edit(0, 17, "- **Placeholders**", "- Placeholders", "decoration", "bold-label"))
    assert not edit_allowed(Edit(0, 12, "- **Never**:", "- Always:", "decoration", "bold-label"))
    assert edit_allowed(Edit(0, 1, "r", "R", "case", "sentence start"))
    assert not edit_allowed(Edit(0, 1, "r", "S", "case", "sentence start"))


def test_changed_frontmatter_and_routing_cannot_be_repaired(tmp_path: Path):
    skill, items, labels, duplicates, result = sample(tmp_path)
    broken = dataclasses.replace(result, skill_md=result.skill_md.replace("pdf-tools", "pdf-tool", 1))
    report = check_faithfulness(skill, items, broken)
    assert not report.lossless and report.promote == frozenset()
    report = check_faithfulness(skill, items, result, routing_ok=lambda: False)
    assert report.routing is False and checks_failed(report) == {"routing"}
    outcome = reduce_body(skill, items, labels, duplicates, routing_ok=lambda: False)
    assert outcome.fell_back and outcome.rounds == 0
    assert "routing" in outcome.reason
    assert outcome.skill_md == skill.text and outcome.files == {}


def test_the_feedback_loop_promotes_the_failing_item(tmp_path: Path):
    skill, items, labels, duplicates, _ = sample(tmp_path)
    index = index_of(items, "It is important")
    labels[index] = "background"
    outcome = reduce_body(skill, items, labels, duplicates)
    assert not outcome.fell_back and outcome.gate.passed
    assert outcome.rounds == 1 and outcome.promoted == {index}
    placement = outcome.restructured.placements[index]
    assert placement.destination == "SKILL.md" and placement.reason == "promoted" and not placement.tightened
    assert items[index].text in outcome.skill_md
    assert outcome.as_dict()["passed"] is True


def test_the_loop_falls_back_when_rounds_run_out(tmp_path: Path):
    skill, items, labels, duplicates, _ = sample(tmp_path)
    labels[index_of(items, "It is important")] = "background"
    outcome = reduce_body(skill, items, labels, duplicates, max_rounds=0)
    assert outcome.fell_back and outcome.restructured is None
    assert outcome.skill_md == skill.text and outcome.files == {}
    assert "0 round(s)" in outcome.reason
    assert outcome.as_dict()["passed"] is False


# ---- property: random bodies ---------------------------------------------------------

WORDS = ["run", "the", "tests", "simply", "in order to", "basically", "file", "Always", "must", "note", "🚀", "!!!", "***bold***", "you"]
INLINE = ["`pytest -q`", "`a_b = 1`", "https://example.com/docs/v2", "3.14", "42", "scripts/run.sh", "[guide](https://example.org/x)", '"simply quoted"']


def _sentence(draw) -> str:
    words = draw(st.lists(st.sampled_from(WORDS + INLINE), min_size=2, max_size=10))
    return " ".join(words).capitalize() + draw(st.sampled_from([".", ":", "!", ""]))


@st.composite
def blocks(draw) -> str:
    kind = draw(st.sampled_from(["paragraph", "list", "code", "table", "heading", "quote", "html", "intro-code"]))
    if kind == "paragraph":
        return " ".join(_sentence(draw) for _ in range(draw(st.integers(1, 3))))
    if kind == "list":
        marker = draw(st.sampled_from(["- ", "1. ", "* "]))
        rows = [marker + _sentence(draw) for _ in range(draw(st.integers(1, 4)))]
        if draw(st.booleans()):
            rows.insert(1, "  - " + _sentence(draw))
        return "\n".join(rows)
    if kind in ("code", "intro-code"):
        lines = [draw(st.sampled_from(["x = 42", "  return 3.5  ", "# simply in order to", "curl https://example.com/a?b=1", "", "echo 'hi!!!'"])) for _ in range(draw(st.integers(1, 4)))]
        code = "```" + draw(st.sampled_from(["", "bash", "python"])) + "\n" + "\n".join(lines) + "\n```"
        return ("Run this:\n" + code) if kind == "intro-code" else code
    if kind == "table":
        return "| key | value |\n|---|---|\n" + "\n".join(f"| {draw(st.sampled_from(INLINE))} | {_sentence(draw)} |" for _ in range(draw(st.integers(1, 3))))
    if kind == "heading":
        return "#" * draw(st.integers(1, 3)) + " " + _sentence(draw).rstrip(".:!")
    if kind == "quote":
        return "> " + _sentence(draw)
    return "<!-- " + _sentence(draw) + " -->"


@st.composite
def skills(draw) -> tuple[str, dict[str, str]]:
    """A body, and maybe an existing references/examples.md that holds some of its blocks
    (so moved items collide with it by name and some are already in it)."""
    parts = draw(st.lists(blocks(), min_size=1, max_size=12))
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from(parts)))  # an exact repeat
    files = {}
    if draw(st.booleans()):
        files["references/examples.md"] = "# Examples\n\n" + "\n\n".join(draw(st.lists(st.sampled_from(parts), max_size=3))) + "\n"
    return "\n" + "\n\n".join(parts) + "\n", files


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=skills(), data=st.data())
def test_restructuring_random_bodies_loses_nothing(case: tuple[str, dict[str, str]], data):
    body, existing = case
    with tempfile.TemporaryDirectory() as folder:
        skill = write_skill(Path(folder) / "random-skill", body, existing)
        items = body_items(skill)
        labels = [data.draw(st.sampled_from(LABELS)) for _ in items]
        duplicates = {i: data.draw(st.integers(0, i - 1)) for i, label in enumerate(labels) if label == "redundant" and i > 0}
        result = restructure(skill, items, labels, duplicates)
        report = check_faithfulness(skill, items, result)
        assert report.lossless and report.byte_identical and report.reachable, report.failures

        # Independently of the gate: every item, or its tightened form, is in the output.
        assert set(result.files).isdisjoint(existing)  # nothing overwritten
        everything = result.body + "\n" + "\n".join([*result.files.values(), *existing.values()])
        output = normalise(everything)
        for item, placement in zip(items, result.placements):
            if placement.destination.startswith("dropped:duplicate-of:"):
                target = int(placement.destination.rsplit(":", 1)[1])
                assert normalise(item.text) in normalise(items[target].text)
            else:
                assert normalise(apply_edits(item.text, placement.edits)) in output
        for block in skill.code_blocks:
            assert block.text.rstrip("\n").split("\n")[-1] in everything
        for url in re.findall(r"https?://[^\s)`]+", skill.body):
            assert url in everything

        outcome = reduce_body(skill, items, labels, duplicates)
        assert outcome.fell_back or outcome.gate.passed
        if outcome.fell_back:
            assert outcome.skill_md == skill.text


# ---- the actionable check: what the heuristic calls an instruction -------------------


def calls(tmp_path: Path, body: str) -> dict[str, tuple[bool, str]]:
    """(actionable, cue) of each heuristic item of a body, keyed by the item's first line."""
    skill = write_skill(tmp_path / "heuristic", body)
    return {item.text.split("\n")[0].strip(): (item.actionable, item.cue) for item in classify_items(skill)}


@pytest.mark.parametrize(
    ("body", "first_line", "cue"),
    [
        ("## Steps\n\nSample outline:\n\n```markdown\n# Q3 review\n- Up 6%\n```\n", "Sample outline:", "introduces the code below"),
        ("## Steps\n\n- [ ] Service config to start from:\n\n  ```json\n  {\"timeout\": \"5s\"}\n  ```\n", "- [ ] Service config to start from:", "introduces the code below"),
        ("## Steps\n\nExample: run `make test` before you push.\n", "Example: run `make test` before you push.", "sample 'example'"),
        ("## Steps\n\nA finding might read: high, session id not rotated.\n", "A finding might read: high, session id not rotated.", "sample 'might read'"),
        ("## Notes\n\nTo recap: read as strings and log every change.\n", "To recap: read as strings and log every change.", "recap 'to recap'"),
        ("Use when a credential was exposed in a ticket.\n", "Use when a credential was exposed in a ticket.", "scope 'use when'"),
        ("Reference for S3 lifecycle rules and retention.\n", "Reference for S3 lifecycle rules and retention.", "scope 'reference for'"),
        ("`go get` will never move you across major versions.\n", "`go get` will never move you across major versions.", "no instruction"),
        ("Operators must often resnapshot a table after a schema change.\n", "Operators must often resnapshot a table after a schema change.", "no instruction"),
        ("PyMuPDF handles redaction, which has to rewrite the page.\n", "PyMuPDF handles redaction, which has to rewrite the page.", "no instruction"),
        ("This page lists what must never be logged by a service.\n", "This page lists what must never be logged by a service.", "no instruction"),
        ('> As the vignette puts it, the values "should be raw counts".\n', '> As the vignette puts it, the values "should be raw counts".', "no instruction"),
        ("## Steps\n\n**Key properties to set:**\n\n- `width`: 40\n", "**Key properties to set:**", "a bold line that heads what follows"),
        ("# Release checklist\n\nA fixed pass over a new dataset.\n", "A fixed pass over a new dataset.", "no instruction"),
        ("| Option | Description |\n|---|---|\n| `-c FILE` | Use the given config file |\n| `-v` | Print every step |\n", "| Option | Description |", "table"),
        ("# Webhooks\n\n## Step 2: deduplicate\n\nTwo deliveries can both see no row. The unique constraint makes the check atomic.\n",
         "Two deliveries can both see no row. The unique constraint makes the check atomic.", "no instruction"),
    ],
    ids=["caption", "caption-in-checklist", "sample-label", "sample-cue", "recap", "scope-use-when", "scope-reference-for", "prediction", "hedged-modal", "relative-clause", "what-must-never", "quotation", "bold-line", "title-is-not-a-section", "description-column", "explanation-under-a-step-heading"],
)
def test_what_only_looks_like_an_instruction_is_not_one(tmp_path: Path, body: str, first_line: str, cue: str):
    assert calls(tmp_path, body)[first_line] == (False, cue)


@pytest.mark.parametrize(
    ("body", "first_line", "cue"),
    [
        ("Never log tokens or session ids.\n", "Never log tokens or session ids.", "modal 'never'"),
        ("Files over 2 GB must be streamed.\n", "Files over 2 GB must be streamed.", "modal 'must'"),
        ('Reply "done" and stop.\n', 'Reply "done" and stop.', "imperative 'reply'"),
        ("When the work calls an API (payments, email), pass an idempotency key.\n", "When the work calls an API (payments, email), pass an idempotency key.", "conditional instruction"),
        ("# Data tools\n\n## Rules\n\nInputs live on a sheet named `Inputs`.\n", "Inputs live on a sheet named `Inputs`.", "under an instruction heading"),
        ("## Steps\n\nThe logs of the crashed container:\n\n```bash\nkubectl logs --previous web-1\n```\n", "The logs of the crashed container:", "under an instruction heading"),
        ("## Steps\n\n1. Config file:\n\n   ```yaml\n   retries: 3\n   ```\n", "1. Config file:", "numbered step"),
        ("| Method | Use when |\n|---|---|\n| `RK45` | non-stiff problems |\n| `Radau` | stiff problems |\n", "| Method | Use when |", "table of decisions"),
        ("| Task | Command |\n|---|---|\n| Build a model | Run `dbt build` |\n", "| Task | Command |", "table of instructions"),
    ],
    ids=["modal", "modal-passive", "quoted-word", "conditional-with-parentheses", "instruction-heading", "caption-of-a-command", "numbered-caption", "decision-table", "table-of-instructions"],
)
def test_instructions_stay_instructions(tmp_path: Path, body: str, first_line: str, cue: str):
    assert calls(tmp_path, body)[first_line] == (True, cue)


def test_a_command_after_a_captioned_command_stays_with_it(tmp_path: Path):
    found = calls(tmp_path, "## Steps\n\nThe logs of the crashed container:\n\n```bash\nkubectl logs --previous web-1\n```\n")
    assert found["```bash"] == (True, "command for the instruction above")


def test_a_moved_sample_under_an_instruction_heading_needs_no_promotion(tmp_path: Path):
    body = "\n# Tracing\n\n## Setup\n\nSet `OTEL_SERVICE_NAME` to the service's catalog name.\n\nResulting line:\n\n```json\n{\"msg\": \"order created\", \"service\": \"orders-api\"}\n```\n"
    skill = write_skill(tmp_path / "tracing", body)
    items = body_items(skill)
    labels = ["core", "example"]
    outcome = reduce_body(skill, items, labels, {})
    assert not outcome.fell_back and outcome.rounds == 0 and outcome.promoted == frozenset()
    assert outcome.restructured.placements[1].destination == "references/examples.md"
    assert '{"msg": "order created"' in outcome.files["references/examples.md"]
