"""Clause segmentation, joining and shorter forms of skill descriptions (reduce, issue 4)."""

from __future__ import annotations

import itertools
import re

import pytest

from skillreducer import tokens
from skillreducer.discover import discover
from skillreducer.load import load_skill
from skillreducer.reduce.clauses import ROLES, Clause, anchored, join, segment
from skillreducer.reduce.shorten import cost, shorter_forms, trimmable

PDF = (
    "Comprehensive PDF toolkit for extracting text and tables, creating new PDFs, merging/splitting "
    "documents, and handling forms. Use when Claude needs to fill in a PDF form or programmatically "
    "process, generate, or analyze PDF documents at scale."
)
# Small real-style descriptions: every subset of their clauses is joined in the grammar test.
SMALL = [
    PDF,
    "Guide for Zig and C interoperability. Use when importing C headers with @cImport, exporting Zig "
    "functions to C, mapping C types, using translate-c, or linking C libraries.",
    "Set up Playwright in a project. Use when user says \"set up playwright\", \"add e2e tests\", "
    "\"configure playwright\", or \"add test infrastructure\".",
    "Curate auto-memory into project knowledge. Use when: (1) reviewing what was learned, "
    "(2) graduating a pattern to rules, (3) turning a fix into a skill, or (4) checking memory health.",
    "Master LLM-as-a-Judge evaluation techniques including direct scoring, pairwise comparison, and "
    "bias mitigation. Triggers: 'judge outputs', 'compare models', 'rubric'.",
    "Protocol knowledge for the altana CLI: config discovery, harness presets, and JSON result contract. "
    "Use when running /altana:delegate or /altana:council; debugging altana JSON output; or configuring "
    "harness TOML presets.",
    "Spectral similarity for metabolomics. Best for metabolite identification, spectral matching, "
    "library searching. For full LC-MS/MS proteomics pipelines use pyopenms; for quick lookups use gget.",
    "Use this skill when:\n- Building AI agents that call tools\n- Adding policy checks (allow, deny)\n"
    "- Writing audit trails",
]


def sentences(description: str) -> list[str]:
    clauses = segment(description)
    numbers = sorted({c.sentence for c in clauses})
    return [join([c for c in clauses if c.sentence == n]) for n in numbers]


def normal(text: str) -> str:
    return " ".join(text.split())


def contains(text: str, clause: Clause) -> bool:
    """The clause's words are in text (join may capitalise its first letter)."""
    return clause.text in text or clause.text[:1].upper() + clause.text[1:] in text


# ------------------------------------------------------------------ sentences


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("Parses invoices, e.g. PDF and PNG scans. Use when asked.", ["Parses invoices, e.g. PDF and PNG scans.", "Use when asked."]),
        ("Reads the spec, i.e. RFC 9110. Then answers.", ["Reads the spec, i.e. RFC 9110.", "Then answers."]),
        ("Migrates v1.2 configs to v2.0 with Node.js 20. Use for upgrades.", ["Migrates v1.2 configs to v2.0 with Node.js 20.", "Use for upgrades."]),
        ("Handles CSV, TSV, etc. Use when converting tables.", ["Handles CSV, TSV, etc.", "Use when converting tables."]),
        ("Is this slow? Profile it! Use when asked.", ["Is this slow?", "Profile it!", "Use when asked."]),
        ("Runs `make test. Then lint` and reads docs (see notes. Then more). Done.", ["Runs `make test. Then lint` and reads docs (see notes. Then more).", "Done."]),
        ("Use when the user says 'polish this,' or 'copy sweep.' This skill edits copy.", ["Use when the user says 'polish this,' or 'copy sweep.'", "This skill edits copy."]),
        ("Title line\n\nSecond paragraph without a period", ["Title line.", "Second paragraph without a period."]),
        ("Cites GDPR Art. 83 and Sec. 5. Use when asked.", ["Cites GDPR Art. 83 and Sec. 5.", "Use when asked."]),
    ],
)
def test_sentence_breaks(description: str, expected: list[str]) -> None:
    assert sentences(description) == expected


# -------------------------------------------------------------------- clauses


