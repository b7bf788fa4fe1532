"""`skillreducer reduce` end to end: real skills on disk, the real tokenizer, router and model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from skillreducer.cli import main
from skillreducer.load import load_skill
from skillreducer.reduce.clauses import join, segment
from skillreducer.route.probes import eval_probes, read_probe_file, synthesize

GOOD = ROOT / "corpus" / "good"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def copy_skill(name: str, tmp_path: Path) -> Path:
    target = tmp_path / "src" / name
    shutil.copytree(GOOD / name, target)
    return target


def frontmatter(path: Path) -> dict:
    return yaml.safe_load(path.read_text().split("---")[1])


def test_description_only_lexical_writes_a_complete_copy(tmp_path, capsys):
    source = copy_skill("pdf-form-filling", tmp_path)
    before = {p.relative_to(source): p.read_bytes() for p in source.rglob("*") if p.is_file()}
    code, out, err = run(capsys, "reduce", str(source), "--out", str(tmp_path / "out"), "--only", "description", "--router", "lexical", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    entry = report["skills"][0]
    desc = entry["description"]
    assert set(desc) >= {"before", "after", "before_tokens", "after_tokens", "generated", "oracle_calls", "probes", "routing"}
    assert set(desc["routing"]) == {"before", "after"}
    assert desc["after_tokens"] < desc["before_tokens"]
    assert desc["oracle_calls"] >= 1 and len(desc["probes"]) >= 5
    # Every probe the original routed still routes, and no neighbour probe is newly taken.
    assert desc["routing"]["after"]["probes_routed"] >= desc["routing"]["before"]["probes_routed"]
    assert desc["routing"]["after"]["neighbour_probes_taken"] <= desc["routing"]["before"]["neighbour_probes_taken"]
    output = Path(entry["output"])
    assert output == (tmp_path / "out" / "pdf-form-filling").resolve()
    written = frontmatter(output / "SKILL.md")
    original = frontmatter(source / "SKILL.md")
    assert written["description"] == desc["after"] and list(written) == list(original)
    assert "\n" not in desc["after"] and (output / "SKILL.md").read_text().count('description: "') == 1
    # Everything else is copied as is; the source is untouched.
    for relative, data in before.items():
        assert (source / relative).read_bytes() == data
        if relative.name != "SKILL.md":
            assert (output / relative).read_bytes() == data
    body = lambda p: p.read_text().split("---", 2)[2]  # noqa: E731
    assert body(output / "SKILL.md") == body(source / "SKILL.md")


def csv_dedupe_skill(tmp_path: Path, frontmatter_lines: str) -> Path:
    root = tmp_path / "src" / "csv-dedupe"
    root.mkdir(parents=True)
    (root / "SKILL.md").write_text(
        f"---\nname: csv-dedupe\n{frontmatter_lines}---\n# CSV de-duplication\n\nRemoves duplicate rows from CSV files with pandas.\n\n"
        "## When to use\n\n- The user wants to remove duplicate rows from a CSV file\n- A spreadsheet export has repeated records\n\n"
        "## Steps\n\n1. Load the file with `pandas.read_csv`.\n2. Call `drop_duplicates` on the key columns.\n3. Write the result with `to_csv`.\n"
    )
    return root


def test_missing_description_is_generated_and_compressed(tmp_path, capsys):
    root = csv_dedupe_skill(tmp_path, "")
    code, out, err = run(capsys, "reduce", str(root), "--out", str(tmp_path / "out"), "--only", "description", "--router", "lexical", "--format", "json")
    assert code == 0, err
    desc = json.loads(out)["skills"][0]["description"]
    assert desc["generated"] and desc["before"] == "" and desc["after"]
    assert frontmatter(tmp_path / "out" / "csv-dedupe" / "SKILL.md")["description"] == desc["after"]


def test_the_project_config_sets_reduce_thresholds_and_profile(tmp_path, capsys):
    root = csv_dedupe_skill(tmp_path, "description: Removes duplicate CSV rows.\n")
    argv = ["reduce", str(root), "--only", "description", "--router", "lexical", "--format", "json"]
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "default"))
    assert code == 0, err
    assert json.loads(out)["skills"][0]["description"]["generated"]  # 5 tokens: under generate_below_tokens
    config = tmp_path / "skillreducer.toml"
    config.write_text("[thresholds.reduce]\ngenerate_below_tokens = 0\n")
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "configured"), "--config", str(config))
    assert code == 0, err
    assert not json.loads(out)["skills"][0]["description"]["generated"]
    config.write_text('profile = "no-such-platform"\n')
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "bad"), "--config", str(config))
    assert code == 2 and "no-such-platform" in err and not out


def test_probes_come_from_eval_files_then_probe_file(tmp_path):
    source = copy_skill("log-triage", tmp_path)
    (source / "evals").mkdir()
    (source / "evals" / "evals.json").write_text(json.dumps({"evals": [{"id": 1, "prompt": "why is checkout failing since 10:00?"}]}))
    (source / "evals" / "triggers.jsonl").write_text('{"query": "triage these logs", "should_trigger": true}\n{"query": "write a poem", "should_trigger": false}\n')
    assert eval_probes(load_skill(source)) == ["why is checkout failing since 10:00?", "triage these logs"]
    probe_file = tmp_path / "probes.txt"
    probe_file.write_text("# comment\nfind the first error in app.log\n\n")
    assert read_probe_file(probe_file) == ["find the first error in app.log"]


def test_synthesized_probes_never_only_from_the_description():
    skill = load_skill(GOOD / "sql-query-review")
    probes = synthesize(skill)
    assert len(probes) >= 5
    description = skill.description_text.lower()
    assert any(p.lower().removeprefix("help me with ").removeprefix("i need to ") not in description for p in probes)


def test_synthesized_probes_leave_out_section_labels_and_the_skill_itself(tmp_path):
    folder = tmp_path / "csv-cleaner"
    folder.mkdir()
    (folder / "SKILL.md").write_text(
        "---\nname: csv-cleaner\ndescription: Cleans CSV files.\n---\n"
        "## Core Concepts\n\n## When to Use CSV Cleaner\n\n## How to use this skill\n\n"
        "## Deduplicate customer rows\n\n## Normalise date columns\n"
    )
    probes = synthesize(load_skill(folder))
    assert "Help me with deduplicate customer rows" in probes or "I need to deduplicate customer rows" in probes
    assert not any(word in p.lower() for p in probes for word in ("core concepts", "when to use", "this skill"))


def test_clauses_of_good_descriptions_round_trip():
    for folder in sorted(GOOD.iterdir()):
        text = load_skill(folder).description_text
        assert join(segment(text)) == " ".join(text.split())


def test_in_place_keeps_a_backup_and_usage_errors_exit_2(tmp_path, capsys):
    source = copy_skill("git-commit-messages", tmp_path)
    original = (source / "SKILL.md").read_text()
    code, out, err = run(capsys, "reduce", str(source), "--in-place", "--only", "description", "--router", "lexical", "--format", "json")
    assert code == 0, err
    entry = json.loads(out)["skills"][0]
    if entry["description"]["after"] != entry["description"]["before"]:
        assert Path(entry["backup"]).joinpath("SKILL.md").read_text() == original
        assert (source / "SKILL.md").read_text() != original
    for argv in (
        ["reduce", str(source)],
        ["reduce", str(source), "--out", str(tmp_path / "o"), "--in-place"],
        ["reduce", str(source), "--out", str(tmp_path / "o"), "--profile", "nope"],
        ["reduce", str(source), "--out", str(tmp_path / "o"), "--plot", str(tmp_path / "f.pdf")],
        ["reduce", str(tmp_path / "missing"), "--out", str(tmp_path / "o")],
        ["reduce", str(source), "--out", str(tmp_path / "o"), "--probes", str(tmp_path / "none.txt")],
    ):
        code, out, err = run(capsys, *argv)
        assert code == 2 and out == "" and "Traceback" not in err and "error" in err


def test_skills_sharing_a_folder_name_are_refused_before_anything_is_written(tmp_path, capsys):
    for parent in ("team-a", "team-b"):
        shutil.copytree(GOOD / "git-commit-messages", tmp_path / parent / "git-commit-messages")
    code, out, err = run(capsys, "reduce", str(tmp_path / "team-a"), str(tmp_path / "team-b"), "--out", str(tmp_path / "o"), "--only", "description", "--router", "lexical")
    assert code == 2 and out == "" and "git-commit-messages" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_out_inside_the_source_is_refused(tmp_path, capsys):
    source = copy_skill("image-resizing", tmp_path)
    code, out, err = run(capsys, "reduce", str(source), "--out", str(source / "out"), "--only", "description", "--router", "lexical", "--format", "json")
    assert code == 1
    assert "overlaps" in json.loads(out)["skills"][0]["error"]
    assert not (source / "out").exists()


def test_full_reduce_searches_gates_and_plots(tmp_path, capsys):
    source = copy_skill("terraform-plan-review", tmp_path)
    plot = tmp_path / "front.svg"
    code, out, err = run(capsys, "reduce", str(source), "--out", str(tmp_path / "out"), "--format", "json", "--plot", str(plot), "--diff")
    assert code == 0, err
    report = json.loads(out)
    assert report["objective_senses"]["faithfulness"] == "max" and report["objective_senses"]["core_tokens"] == "min"
    entry = report["skills"][0]
    front = entry["pareto_front"]
    assert front and 0 <= entry["chosen"] < len(front)
    staged = entry["search"]["staged"]
    chosen = front[entry["chosen"]]["objectives"]
    for name, sense in report["objective_senses"].items():
        assert chosen[name] <= staged[name] + 1e-9 if sense == "min" else chosen[name] >= staged[name] - 1e-9
    body = entry["body"]
    assert set(body) >= {"before_tokens", "core_tokens", "references", "items"}
    assert set(entry["faithfulness"]) >= {"passed", "lossless", "rounds", "failures"}
    output = Path(entry["output"])
    for ref in body["references"]:
        assert (output / ref["path"]).is_file() and ref["when"] and 3 <= len(ref["topics"]) <= 5
        assert ref["path"] in (output / "SKILL.md").read_text()
    assert plot.read_text().startswith("<svg") and "chosen" in plot.read_text()
    assert entry["diff"].startswith("--- a/terraform-plan-review/SKILL.md")


@pytest.mark.parametrize("name", ["csv-to-markdown-table", "postgres-migrations"])
def test_body_only_is_lossless_on_sample_skills(tmp_path, capsys, name):
    source = copy_skill(name, tmp_path)
    code, out, err = run(capsys, "reduce", str(source), "--out", str(tmp_path / "out"), "--only", "body", "--router", "lexical", "--format", "json")
    assert code == 0, err
    entry = json.loads(out)["skills"][0]
    assert entry["faithfulness"]["passed"] and entry["faithfulness"]["lossless"]
    output = Path(entry["output"])
    everything = "\n".join(p.read_text() for p in output.rglob("*.md"))
    skill = load_skill(source)
    for block in skill.code_blocks:  # the source lines, fences and indentation included
        assert "\n".join(skill.lines[block.line - 1 : block.end_line]) in everything


def test_jobs_and_hostile_skills_never_traceback(tmp_path, capsys):
    # corpus/bad holds one broken skill per case: unparsable YAML, no frontmatter, bad names...
    code, out, err = run(capsys, "reduce", str(ROOT / "corpus" / "bad"), "--out", str(tmp_path / "out"), "--router", "lexical", "--jobs", "2", "--format", "json")
    assert "Traceback" not in err and "internal error" not in err
    entries = json.loads(out)["skills"]
    assert len(entries) == len([p for p in (ROOT / "corpus" / "bad").iterdir() if (p / "SKILL.md").exists()])
    assert code == (1 if any("error" in e for e in entries) else 0)
    for entry in entries:
        if "error" not in entry:
            assert Path(entry["output"]).is_relative_to((tmp_path / "out").resolve())


def test_copies_of_the_skill_are_no_neighbours(tmp_path):
    from skillreducer.route.pool import copy_of, nearest_neighbours

    corpus = [load_skill(p) for p in sorted(GOOD.iterdir()) if (p / "SKILL.md").is_file()]
    skill = load_skill(GOOD / "pdf-form-filling")
    renamed = tmp_path / "vendored" / "pdf-forms"  # another marketplace's copy under another name
    shutil.copytree(GOOD / "pdf-form-filling", renamed)
    text = (renamed / "SKILL.md").read_text().replace("name: pdf-form-filling", "name: pdf-forms", 1)
    (renamed / "SKILL.md").write_text(text)
    same_name = tmp_path / "fork" / "pdf-form-filling"  # same name, another description
    same_name.mkdir(parents=True)
    (same_name / "SKILL.md").write_text("---\nname: pdf-form-filling\ndescription: Fills PDF forms from CSV rows.\n---\nFill each field.\n")
    copies = [load_skill(renamed), load_skill(same_name)]
    assert copies[0].description_text == skill.description_text and copies[1].name == skill.name
    assert all(copy_of(c, skill) for c in copies)
    assert not copy_of(load_skill(GOOD / "pdf-text-extraction"), skill)
    neighbours = nearest_neighbours(skill, [*corpus, *copies], 4)
    assert len(neighbours) == 4
    assert all(n.root not in (skill.root, *(c.root for c in copies)) for n in neighbours)


class _PeriodSensitiveRouter:
    """A router on which the original description (no end period) routes its probe and the
    clauses joined again (which end it with a period) do not: a hair's-margin flip, as the
    semantic router can show. A text routes too when it names four of the tasks without
    the fifth: more clauses than the greedy restore may bring back."""

    def scores(self, probes, candidates):
        import numpy as np

        def score(description: str) -> float:
            four = all(w in description for w in ("forms", "files", "pages", "scans")) and "contracts" not in description
            if description == ORIGINAL or four:
                return 1.0
            return 0.5 if description.startswith("Rival") else 0.0

        return np.array([[score(c.description) for c in candidates] for _ in probes])


ORIGINAL = (
    "Fills interactive PDF forms from spreadsheet rows, merges many PDF files into one binder, "
    "splits long PDF pages into chapters, rotates sideways PDF scans upright for the archive team, "
    "and signs PDF contracts with a stored certificate"
)


def test_ddmin_starts_from_the_original_even_when_the_joined_clauses_route_differently(tmp_path):
    from skillreducer import profiles
    from skillreducer.reduce.description import compress_description
    from skillreducer.route.oracle import Oracle
    from skillreducer.route.pool import Rival
    from skillreducer.route.router import Candidate

    folder = tmp_path / "pdf-tools"
    folder.mkdir()
    (folder / "SKILL.md").write_text(f"---\nname: pdf-tools\ndescription: {ORIGINAL}\n---\nFill forms.\n")
    skill = load_skill(folder)
    assert join(segment(ORIGINAL)) == ORIGINAL + "."
    rival = Rival(Candidate("rival", "rival", "Rival skill"), ("Summarise a book",))
    oracle = Oracle(_PeriodSensitiveRouter(), Candidate(str(folder), "pdf-tools", ORIGINAL), [rival], ["Fill my PDF form"])
    result = compress_description(skill, oracle, profiles.load(profiles.DEFAULT_PROFILE), "file")
    assert not oracle.passes(ORIGINAL + ".")  # the clauses joined again
    assert result.after.startswith("Fills interactive PDF forms") and "scans" in result.after and "contracts" not in result.after
    assert not result.kept_original and not result.generated


COMPRESSED_SAMPLES = ["api-changelog-writing", "dockerfile-hardening", "sql-query-review", "terraform-plan-review"]


def _compressed(name: str):
    """A sample skill's description compressed under the lexical oracle: (result, oracle,
    each clause as written in the result: its shorter form where one was taken)."""
    from skillreducer import profiles
    from skillreducer.reduce.description import compress_description
    from skillreducer.reduce.pipeline import Corpus, ReduceOptions, Routers, build_oracle
    from skillreducer.reduce.shorten import shorter_forms, trimmable

    corpus = Corpus.load([str(p) for p in sorted(GOOD.iterdir())])
    skill = next(s for s in corpus.skills if s.root.name == name)
    options = ReduceOptions(profiles.load("claude-code"), "lexical")
    oracle, source = build_oracle(skill, corpus, Routers("lexical", None).for_skill(skill, corpus), options)
    result = compress_description(skill, oracle, options.profile, source)
    clauses = list(result.clauses)
    written = [shorter_forms(clauses[i], trimmable(clauses, i))[f] if f >= 0 else clauses[i] for i, f in enumerate(result.rewrite)]
    return result, oracle, written


@pytest.mark.parametrize("name", COMPRESSED_SAMPLES)
def test_compressed_description_is_one_minimal_as_written(name):
    """No kept clause, in the form it is written, can go (with what it needs) and still pass."""
    from skillreducer.reduce.clauses import anchored

    result, oracle, written = _compressed(name)
    clauses = list(result.clauses)
    assert join([written[i] for i in result.kept]) == result.after and oracle.passes(result.after)
    assert result.after_tokens < result.before_tokens
    for index in result.kept:
        rest = anchored(clauses, [i for i in result.kept if i != index])
        if len(rest) < len(result.kept):
            assert not oracle.passes(join([written[i] for i in rest])), clauses[index].text


@pytest.mark.parametrize("name", COMPRESSED_SAMPLES)
def test_no_exchange_of_a_kept_clause_for_a_cheaper_one_passes_shorter(name):
    """The exchange search ends in a local optimum: no kept clause traded for a cheaper
    clause left out gives a shorter text that passes."""
    from skillreducer import tokens
    from skillreducer.reduce.clauses import anchored
    from skillreducer.reduce.shorten import cost

    result, oracle, written = _compressed(name)
    clauses = list(result.clauses)
    left_out = [i for i in range(len(clauses)) if i not in result.kept]
    for out in result.kept:
        for into in left_out:
            if cost(clauses[into]) >= cost(written[out]):
                continue
            trial = join([written[i] for i in anchored(clauses, [i for i in result.kept if i != out] + [into])])
            assert tokens.count(trial) >= result.after_tokens or not oracle.passes(trial), (clauses[out].text, clauses[into].text)
