"""The command line end to end: real processes, real files."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from clihelp import json_result, run_cli, write_skill
from conftest import ROOT

SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


def cache_entries(cache: Path) -> list[tuple[str, str]]:
    """(key, payload) rows of check's cache file."""
    with contextlib.closing(sqlite3.connect(cache / "check.sqlite3")) as db:
        return db.execute("SELECT key, payload FROM entry").fetchall()


def codes(result: dict) -> list[str]:
    return [d["code"] for d in result["diagnostics"]]


@pytest.mark.parametrize("command", [[], ["check"], ["rules"], ["rule"]])
def test_help_everywhere(command):
    completed = run_cli(*command, "--help")
    assert completed.returncode == 0
    assert "usage: skillreducer" in completed.stdout


def test_version():
    completed = run_cli("--version")
    assert completed.returncode == 0 and completed.stdout.startswith("skillreducer ")


def test_clean_skill_exits_0_and_prints_nothing(tmp_path):
    write_skill(tmp_path, "csv-to-table")
    completed = run_cli("check", "--no-cache", "csv-to-table", cwd=tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout == ""
    assert "no findings" in completed.stderr


def test_findings_exit_1_with_text_lines(tmp_path):
    write_skill(tmp_path, "Bad_Name", frontmatter="name: Bad_Name\ndescription: x")
    completed = run_cli("check", "--no-cache", "--select", "SR102", ".", cwd=tmp_path)
    assert completed.returncode == 1
    assert completed.stdout.strip() == (
        "Bad_Name/SKILL.md:2:1: SR102 [name-format] name 'Bad_Name' must be lowercase letters, digits and "
        "single hyphens, not starting or ending with one"
    )


@pytest.mark.parametrize("args", [["check", "does-not-exist"], ["check", "--select", "NOPE", "."], ["check", "--format", "xml", "."], ["rule", "SR999"], ["check", "--profile", "nope", "."], ["check", "--jobs", "0", "."]])
def test_usage_errors_exit_2_without_traceback(tmp_path, args):
    write_skill(tmp_path, "csv-to-table")
    completed = run_cli(*args, cwd=tmp_path)
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr and completed.stderr.strip()
    assert completed.stdout == ""


def test_fail_level_decides_exit_code(tmp_path):
    write_skill(tmp_path, "Bad_Name", frontmatter="name: Bad_Name\ndescription: x")
    assert run_cli("check", "--no-cache", "--select", "SR102", "--fail-level", "error", ".", cwd=tmp_path).returncode == 1
    config = tmp_path / "skillreducer.toml"
    config.write_text('[severity]\nSR102 = "info"\n', encoding="utf-8")
    completed = run_cli("check", "--no-cache", "--select", "SR102", ".", cwd=tmp_path)
    assert completed.returncode == 0 and "SR102" in completed.stdout


def test_json_shape(tmp_path):
    write_skill(tmp_path / "skills", "Bad_Name", frontmatter="name: Bad_Name\ndescription: x")
    result = json_result(run_cli("check", "--no-cache", "--format", "json", "--select", "SR101,SR102", "skills", cwd=tmp_path))
    assert set(result) == {"version", "skills_checked", "diagnostics", "summary"}
    assert result["skills_checked"] == 1
    assert set(result["summary"]) == {"error", "warning", "info"}
    [diagnostic] = result["diagnostics"]
    assert set(diagnostic) == {"code", "name", "severity", "path", "line", "column", "end_line", "message", "fix"}
    assert diagnostic["path"] == "skills/Bad_Name/SKILL.md"
    assert (diagnostic["code"], diagnostic["line"], diagnostic["severity"]) == ("SR102", 2, "error")
    assert result["summary"]["error"] == 1


def test_jsonl_and_github(tmp_path):
    write_skill(tmp_path, "Bad_Name", frontmatter="name: Bad_Name\ndescription: x")
    lines = run_cli("check", "--no-cache", "--format", "jsonl", "--select", "SR102", ".", cwd=tmp_path).stdout.splitlines()
    assert [json.loads(line)["code"] for line in lines] == ["SR102"]
    github = run_cli("check", "--no-cache", "--format", "github", "--select", "SR102", ".", cwd=tmp_path).stdout
    assert github.startswith("::error file=Bad_Name/SKILL.md,line=2,endLine=2,col=1,title=SR102 name-format::name 'Bad_Name'")


def test_sarif_is_valid_against_the_schema(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    if not SCHEMA.is_file():
        pytest.skip("../shared/schemas is not present")
    write_skill(tmp_path, "Bad_Name", frontmatter="name: Bad_Name\ndescription: x")
    write_skill(tmp_path, "csv-to-table")
    completed = run_cli("check", "--no-cache", "--format", "sarif", ".", cwd=tmp_path)
    log = json.loads(completed.stdout)
    jsonschema.validate(log, json.loads(SCHEMA.read_text(encoding="utf-8")))
    results = log["runs"][0]["results"]
    assert results and all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("SKILL.md") for r in results)
    rule_ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in results)