def test_use_when_list_gives_one_clause_per_trigger_item() -> None:
    clauses = segment("Zig and C interop. Use when importing C headers, exporting Zig functions, or linking C libraries.")
    triggers = [c for c in clauses if c.role == "trigger-item"]
    assert [c.text for c in triggers] == ["importing C headers", "exporting Zig functions", "linking C libraries"]
    assert {c.lead_in for c in triggers} == {"Use when"}
    assert join(triggers[1:2]) == "Use when exporting Zig functions."
    assert join([clauses[0], triggers[0], triggers[2]]) == "Zig and C interop. Use when importing C headers or linking C libraries."


def test_head_of_a_list_is_a_clause_tied_by_its_link_word() -> None:
    clauses = segment(PDF)
    assert [(c.role, c.text) for c in clauses[:5]] == [
        ("lead", "Comprehensive PDF toolkit"),
        ("item", "extracting text and tables"),
        ("item", "creating new PDFs"),
        ("item", "merging/splitting documents"),
        ("item", "handling forms"),
    ]
    assert join(clauses[:1]) == "Comprehensive PDF toolkit."
    assert join(clauses[1:3]) == "Extracting text and tables and creating new PDFs."
    assert join([clauses[0], clauses[2], clauses[4]]) == "Comprehensive PDF toolkit for creating new PDFs and handling forms."


def test_verbs_sharing_an_object_stay_one_clause() -> None:
    clauses = segment(PDF)
    assert "fill in a PDF form or programmatically process" in [c.text for c in clauses]
    texts = [c.text for c in segment("Generate, modify, and style React components from natural language.")]
    assert texts == ["Generate, modify, and style React components from natural language"]


def test_numbered_trigger_list_is_split_and_renumbered() -> None:
    clauses = segment("Use when: (1) reviewing code, (2) writing tests, or (3) fixing bugs.")
    assert [c.text for c in clauses] == ["reviewing code", "writing tests", "fixing bugs"]
    assert join([clauses[0], clauses[2]]) == "Use when: (1) reviewing code or (2) fixing bugs."
    assert join(clauses[2:]) == "Use when: (1) fixing bugs."


def test_numbered_list_after_a_head() -> None:
    clauses = segment("Use when users need QMS documentation, including (1) gap analysis, (2) quality manuals, or (3) procedures.")
    assert [(c.role, c.text) for c in clauses] == [
        ("trigger-item", "QMS documentation"),
        ("trigger-item", "gap analysis"),
        ("trigger-item", "quality manuals"),
        ("trigger-item", "procedures"),
    ]
    assert join(clauses[2:]) == "Use when users need (1) quality manuals or (2) procedures."
    assert join(clauses[:1]) == "Use when users need QMS documentation."


def test_semicolons_coordinate_or_separate() -> None:
    listed = segment("Use when running builds, tests, or lints; debugging CI output; or configuring caches.")
    assert [c.text for c in listed] == ["running builds", "tests", "lints", "debugging CI output", "configuring caches"]
    assert join(listed[3:]) == "Use when debugging CI output or configuring caches."
    assert join([listed[0], listed[2], listed[4]]) == "Use when running builds or lints; or configuring caches."
    separate = segment("Quantum toolkit. For IBM hardware use qiskit; for quantum ML use pennylane.")
    assert [c.text for c in separate] == ["Quantum toolkit", "For IBM hardware use qiskit", "for quantum ML use pennylane"]
    assert join(separate[2:]) == "For quantum ML use pennylane."


def test_commas_inside_parentheses_quotes_and_code_do_not_split() -> None:
    clauses = segment("Reads tables (CSV, TSV, or Excel) with `read_csv(sep=',')`, \"openpyxl, xlrd\", and `pyarrow`.")
    texts = [c.text for c in clauses]
    assert texts == ["Reads tables (CSV, TSV, or Excel)", "`read_csv(sep=',')`", '"openpyxl, xlrd"', "`pyarrow`"]
    for text in texts:
        assert text.count("(") == text.count(")") and text.count("`") % 2 == 0 and text.count('"') % 2 == 0


def test_quoted_trigger_phrases_with_commas_inside_the_quotes() -> None:
    clauses = segment("Also use when the user mentions 'edit this copy,' 'proofread,' or 'copy sweep.'")
    assert [c.text for c in clauses] == ["'edit this copy,'", "'proofread,'", "'copy sweep.'"]
    assert join(clauses) == "Also use when the user mentions 'edit this copy,' 'proofread,' or 'copy sweep.'"


