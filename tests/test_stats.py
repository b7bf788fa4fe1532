"""`skillreducer stats` end to end: real files, real processes, an independent count."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

import stats_independent
from clihelp import GOOD_DESCRIPTION, json_result, run_cli, write_skill
from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"

TOPICS = [
    "invoices", "kubernetes manifests", "postgres migrations", "terraform plans", "react components", "pdf forms",
    "csv exports", "docker images", "grafana dashboards", "openapi specs", "latex papers", "slack messages",
    "git history", "python packaging", "rust crates", "s3 buckets", "jira tickets", "figma files", "sql reports",
    "email templates", "regex patterns", "unit tests", "load tests", "dns records", "tls certificates", "cron jobs",
    "log files", "feature flags", "translation files", "accessibility audits",
]


def _body(seed: str, sentences: int = 12) -> str:
    words = seed.split()
    return "\n\n".join(f"{i + 1}. Run `{words[i % len(words)]}-tool --step {i}` and check the {words[(i * 7) % len(words)]} output for case {seed} {i}." for i in range(sentences)) + "\n"


def make_corpus(top: Path) -> Path:
    """A small corpus with one skill for every figure `stats` counts."""
    write_skill(top, "csv-to-table", files={"references/guide.md": "# Guide\n\nEscape pipes in cells.\n" * 5})
    write_skill(top, "no-description", frontmatter="name: no-description", body=_body("alpha beta gamma"))
    write_skill(top, "short-desc", frontmatter="name: short-desc\ndescription: Does things.", body=_body("delta epsilon"))
    write_skill(top, "long-desc", frontmatter=f"name: long-desc\ndescription: \"{'Converts long reports into summaries for managers. ' * 22}\"", body=_body("zeta eta"))
    write_skill(top, "block-literal", frontmatter=f"name: block-literal\ndescription: |\n  {GOOD_DESCRIPTION}\n  Second line of the literal block.", body=_body("theta iota"))
    write_skill(top, "block-folded", frontmatter=f"name: block-folded\ndescription: >\n  {GOOD_DESCRIPTION}", body=_body("kappa lambda"))
    write_skill(top, "Bad_Name", frontmatter=f'name: Bad_Name\ndescription: "{GOOD_DESCRIPTION}"', body=_body("mu nu"))
    write_skill(top, "folder-a", frontmatter=f'name: other-name\ndescription: "{GOOD_DESCRIPTION} Folder."', body=_body("xi omicron"))
    write_skill(top, "no-name", frontmatter=f'description: "{GOOD_DESCRIPTION} No name."', body=_body("pi rho"))
    write_skill(top, "many-lines", frontmatter=f'name: many-lines\ndescription: "{GOOD_DESCRIPTION} Lines."', body="".join(f"- item {i}\n" for i in range(620)))
    big = "\n".join(f"Paragraph {i}: " + " ".join(f"token{i}x{j}" for j in range(40)) + "." for i in range(150))
    write_skill(top, "big-body", frontmatter=f'name: big-body\ndescription: "{GOOD_DESCRIPTION} Big."', body=big + "\n")
    scripted = write_skill(top, "with-scripts", frontmatter=f'name: with-scripts\ndescription: "{GOOD_DESCRIPTION} Scripts."', body=_body("sigma tau"),
                           files={"scripts/run.py": "print('hi')\n", "references/api.md": "# API\n\n" + "Call the endpoint with a token.\n" * 40})
    (scripted / "assets").mkdir()
    (scripted / "assets" / "logo.png").write_bytes(bytes(range(256)) * 4)
    for name in ("dup-a", "dup-b"):  # the same files byte for byte
        write_skill(top, name, frontmatter=f'name: dup\ndescription: "{GOOD_DESCRIPTION} Duplicate."', body=_body("upsilon phi"))
    shared = " ".join(f"Sentence {i} explains how the exporter handles field {i} with care and precision." for i in range(60))
    write_skill(top, "near-a", frontmatter='name: near-a\ndescription: "Exports ledger rows to parquet files for the finance warehouse. Use when asked to export ledgers."', body=shared + " The end.\n")
    write_skill(top, "near-b", frontmatter='name: near-b\ndescription: "Schedules nightly backups of the marketing wiki to cold storage. Use when asked about wiki backups."', body=shared + " Finally.\n")
    collide = "Formats Python source files with black and sorts imports with isort. Use when the user asks to format or tidy Python code."
    write_skill(top, "collide-a", frontmatter=f'name: collide-a\ndescription: "{collide}"', body=_body("chi psi"))
    write_skill(top, "collide-b", frontmatter=f'name: collide-b\ndescription: "{collide} Also for notebooks."', body=_body("omega one"))
    write_skill(top, "hidden-skill", frontmatter=f'name: hidden-skill\ndescription: "{GOOD_DESCRIPTION} Hidden."\ndisable-model-invocation: true', body=_body("two three"))
    for index, topic in enumerate(TOPICS):  # enough descriptions to overflow the listing budgets
        name = f"gen-{index:02d}"
        description = (
            f"Inspects {topic} and reports every problem it finds with a precise location and a suggested fix. "
            f"Use when the user asks to review, validate, lint or clean up {topic}, or pastes {topic} and asks what is wrong with them. "
            f"Handles large inputs in batches."
        )
        write_skill(top, name, frontmatter=f'name: {name}\ndescription: "{description}"', body=_body(topic.replace(" ", "-") + f" v{index}"))
    return top


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("stats") / "corpus")


@pytest.fixture(scope="module")
def full_report(corpus) -> dict:
    completed = run_cli("stats", "--format", "json", "--jobs", "2", "corpus", cwd=corpus.parent)
    assert completed.returncode == 0, completed.stderr
    return json_result(completed)


def _agrees(report: dict, expected: dict) -> None:
    for key, value in expected.items():
        if key == "exact_duplicate_copies":
            assert report["duplicates"]["exact"]["redundant_copies"] == value, key
        elif isinstance(value, dict):
            assert {k: report[key][k] for k in value} == value, key
        else:
            assert report[key] == value, key


def test_agrees_with_an_independent_count(corpus, full_report):
    expected = stats_independent.count(str(corpus))
    assert expected["skills"] == len(TOPICS) + 19
    _agrees(full_report, expected)
    # The corpus was built to exercise every count.
    for key in ("missing_description", "missing_or_short_description", "description_over_1024_chars", "block_scalar_description", "invalid_name",
                "name_folder_mismatch", "body_over_500_lines", "body_over_5000_tokens", "single_file", "with_references", "with_scripts"):
        assert full_report[key] > 0, key
    assert full_report["skills_failed"] == 0


def test_agrees_with_an_independent_count_on_real_skills(real_corpus, tmp_path):
    for repo in ("anthropics__skills", "obra__superpowers", "getsentry__skills"):
        shutil.copytree(real_corpus / repo, tmp_path / "real" / repo, symlinks=True)
    completed = run_cli("stats", "--format", "json", "real", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    _agrees(json_result(completed), stats_independent.count(str(tmp_path / "real")))


def test_findings_are_those_of_check(corpus, full_report):
    completed = run_cli("check", "--format", "json", "--no-cache", "corpus", cwd=corpus.parent)
    check = json_result(completed)
    assert full_report["findings"]["total"] == len(check["diagnostics"])
    assert full_report["findings"]["by_code"] == dict(Counter(d["code"] for d in check["diagnostics"]))
    # The listing budget is one implementation: stats' losers are those SR603 reports.
    claude = next(item for item in full_report["listing"] if item["profile"] == "claude-code")
    sr603 = [d for d in check["diagnostics"] if d["code"] == "SR603"]
    assert claude["units"] == 1 and claude["units_over_budget"] == len(sr603) == 1
    assert f"so {claude['descriptions_dropped']:,} lose their description" in sr603[0]["message"]
    losers = [row["path"] for row in claude["first_to_lose"]]
    assert len(losers) == claude["descriptions_dropped"] > 0
    assert Path(sr603[0]["path"]).parent.name == min(losers)  # reported on the first loser in path order
    assert claude["hidden"] == 1 and claude["descriptions_fit"] + claude["descriptions_dropped"] == claude["descriptions"]
    # ... and the collisions are SR602's pairs.
    sr602 = {Path(d["path"]).parent.name for d in check["diagnostics"] if d["code"] == "SR602"}
    pairs = {name for p in full_report["collisions"]["top"] for name in (p["a"], p["b"])}
    assert pairs == sr602 and {"collide-a", "collide-b"} <= pairs


def test_duplicates_and_near_duplicates(full_report):
    exact = full_report["duplicates"]["exact"]
    assert exact["groups"] == 1 and exact["top"][0]["paths"] == ["dup-a", "dup-b"]
    near = full_report["duplicates"]["near"]
    assert [(p["a"], p["b"]) for p in near["top"]] == [("near-a", "near-b")]
    assert near["top"][0]["similarity"] >= 0.8


def test_top_offenders_and_body_types(full_report):
    top = full_report["top_offenders"]
    assert top["body_tokens"][0]["path"] == "big-body"
    assert top["description_tokens"][0]["path"] == "long-desc"
    assert top["reference_tokens"][0]["path"] == "with-scripts"
    assert all(a["tokens"] >= b["tokens"] for a, b in zip(top["total_tokens"], top["total_tokens"][1:]))
    assert top["findings"] and all(a["findings"] >= b["findings"] for a, b in zip(top["findings"], top["findings"][1:]))
    types = full_report["body_types"]
    assert set(types["items"]) == {"core", "background", "example", "template", "redundant"}
    assert types["items"]["core"] > 0 and types["not_distinguished"] == []
    assert types["non_actionable_items_pct"] == round(100 - types["items_pct"]["core"], 2)


def test_shards_merge_into_the_unsharded_report(corpus, full_report, tmp_path):
    parts = []
    for k in (1, 2, 3):
        completed = run_cli("stats", "--format", "json", "--shard", f"{k}/3", "--jobs", "1", "corpus", cwd=corpus.parent)
        assert completed.returncode == 0, completed.stderr
        part = json_result(completed)
        assert part["shard"] == f"{k}/3"
        path = tmp_path / f"part{k}.json"
        path.write_text(completed.stdout, encoding="utf-8")
        parts.append(path)
    sizes = [len(json.loads(p.read_text())["records"]) for p in parts]
    assert sum(sizes) == full_report["skills"] and max(sizes) - min(sizes) <= 1
    merged = run_cli("stats", "--format", "json", "--merge", *map(str, parts), cwd=corpus.parent)
    assert merged.returncode == 0, merged.stderr
    assert json_result(merged) == full_report
    # Text and HTML come from the same report.
    text = run_cli("stats", "--merge", *map(str, parts), "--html", str(tmp_path / "merged.html"), cwd=corpus.parent)
    assert text.returncode == 0 and text.stdout.startswith(f"skills: {full_report['skills']}")
    assert (tmp_path / "merged.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_merge_refuses_overlap_and_mismatch(corpus, tmp_path):
    part = run_cli("stats", "--format", "json", "--shard", "1/2", "corpus", cwd=corpus.parent)
    (tmp_path / "a.json").write_text(part.stdout, encoding="utf-8")
    other = run_cli("stats", "--format", "json", "--shard", "2/2", "--profile", "codex", "corpus", cwd=corpus.parent)
    (tmp_path / "b.json").write_text(other.stdout, encoding="utf-8")
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "other.json").write_text('{"diagnostics": []}', encoding="utf-8")
    for args, message in [
        (["a.json", "a.json"], "overlap"),
        (["a.json", "b.json"], "other settings"),
        (["bad.json"], "not JSON"),
        (["other.json"], "not the output"),
        (["missing.json"], "cannot read"),
    ]:
        completed = run_cli("stats", "--merge", *args, cwd=tmp_path)
        assert completed.returncode == 2, args
        assert message in completed.stderr and "Traceback" not in completed.stderr
        assert completed.stdout == ""


@pytest.mark.parametrize("args", [
    ["stats", "does-not-exist"],
    ["stats"],
    ["stats", "--shard", "0/2", "."],
    ["stats", "--shard", "3/2", "."],
    ["stats", "--shard", "one", "."],
    ["stats", "--jobs", "0", "."],
    ["stats", "--profile", "nope", "."],
    ["stats", "--format", "xml", "."],
    ["stats", "--merge", "a.json", "--shard", "1/2"],
    ["stats", ".", "--merge", "a.json"],
])
def test_usage_errors_exit_2(tmp_path, args):
    write_skill(tmp_path, "csv-to-table")
    completed = run_cli(*args, cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.strip() and "Traceback" not in completed.stderr
    assert completed.stdout == ""


def test_html_cannot_be_written_exits_2(tmp_path):
    write_skill(tmp_path, "csv-to-table")
    completed = run_cli("stats", ".", "--html", str(tmp_path / "no" / "such" / "dir" / "r.html"), cwd=tmp_path)
    assert completed.returncode == 2 and "cannot write" in completed.stderr


def test_empty_tree_reports_zero_skills(tmp_path):
    (tmp_path / "empty").mkdir()
    completed = run_cli("stats", "--format", "json", "--html", "r.html", "empty", cwd=tmp_path)
    assert completed.returncode == 0
    report = json_result(completed)
    assert report["skills"] == 0 and report["records"] == [] and "no skills found" in completed.stderr
    assert "Skill corpus: 0 skills" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert run_cli("stats", "empty", cwd=tmp_path).stdout.startswith("skills: 0")


def test_profile_without_listing_and_text_output(tmp_path):
    write_skill(tmp_path, "csv-to-table")
    completed = run_cli("stats", "--profile", "agentskills", ".", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "agentskills: this profile defines no listing budget" in completed.stdout
    assert "missing or under 20 tokens" in completed.stdout and "Traceback" not in completed.stderr


def make_hostile(top: Path) -> Path:
    top.mkdir(parents=True)
    (top / "not-utf8").mkdir()
    (top / "not-utf8" / "SKILL.md").write_bytes(b"---\nname: not-utf8\ndescription: caf\xe9 \xff\xfe\n---\n\nBody \x00 with NUL.\n")
    (top / "empty").mkdir()
    (top / "empty" / "SKILL.md").write_bytes(b"")
    (top / "dir-skill" / "SKILL.md").mkdir(parents=True)
    (top / "dir-skill" / "SKILL.md" / "x").write_text("x")
    write_skill(top, "yaml-tags", frontmatter="name: !!python/object/apply:os.system ['echo pwned']\ndescription: !custom x")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
    write_skill(top, "yaml-bomb", frontmatter=bomb + "name: yaml-bomb\ndescription: x")
    write_skill(top, "unclosed", frontmatter="name: unclosed")
    (top / "unclosed" / "SKILL.md").write_text("---\nname: unclosed\ndescription: [never closed\n\n# Body\n```python\nprint(\n", encoding="utf-8")
    write_skill(top, "xss", frontmatter='name: "<script>alert(1)</script>"\ndescription: "<img src=x onerror=alert(2)> Converts things. Use when asked to convert things into other things."',
                body="<script>alert(3)</script>\n\n" + "\n".join(f"- step {i}" for i in range(5)))
    outside = top.parent / "outside.md"
    outside.write_text("secret\n")
    escaper = write_skill(top, "escaper", files={"references/ok.md": "# ok\n"})
    os.symlink(outside, escaper / "references" / "leak.md")
    os.symlink(outside, top / "escaper" / "outside-link.md")
    (top / "symlinked-skill").mkdir()
    os.symlink(outside, top / "symlinked-skill" / "SKILL.md")
    write_skill(top, "long-line", body="x" * 50_000 + "\n")
    write_skill(top, "binary-refs", files={"references/data.md": "ok\n"})
    (top / "binary-refs" / "references" / "blob.md").write_bytes(os.urandom(2048))
    write_skill(top, "utf16").joinpath("SKILL.md").write_bytes("---\nname: utf16\ndescription: hi\n---\nBody\n".encode("utf-16"))
    write_skill(top, "crlf").joinpath("SKILL.md").write_bytes(f"---\r\nname: crlf\r\ndescription: {GOOD_DESCRIPTION}\r\n---\r\n\r\nBody line.\r\n".encode())
    return top


def test_hostile_skills_do_not_crash(tmp_path):
    make_hostile(tmp_path / "hostile")
    html = tmp_path / "report.html"
    completed = run_cli("stats", "--format", "json", "--jobs", "2", "--html", str(html), "hostile", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    report = json_result(completed)
    assert report["skills"] == 13 and report["skills_failed"] == 0, report["failures"]
    page = html.read_text(encoding="utf-8")
    # Names, descriptions and paths are escaped: the only script is the report's own.
    assert page.count("<script>") == 1 and "<img src=x" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "secret" not in completed.stdout


def test_semantic_collisions(tmp_path):
    write_skill(tmp_path / "c", "pdf-merge", frontmatter='name: pdf-merge\ndescription: "Merges several PDF files into one document. Use when the user wants to combine PDFs."', body=_body("a b c"))
    write_skill(tmp_path / "c", "pdf-combine", frontmatter='name: pdf-combine\ndescription: "Combines multiple PDF documents into a single file. Use when someone asks to join PDFs together."', body=_body("d e f"))
    write_skill(tmp_path / "c", "tls-certs", frontmatter='name: tls-certs\ndescription: "Renews TLS certificates with certbot and reloads nginx. Use when a certificate is about to expire."', body=_body("g h i"))
    plain = json_result(run_cli("stats", "--format", "json", "c", cwd=tmp_path))
    completed = run_cli("stats", "--format", "json", "--semantic", "c", cwd=tmp_path, timeout=600)
    semantic = json_result(completed)
    assert completed.stderr == ""  # no model-loading noise
    assert plain["collisions"]["pairs"] == 0  # few shared words: TF-IDF misses the paraphrase
    assert semantic["settings"]["semantic"] is True and semantic["collisions"]["method"].startswith("embeddings")
    assert [(p["a"], p["b"]) for p in semantic["collisions"]["top"]] == [("pdf-combine", "pdf-merge")]


def _chromium(*args: str, user_data: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", f"--user-data-dir={user_data}", *args],
        capture_output=True, text=True, timeout=120,
    )


def test_html_report_renders_in_chromium(corpus, full_report, tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed (Debian package `chromium`); the HTML report is not rendered")
    html = tmp_path / "report.html"
    completed = run_cli("stats", "--html", str(html), "corpus", cwd=corpus.parent)
    assert completed.returncode == 0, completed.stderr
    page = html.read_text(encoding="utf-8")
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "") and "https://" not in page  # nothing fetched
    dom = _chromium("--dump-dom", html.as_uri(), user_data=tmp_path / "profile").stdout
    n = full_report["skills"]
    assert f"Skill corpus: {n:,} skills" in dom
    assert f"{full_report['missing_or_short_description_pct']:.2f}%" in dom
    assert dom.count("<svg") >= 7  # four histograms, the body types, two listing budgets
    assert 'data-sortable-tables="' in dom and "rows, sortable" in dom  # the script ran
    assert "big-body" in dom and "collide-a" in dom and "near-b" in dom
    assert dom.count("<tr>") > 40
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "stats_report.png"
    screenshot.unlink(missing_ok=True)
    _chromium(f"--screenshot={screenshot}", "--window-size=1280,2000", html.as_uri(), user_data=tmp_path / "profile")
    assert screenshot.is_file() and screenshot.stat().st_size > 20_000
