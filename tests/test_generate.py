"""Generating a description from the body (reduce, issue 4), on skills written to tmp_path."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from skillreducer.load import load_skill
from skillreducer.reduce.clauses import join, segment
from skillreducer.reduce.generate import generate_description

WITH_HEADINGS = """
    # PDF Form Filling

    Fills PDF forms from structured data and flattens the result for sending.

    ## Fill a form

    Read the field names first, then write the values:

    ```python
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader("application.pdf")
    writer = PdfWriter()
    writer.append(reader)
    writer.update_page_form_field_values(writer.pages[0], {"name": "Ada"})
    ```

    ## Merge filled forms

    ```bash
    qpdf --empty --pages a.pdf b.pdf -- merged.pdf
    ```

    ## Flatten before sending

    Flatten with `pypdf` so viewers cannot edit the values.

    ## Troubleshooting

    If a field does not show its value, set `NeedAppearances` and save again.
"""

WITHOUT_HEADINGS = """
    Converts Markdown tables to CSV for spreadsheets.

    - Parse each table with `markdown-it-py` before touching cells.
    - Write rows with the csv module and quote every field.

    ```python
    import csv
    from markdown_it import MarkdownIt
    ```

    Run `mdtable2csv --all README.md` to convert every table in a file.
"""


def write_skill(root: Path, name: str, body: str, description: str | None = None) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    front = [f"name: {name}"] + ([f"description: {description}"] if description is not None else [])
    (folder / "SKILL.md").write_text("---\n" + "\n".join(front) + "\n---\n" + textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return folder


def assert_description(text: str, limit: int) -> None:
    assert text and len(text) <= limit
    assert "\n" not in text and "  " not in text
    assert text[0].isupper() and text.endswith(".")
    assert not re.search(r"\b(?:I|we|you|your|my|our)\b", text, re.I), text
    clauses = segment(text)
    assert len(clauses) >= 2
    assert join(clauses) == text  # ddmin can compress it clause by clause


def test_generated_from_headings_and_code(tmp_path: Path) -> None:
    skill = load_skill(write_skill(tmp_path, "pdf-form-filling", WITH_HEADINGS))
    text = generate_description(skill, 1024)
    assert_description(text, 1024)
    assert text.startswith("PDF Form Filling. Fills PDF forms from structured data")
    assert "Use when asked to fill a form, merge filled forms, or flatten before sending." in text
    assert "pypdf" in text and "qpdf" in text
    assert "Troubleshooting" not in text
    assert [c.role for c in segment(text)].count("trigger-item") == 3


def test_generated_without_headings(tmp_path: Path) -> None:
    skill = load_skill(write_skill(tmp_path, "md-tables", WITHOUT_HEADINGS))
    text = generate_description(skill, 1024)
    assert_description(text, 1024)
    assert text.startswith("Converts Markdown tables to CSV for spreadsheets.")
    assert "parse each table with markdown-it-py before touching cells" in text
    assert "mdtable2csv" in text and "markdown_it" in text
    works_with = re.split(r",? and |, ", text.split("Works with ", 1)[1].rstrip("."))
    assert "csv" not in works_with  # a standard-library module is not specific


@pytest.mark.parametrize("limit", [60, 120, 200])
def test_generated_within_the_limit(tmp_path: Path, limit: int) -> None:
    skill = load_skill(write_skill(tmp_path, "pdf-form-filling", WITH_HEADINGS))
    text = generate_description(skill, limit)
    assert text and len(text) <= limit and text.endswith(".")
    assert "\n" not in text


def test_generated_is_deterministic(tmp_path: Path) -> None:
    first = load_skill(write_skill(tmp_path / "a", "pdf-form-filling", WITH_HEADINGS))
    second = load_skill(write_skill(tmp_path / "b", "pdf-form-filling", WITH_HEADINGS))
    assert generate_description(first, 500) == generate_description(first, 500) == generate_description(second, 500)


def test_second_person_intro_is_left_out(tmp_path: Path) -> None:
    body = """
        # Log triage

        You can use this to find out what broke during an incident.

        ## Group errors by signature

        ```bash
        journalctl -u api --since "1 hour ago" | jq -r .msg
        ```
    """
    text = generate_description(load_skill(write_skill(tmp_path, "log-triage", body)), 1024)
    assert_description(text, 1024)
    assert "incident" not in text
    assert "group errors by signature" in text and "journalctl" in text


def test_a_short_description_and_an_empty_body(tmp_path: Path) -> None:
    skill = load_skill(write_skill(tmp_path, "regex-helper", "", description="Regex."))
    assert generate_description(skill, 1024) == "Regex helper."
    nameless = tmp_path / "nameless"
    nameless.mkdir()
    (nameless / "SKILL.md").write_text("---\ndescription: x\n---\n", encoding="utf-8")
    assert generate_description(load_skill(nameless), 1024) == ""


def test_a_limit_below_one_is_an_error(tmp_path: Path) -> None:
    skill = load_skill(write_skill(tmp_path, "pdf-form-filling", WITH_HEADINGS))
    with pytest.raises(ValueError, match="positive"):
        generate_description(skill, 0)


NOISY_HEADINGS = """
    # Commit Helper

    Writes conventional commit messages from staged changes.

    ## Use this skill when

    - writing a commit message for staged changes

    ## Do not use this skill

    For release notes use the changelog skill.

    ## Poor assertions

    ## Version Adapter Pattern

    ## Split large commits

    See `references/types.md` and [the guide](references/guide.md) for `Priority` labels.

    ```
    Breaking: drop Node 16
    Fixes: #12
    ```

    ```bash
    git commit --fixup HEAD && git rebase -i --autosquash main
    ```
"""


def test_headings_that_name_no_task_and_the_skills_own_files_are_left_out(tmp_path: Path) -> None:
    folder = write_skill(tmp_path, "commit-helper", NOISY_HEADINGS)
    (folder / "references").mkdir()
    (folder / "references" / "types.md").write_text("# Types\n", encoding="utf-8")
    text = generate_description(load_skill(folder), 1024)
    assert_description(text, 1024)
    assert "Use when asked to split large commits." in text
    assert "writing a commit message for staged changes" in text
    for absent in ("this skill", "Do not", "Poor", "Adapter", "references/", "Priority", "Breaking", "Fixes"):
        assert absent not in text, absent  # self-reference, negation, judgement, a name, own files, prose words
    assert "git" in text