def test_nested_trigger_list_keeps_its_own_lead_in() -> None:
    clauses = segment("Use when sorting spikes, curating units, or when the user mentions Kilosort, SpikeGLX, or Phy.")
    assert [c.text for c in clauses] == ["sorting spikes", "curating units", "Kilosort", "SpikeGLX", "Phy"]
    assert join(clauses[3:]) == "Use when the user mentions SpikeGLX or Phy."
    assert join([clauses[0], clauses[4]]) == "Use when sorting spikes or when the user mentions Phy."


def test_bullet_lines_are_items() -> None:
    clauses = segment(SMALL[-1])
    assert [c.text for c in clauses] == ["Building AI agents that call tools", "Adding policy checks (allow, deny)", "Writing audit trails"]
    assert join(clauses[1:2]) == "Use this skill when: - Adding policy checks (allow, deny)."


def test_clause_records() -> None:
    clauses = segment(PDF)
    assert [c.position for c in clauses] == list(range(len(clauses)))
    assert all(c.role in ROLES for c in clauses)
    assert {c.sentence for c in clauses} == {0, 1}
    assert all(isinstance(c, Clause) and c.text == c.text.strip() and c.text for c in clauses)
    with pytest.raises(AttributeError):
        clauses[0].text = "changed"  # frozen


def test_empty_and_bad_input() -> None:
    assert segment("") == [] and segment("  \n ") == []
    assert join([]) == ""
    with pytest.raises(TypeError, match="string"):
        segment(None)  # type: ignore[arg-type]
    clauses = segment(PDF)
    with pytest.raises(ValueError, match="original order"):
        join(list(reversed(clauses)))


# ----------------------------------------------------------------------- join


