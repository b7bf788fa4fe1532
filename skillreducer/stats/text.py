"""The stats report as plain text for a terminal."""

from __future__ import annotations

from typing import Any

ROWS = 5  # rows of each list in text; the JSON and HTML reports hold more


def _n(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def render(report: dict[str, Any]) -> str:
    out: list[str] = []
    add = out.append
    t = report["thresholds"]
    n = report["skills"]
    shard = f" (shard {report['shard']})" if report.get("shard") else ""
    failed = f", {report['skills_failed']:,} could not be measured" if report["skills_failed"] else ""
    add(f"skills: {n:,}{shard}{failed}")

    def count(label: str, key: str) -> None:
        add(f"  {label:<40}{report[key]:>9,}  {report[key + '_pct']:>6.2f}%")

    add("descriptions")
    count("missing", "missing_description")
    count(f"missing or under {t['description_min_tokens']} tokens", "missing_or_short_description")
    count(f"over {t['description_max_chars']:,} characters", f"description_over_{t['description_max_chars']}_chars")
    count("block scalar (| or >)", "block_scalar_description")
    add("names")
    count("invalid (missing, format, length)", "invalid_name")
    count("differ from the folder name", "name_folder_mismatch")
    add("bodies")
    count(f"over {t['body_max_lines']:,} lines", f"body_over_{t['body_max_lines']}_lines")
    count(f"over {t['body_max_tokens']:,} tokens", f"body_over_{t['body_max_tokens']}_tokens")
    add("files")
    count("SKILL.md only", "single_file")
    count("with reference documents", "with_references")
    count("with scripts/", "with_scripts")

    add("")
    add(f"{'distributions':<24}{'mean':>10}{'median':>10}{'p90':>10}{'max':>10}{'total':>14}")
    for key, label in (("description_tokens", "description tokens"), ("body_tokens", "body tokens"), ("body_lines", "body lines"), ("reference_tokens", "reference tokens")):
        d = report[key]
        add(f"  {label:<22}{_n(d['mean']):>10}{_n(d['median']):>10}{_n(d['p90']):>10}{_n(d['max']):>10}{_n(d['total']):>14}")

    b = report["body_types"]
    add("")
    add(f"body content by type ({b['classifier']})")
    for kind in b["items"]:
        if kind in b["not_distinguished"]:
            add(f"  {kind:<14}{'-':>9}          (not distinguished)")
            continue
        add(f"  {kind:<14}{b['items'][kind]:>9,} items {b['items_pct'][kind]:>6.2f}%   {b['characters_pct'][kind]:>6.2f}% of characters")
    add(f"  not core: {b['non_actionable_items_pct']:.2f}% of items, {b['non_actionable_characters_pct']:.2f}% of characters")

    add("")
    add("listing budget")
    for listing in report["listing"]:
        if listing.get("budget_chars") is None:
            add(f"  {listing['profile']}: {listing['note']}")
            continue
        add(
            f"  {listing['profile']}: budget {listing['budget_chars']:,} characters per folder of skills; {listing['units']:,} folders, "
            f"{listing['units_over_budget']:,} over budget; {listing['descriptions_fit']:,} of {listing['descriptions']:,} descriptions fit"
        )
        for unit in listing["largest_units"][:3]:
            add(f"    {unit['folder']}: {unit['skills']:,} skills, {unit['total_chars']:,} characters, {unit['descriptions_dropped']:,} descriptions dropped")
        losers = listing["first_to_lose"][:ROWS]
        if losers:
            add("    first to lose their description: " + ", ".join(row["path"] for row in losers) + (" ..." if listing["descriptions_dropped"] > len(losers) else ""))

    c = report["collisions"]
    add("")
    add(f"collisions ({c['method']}, similarity >= {c['threshold']}): {c['pairs']:,} pairs among {c['skills_in_pairs']:,} skills")
    for row in c["top"][:ROWS]:
        add(f"  {row['similarity']:.2f}  {row['a']}  ~  {row['b']}")

    d = report["duplicates"]
    add("")
    add(f"exact duplicates: {d['exact']['groups']:,} groups, {d['exact']['redundant_copies']:,} redundant copies ({d['exact']['redundant_copies_pct']:.2f}%)")
    for group in d["exact"]["top"][:ROWS]:
        add(f"  {group['size']} x  " + ", ".join(group["paths"][:3]) + (" ..." if group["size"] > 3 else ""))
    add(f"near duplicates (Jaccard >= {d['near']['threshold']}): {d['near']['pairs']:,} pairs, {d['near']['groups']:,} groups of {d['near']['skills']:,} skills")
    for row in d["near"]["top"][:ROWS]:
        add(f"  {row['similarity']:.2f}  {row['a']}  ~  {row['b']}")

    add("")
    add("top offenders")
    for level, label in (("description_tokens", "description tokens"), ("body_tokens", "body tokens"), ("reference_tokens", "reference tokens"), ("total_tokens", "all levels, tokens")):
        add(f"  {label}")
        for row in report["top_offenders"][level][:ROWS]:
            add(f"    {row['tokens']:>9,}  {row['path']}")
    f = report["findings"]
    add(f"  findings from check ({f['total']:,} in {f['skills_with_findings']:,} skills)")
    for row in report["top_offenders"]["findings"][:ROWS]:
        codes = ", ".join(f"{code} x{k}" if k > 1 else code for code, k in list(row["codes"].items())[:4])
        add(f"    {row['findings']:>9,}  {row['path']}  ({codes})")
    return "\n".join(out) + "\n"