def test_select_and_ignore_by_code_prefix_and_family(tmp_path):
    write_skill(tmp_path, "Bad_Name", frontmatter="name: Bad_Name\ndescription: x")
    def found(*args):
        return set(codes(json_result(run_cli("check", "--no-cache", "--format", "json", *args, ".", cwd=tmp_path))))
    everything = found()
    assert "SR102" in everything
    assert found("--select", "SR102") == {"SR102"}
    assert found("--select", "spec") == {c for c in everything if c.startswith("SR1")}
    assert "SR102" not in found("--ignore", "SR10")


def test_pyproject_config_ignores_and_per_path_ignores(tmp_path):
    write_skill(tmp_path / "a", "Bad_Name", frontmatter="name: Bad_Name\ndescription: x")
    write_skill(tmp_path / "b", "Bad_Name", frontmatter="name: Bad_Name\ndescription: x")
    (tmp_path / "pyproject.toml").write_text('[tool.skillreducer]\nselect = ["SR102"]\n[tool.skillreducer.per-path-ignores]\n"a/**" = ["SR102"]\n', encoding="utf-8")
    result = json_result(run_cli("check", "--no-cache", "--format", "json", ".", cwd=tmp_path))
    assert [(d["code"], d["path"]) for d in result["diagnostics"]] == [("SR102", "b/Bad_Name/SKILL.md")]


@pytest.mark.parametrize("config", ['select = "SR1', 'colour = "red"', '[thresholds.body]\nmax_lines = "many"', '[severity]\nSR101 = "fatal"'])
def test_bad_config_is_a_usage_error(tmp_path, config):
    write_skill(tmp_path, "csv-to-table")
    (tmp_path / "skillreducer.toml").write_text(config, encoding="utf-8")
    completed = run_cli("check", "--no-cache", ".", cwd=tmp_path)
    assert completed.returncode == 2 and "skillreducer.toml" in completed.stderr and "Traceback" not in completed.stderr