@pytest.mark.parametrize("description", SMALL)
def test_join_of_all_clauses_is_the_description(description: str) -> None:
    expected = normal(description)
    assert join(segment(description)) in (expected, expected + ".")


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])|(?<=[.!?]['\"])\s+(?=[A-Z])")
_UNGRAMMATICAL = [
    (re.compile(r",\s*,|;\s*[,;]|,\s*;"), "doubled separator"),
    (re.compile(r"\s[,;:.]"), "space before punctuation"),
    (re.compile(r"  "), "double space"),
    (re.compile(r"\b(?:and|or)[.,;:]|\b(?:and|or) (?:and|or)\b"), "dangling connective"),
    (re.compile(r"[,;:]\s*[.!?]$|[,;]$"), "separator before the end"),
    (re.compile(r"\b(?:for|with|including|when|to)\.$"), "dangling link or lead-in"),
    (re.compile(r"[^.!?'\"]$"), "no end punctuation"),
]


@pytest.mark.parametrize("description", SMALL)
def test_every_subset_joins_into_grammatical_text(description: str) -> None:
    clauses = segment(description)
    assert 3 <= len(clauses) <= 12
    for size in range(1, len(clauses) + 1):
        for subset in itertools.combinations(clauses, size):
            text = join(subset)
            for sentence in _SENTENCE_BREAK.split(text):
                for pattern, problem in _UNGRAMMATICAL:
                    assert not pattern.search(sentence), f"{problem}: {sentence!r} from {[c.text for c in subset]}"
                assert not re.match(r"[a-z]", sentence), f"lowercase start: {sentence!r}"
            for clause in subset:
                assert contains(text, clause)  # nothing kept is lost
            dropped = [c for c in clauses if c not in subset]
            for clause in dropped:
                if not any(clause.text in kept.text for kept in subset):
                    assert clause.text not in text or len(clause.text) < 8  # short texts may recur inside others


DOCKER = (
    "Reviews and rewrites Dockerfiles for security and size, with pinned base images, multi-stage builds, "
    "a non-root user, BuildKit secret mounts and a tight .dockerignore. Use when the user asks to harden, "
    "slim down or security-review a Dockerfile, or when an image scan flags a container running as root."
)


def test_anchored_keeps_the_clause_that_opens_a_sentence() -> None:
    clauses = segment(DOCKER)
    user = next(i for i, c in enumerate(clauses) if c.text == "a non-root user")
    assert join([clauses[i] for i in (user,)]) == "A non-root user."  # what ddmin alone could keep
    assert join([clauses[i] for i in anchored(clauses, [user])]) == "Reviews and rewrites Dockerfiles for security and size, with a non-root user."
    # A lead-in is written before any kept item of its first unit: a trigger item stands alone.
    harden = next(i for i, c in enumerate(clauses) if c.text == "harden")
    assert anchored(clauses, [harden]) == (harden,)
    assert join([clauses[harden]]) == "Use when the user asks to harden."


@pytest.mark.parametrize("description", [*SMALL, DOCKER])
def test_anchored_subsets_open_every_sentence_they_keep(description: str) -> None:
    clauses = segment(description)
    first = {}
    for index, clause in enumerate(clauses):
        first.setdefault(clause.sentence, index)
    for size in range(1, len(clauses) + 1):
        for subset in itertools.combinations(range(len(clauses)), size):
            kept = anchored(clauses, subset)
            assert set(subset) <= set(kept) and list(kept) == sorted(set(kept))
            assert anchored(clauses, kept) == kept  # a closure
            for index in kept:
                clause = clauses[index]
                assert set(clause.needs) <= set(kept)
                assert first[clause.sentence] in kept or (clause.lead_in and (clause.unit == 0 or clause.needs))


FRONTED = "Generates images. For flowcharts, circuits, pathways, and technical diagrams, use the schematics skill instead."
RUST = (
    "Use when reviewing Rust code for smells, hunting anti-patterns, or refactoring code that clones to "
    "satisfy the borrow checker, takes &String parameters, or returns sentinel values instead of Option."
)
SURVIVAL = (
    "Use when working with censored data, fitting Cox models, Random Survival Forests, or Survival SVMs, "
    "evaluating predictions, or handling competing risks."
)
NESTED = (
    "Use when an agent wants to run a tool, command, or deployment; when checking an approval; or when "
    "auditing evidence for forged results, replay, or expiry."
)


def kept_text(description: str, clause_text: str) -> str:
    clauses = segment(description)
    index = next(i for i, c in enumerate(clauses) if c.text == clause_text)
    return join([clauses[i] for i in anchored(clauses, [index])])

SIGNUP = "When the user wants to optimize signup, registration, or account creation."
POPUP = "When the user wants to create or optimize popups, modals, or overlays."
ARIZE = "Use when the user wants to link to or open a trace, span, or evaluator in the Arize UI."
GPU = "Use whenever the user mentions GPU acceleration, or wants to speed up NumPy, pandas, or Faiss workloads."
CFP = "Use when someone asks to be notified about talks, wants a recurring digest, or asks what is open."
QUOTED = "Use when the user mentions 'marketing context,' 'who is my customer,' or wants to avoid repeating facts."


@pytest.mark.parametrize(
    ("description", "clause_text", "expected"),
    [
        # The main clause after a fronted phrase: "For flowcharts." alone says the opposite.
        (FRONTED, "circuits", "For flowcharts and circuits, use the schematics skill instead."),
        (FRONTED, "Generates images", "Generates images."),
        ("Handles files. When the file is large, split it.", "When the file is large", "When the file is large, split it."),
        # A list that goes on from the last item of the list before it.
        # ... and keeps its connective when one item of it is kept.
        (RUST, "returns sentinel values instead of Option", "Use when refactoring code that clones to satisfy the borrow checker or returns sentinel values instead of Option."),
        # ... but a list of "-ing" items after one is parallel to the first list.
        (SURVIVAL, "handling competing risks", "Use when working with censored data or handling competing risks."),
        # A nested list without its own lead-in has its head in its first item.
        (NESTED, "expiry", "Use when auditing evidence for forged results or expiry."),
        (NESTED, "when checking an approval", "Use when checking an approval."),
        # An item with its own condition takes the lead-in's verb only: not "Use when the user asks to when ...".
        (DOCKER, "when an image scan flags a container running as root", "Use when an image scan flags a container running as root."),
        # Objects of the first item's verb after "to": the verb goes with the lead-in.
        (SIGNUP, "account creation", "When the user wants to optimize account creation."),
        # ... unless the verb has a particle: then the first item goes with them.
        (POPUP, "overlays", "When the user wants to create or optimize popups or overlays."),
        (ARIZE, "evaluator in the Arize UI", "Use when the user wants to link to or open a trace or evaluator in the Arize UI."),
        # Items that bring their own verb take the lead-in's subject only.
        (GPU, "Faiss workloads", "Use whenever the user wants to speed up NumPy or Faiss workloads."),
        (CFP, "wants a recurring digest", "Use when someone wants a recurring digest."),
        # A comma inside the closing quote of the last item kept goes.
        (QUOTED, "'who is my customer,'", "Use when the user mentions 'who is my customer'."),
    ],
)
def test_anchored_keeps_what_a_clause_needs(description: str, clause_text: str, expected: str) -> None:
    assert kept_text(description, clause_text) == expected


@pytest.mark.parametrize(
    ("description", "clause_text", "expected"),
    [
        # A participle after the main clause is no list item with it: not "Reviews plans and flagging drift."
        ("Reviews plans before apply, flagging deletions and replacements, IAM exposure, and drift.", "drift", "Reviews plans before apply, flagging drift."),
        ("Reviews plans, flagging deletions, noting drift, and checking costs.", "noting drift", "Reviews plans, noting drift."),
        # Two predicates of one form joined by one "and" are two items.
        ("Reads the config file and enforces privacy rules before API calls.", "Reads the config file", "Reads the config file."),
    ],
)
def test_participles_and_predicates(description: str, clause_text: str, expected: str) -> None:
    assert join(segment(description)) == description
    assert kept_text(description, clause_text) == expected


def test_gerund_link_in_a_list_of_gerunds_is_an_item() -> None:
    clauses = segment("Use when building schemas, writing queries, using the batch API, or encountering errors.")
    assert [c.text for c in clauses] == ["building schemas", "writing queries", "using the batch API", "encountering errors"]
    assert [c.role for c in segment("Guide to Drizzle, using schemas, queries and migrations.")][:2] == ["lead", "item"]


def test_real_descriptions_round_trip(real_corpus) -> None:
    """join(segment(d)) is d with whitespace collapsed, up to the periods and capitals join adds."""
    descriptions = [load_skill(root).description_text for root in discover([str(real_corpus)])]
    descriptions = [d for d in descriptions if d]
    assert descriptions
    exact = 0
    for description in descriptions:
        clauses = segment(description)
        joined = join(clauses)
        expected = normal(description)
        exact += joined == expected
        assert joined.replace(".", "").lower() == expected.replace(".", "").lower(), description
        for clause in clauses:
            assert contains(joined, clause)
    share = exact / len(descriptions)
    print(f"\n{len(descriptions)} real descriptions, {share:.1%} round-trip exactly")
    assert share >= 0.85  # the rest lack a final period, which join adds


# ----------------------------------------------------------------- shorter forms


@pytest.mark.parametrize(
    ("description", "clause_text", "shortest"),
    [
        ("Retries calls in order to survive flaky networks.", "Retries calls in order to survive flaky networks", "Retries calls to survive flaky networks"),
        ("Comprehensive PDF toolkit for extracting text, tables, and forms.", "Comprehensive PDF toolkit", "PDF toolkit"),
        ("Converts files. It is able to utilize pandoc and an extremely fast parser.", "It is able to utilize pandoc and an extremely fast parser", "It can use pandoc and a fast parser"),
        ("You are an expert reviewer of SQL queries.", "You are an expert reviewer of SQL queries", "expert reviewer of SQL queries"),  # third person
    ],
)
def test_shorter_forms_apply_the_lexicon(description: str, clause_text: str, shortest: str) -> None:
    clause = next(c for c in segment(description) if c.text == clause_text)
    forms = shorter_forms(clause)
    assert forms and forms[0].text == shortest


def test_shorter_forms_rewrite_the_lead_in() -> None:
    clause = segment("This skill should be used when the user asks to merge PDFs.")[0]
    assert clause.lead_in == "This skill should be used when the user asks to"
    forms = shorter_forms(clause)
    assert forms[0].lead_in == "Use when asked to" and forms[0].text == "merge PDFs"
    assert join([forms[0]]) == "Use when asked to merge PDFs."
    needs = segment("Use when Claude needs to fill in a PDF form.")[0]
    assert shorter_forms(needs)[0].lead_in == "Use when needing to"


@pytest.mark.parametrize("description", [*SMALL, "Uses a powerful engine in order to utilize `in order to` templates; basically it is able to leverage Jinja2."])
def test_shorter_forms_are_strictly_shorter_and_sorted(description: str) -> None:
    clauses = segment(description)
    for index, clause in enumerate(clauses):
        forms = shorter_forms(clause, trimmable(clauses, index))
        costs = [cost(form) for form in forms]
        assert all(c < cost(clause) for c in costs)
        assert costs == sorted(costs)
        assert all(tokens.count(f.text) + tokens.count(f.lead_in) == cost(f) for f in forms)
        assert all(f.position == clause.position and f.text.strip() for f in forms)


def test_shorter_forms_never_touch_code_quotes_urls_numbers_or_identifiers() -> None:
    protected = [
        "`utilize in order to`",
        "https://example.com/comprehensive/in-order-to",
        '"in order to utilize"',
        "200",
        "1,024",
        "v1.2",
        "config.comprehensive.yaml",
        "ComprehensiveHelper",
        "COMPREHENSIVE_MODE",
    ]
    text = "Basically utilize a comprehensive parser in order to read " + ", ".join(protected)
    clause = Clause(text, "sentence", 0, 0)
    forms = shorter_forms(clause)
    assert forms, "the unprotected filler is shortened"
    assert forms[0].text.startswith("use a parser to read")  # join capitalises a sentence start
    for form in forms:
        for span in protected:
            assert span in form.text


def test_dropped_adjective_takes_its_comma() -> None:
    clause = Clause("Conduct comprehensive, systematic literature reviews", "sentence", 0, 0)
    assert shorter_forms(clause)[0].text == "Conduct systematic literature reviews"


def test_capitalised_drop_word_inside_a_clause_is_a_name() -> None:
    clause = Clause("Integrates with Robust Intelligence and a robust scheduler", "sentence", 0, 0)
    assert [f.text for f in shorter_forms(clause)] == ["Integrates with Robust Intelligence and a scheduler"]


@pytest.mark.parametrize(
    ("text", "trims"),
    [
        ("configure secret stores (AWS, Azure, GCP) for teams", ["configure secret stores for teams", "configure secret stores (AWS, Azure, GCP)"]),
        ("tracking forecast accuracy with MAPE", ["tracking forecast accuracy"]),
        ("writing protocols specifically for Opentrons hardware with API v2", ["writing protocols specifically for Opentrons hardware"]),
        ("reads `f(x) (y)` files in bulk", ["reads `f(x) (y)` files"]),  # code holds no aside
        ("merges (a) and `x (y)` and (b) files", ["merges and `x (y)` and (b) files", "merges (a) and `x (y)` and files", "merges and `x (y)` and files"]),
        ("Designed for teams", []),  # one word before the link
        ("is used for reports", []),  # a participle wants what follows
        ("Do not use for tables with merged cells", []),  # never widen a negation
        ("Best used with care", []),
    ],
)
def test_trims_cut_asides_and_trailing_modifiers(text: str, trims: list[str]) -> None:
    clause = Clause(text, "sentence", 0, 0)
    assert sorted(f.text for f in shorter_forms(clause, trim=True)) == sorted(trims)
    assert [f.text for f in shorter_forms(clause)] == []  # trims only when asked


def test_trimmable() -> None:
    clauses = segment("Scans contracts for reentrancy, overflow and access bugs. Toolkit for PDFs, merging documents, and filling forms. Use when auditing DeFi code with Slither.")
    by_text = {c.text: i for i, c in enumerate(clauses)}
    assert not trimmable(clauses, by_text["Scans contracts"])  # a lead: its "for" ties the list
    assert not trimmable(clauses, by_text["Toolkit for PDFs"])  # "for" may belong to every item
    assert trimmable(clauses, by_text["filling forms"])
    assert trimmable(clauses, by_text["auditing DeFi code with Slither"])
    rust = segment(RUST)
    assert not trimmable(rust, next(i for i, c in enumerate(rust) if c.text.startswith("refactoring")))  # a nested list goes on from it


def test_no_shorter_form() -> None:
    assert shorter_forms(Clause("Merges PDF files", "sentence", 0, 0)) == []