def test_thresholds_from_config(tmp_path):
    body = "\n".join(f"{i}. Run step {i} of the conversion." for i in range(1, 41)) + "\n"
    write_skill(tmp_path, "csv-to-table", body=body)
    assert "SR301" not in codes(json_result(run_cli("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)))
    (tmp_path / "skillreducer.toml").write_text("[thresholds.body]\nmax_lines = 20\n", encoding="utf-8")
    assert "SR301" in codes(json_result(run_cli("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)))


def test_inline_suppressions_and_unused_suppression(tmp_path):
    body = (
        "<!-- skillreducer: disable-next-line=SR304 -->\n"
        "It is important to note that the header row comes first.\n\n"
        "It is important to note that pipes are escaped.\n\n"
        "<!-- skillreducer: disable=SR501 -->\n"
        "Print the table.\n"
    )
    write_skill(tmp_path, "csv-to-table", body=body)
    result = json_result(run_cli("check", "--no-cache", "--format", "json", "--select", "SR304,SR399,SR501", ".", cwd=tmp_path))
    found = [(d["code"], d["line"]) for d in result["diagnostics"]]
    # frontmatter is 4 lines + a blank line: the body starts on line 6
    assert ("SR304", 7) not in found and ("SR304", 9) in found
    assert ("SR399", 11) in found


def test_fix_rewrites_yaml_hazards_safely(tmp_path):
    root = write_skill(
        tmp_path,
        "csv-to-table",
        frontmatter="name: csv-to-table\ndescription: |\n  Converts CSV files into Markdown tables.\n  Use when: the user pastes CSV.\nlicense: MIT",
    )
    before = run_cli("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)
    assert "SR114" in codes(json_result(before))
    fixed = run_cli("check", "--no-cache", "--fix", "--format", "json", ".", cwd=tmp_path)
    assert "fixed csv-to-table/SKILL.md" in fixed.stderr
    assert "SR114" not in codes(json_result(fixed))
    text = (root / "SKILL.md").read_text(encoding="utf-8")
    assert 'description: "Converts CSV files into Markdown tables. Use when: the user pastes CSV."\nlicense: MIT' in text


def test_fix_quotes_unquoted_colon(tmp_path):
    root = write_skill(tmp_path, "csv-to-table", frontmatter="name: csv-to-table\ndescription: Converts CSV to tables. Use when: the user pastes CSV.")
    assert "SR115" in codes(json_result(run_cli("check", "--no-cache", "--format", "json", ".", cwd=tmp_path)))
    run_cli("check", "--no-cache", "--fix", ".", cwd=tmp_path)
    assert 'description: "Converts CSV to tables. Use when: the user pastes CSV."' in (root / "SKILL.md").read_text(encoding="utf-8")
    assert not {"SR115", "SR120"} & set(codes(json_result(run_cli("check", "--no-cache", "--format", "json", ".", cwd=tmp_path))))


def test_cache_hits_and_invalidates_on_change(tmp_path):
    root = write_skill(tmp_path, "csv-to-table")
    cache = tmp_path / "cache"
    assert run_cli("check", "--cache-dir", str(cache), ".", cwd=tmp_path).returncode == 0
    [(key, payload)] = cache_entries(cache)
    assert (cache / ".gitignore").read_text().strip().endswith("*")
    # A tampered cache entry proves the second run read it instead of linting again.
    entry = json.loads(payload)
    entry["diagnostics"] = [{"code": "SR101", "name": "name-missing", "severity": "error", "path": "SKILL.md", "line": 1, "column": 1, "end_line": 1, "message": "from cache", "fix": None}]
    with contextlib.closing(sqlite3.connect(cache / "check.sqlite3")) as db, db:
        db.execute("UPDATE entry SET payload = ? WHERE key = ?", (json.dumps(entry), key))
    assert "from cache" in run_cli("check", "--cache-dir", str(cache), ".", cwd=tmp_path).stdout
    (root / "SKILL.md").write_text((root / "SKILL.md").read_text().replace("name: csv-to-table", "name: Csv_To_Table"))
    changed = run_cli("check", "--cache-dir", str(cache), ".", cwd=tmp_path).stdout
    assert "from cache" not in changed and "SR102" in changed


def test_pool_gives_the_same_result_as_one_process(tmp_path):
    for i in range(20):
        write_skill(tmp_path, f"skill-{i}" if i % 3 else f"Skill_{i}", frontmatter=f"name: {'skill' if i % 3 else 'Skill_'}{'-' if i % 3 else ''}{i}\ndescription: Converts file {i}.")
    one = json_result(run_cli("check", "--no-cache", "--format", "json", "--jobs", "1", ".", cwd=tmp_path))
    two = json_result(run_cli("check", "--no-cache", "--format", "json", "--jobs", "2", ".", cwd=tmp_path))
    assert one == two and one["skills_checked"] == 20


def test_rules_listing_and_rule_doc():
    listing = json.loads(run_cli("rules", "--format", "json").stdout)
    assert len(listing) >= 45
    assert all({"code", "name", "family", "severity", "summary"} <= set(item) for item in listing)
    doc = run_cli("rule", "SR101")
    assert doc.returncode == 0 and doc.stdout.startswith("# SR101 name-missing")
    assert run_cli("rule", "name-missing").stdout == doc.stdout


def test_pre_commit_path_stays_light(tmp_path):
    write_skill(tmp_path, "csv-to-table")
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "skillreducer", "check", "--no-cache", "csv-to-table"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in completed.stderr.splitlines() if "import time:" in line}
    assert "skillreducer" in imported
    assert not imported & {"torch", "sklearn", "sentence_transformers", "scipy", "numpy", "rich"}


def test_file_inside_a_skill_stands_for_the_skill(tmp_path):
    write_skill(tmp_path, "Bad_Name", frontmatter="name: Bad_Name\ndescription: x", files={"references/notes.md": "# Notes\n"})
    (tmp_path / "loose.md").write_text("not a skill\n")
    completed = run_cli("check", "--no-cache", "--select", "SR102", "Bad_Name/references/notes.md", "loose.md", cwd=tmp_path)
    assert completed.returncode == 1 and "SR102" in completed.stdout
    assert "loose.md: not part of a skill; skipped" in completed.stderr


def test_rule_data_ships_inside_the_installed_package():
    import skillreducer
    from skillreducer import resources

    package = Path(skillreducer.__file__).resolve().parent
    if package.parent == ROOT:
        pytest.skip("running from the source checkout (editable install)")
    assert resources.rules_dir() == package / "_rules"
    assert (package / "_rules" / "SR101.md").is_file()
    assert (package / "_rules" / "profiles" / "claude-code.toml").is_file()
    assert (package / "_rules" / "limits.toml").is_file()


def test_readme_test_command_is_what_ci_runs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = [line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))]
    assert len(command) == 1 and command[0] in readme


def test_corpus_rules_are_cached_and_invalidated(tmp_path):
    write_skill(tmp_path / "skills", "csv-to-table")
    twin = write_skill(tmp_path / "skills", "csv-to-table-copy", frontmatter="name: csv-to-table\ndescription: Converts CSV files into tables.")
    cache = tmp_path / "cache"
    first = run_cli("check", "--cache-dir", str(cache), "--select", "SR601", ".", cwd=tmp_path)
    assert first.stdout.count("SR601") == 2
    def corpus_entries():
        return [key for key, _ in cache_entries(cache) if key.startswith("corpus:")]

    assert len(corpus_entries()) == 1
    assert run_cli("check", "--cache-dir", str(cache), "--select", "SR601", ".", cwd=tmp_path).stdout == first.stdout
    (twin / "SKILL.md").write_text((twin / "SKILL.md").read_text().replace("name: csv-to-table", "name: csv-to-table-copy"))
    assert "SR601" not in run_cli("check", "--cache-dir", str(cache), "--select", "SR601", ".", cwd=tmp_path).stdout
    assert len(corpus_entries()) == 2
