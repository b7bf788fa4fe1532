"""The stats report as one self-contained HTML file: inline CSS, inline SVG plots drawn
here, a few lines of inline JavaScript to sort tables. No network, no external files;
a Content-Security-Policy forbids loading anything.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any, Iterable

TYPE_COLORS = {"core": "#2f7d4a", "background": "#8a9bb0", "example": "#d08c2c", "template": "#7b5ea7", "redundant": "#c0392b"}
LEVEL_LABELS = {
    "description_tokens": "Description tokens (level 1, always in context)",
    "body_tokens": "Body tokens (level 2, on activation)",
    "reference_tokens": "Reference tokens per skill (level 3, on demand)",
    "body_lines": "Body lines",
}

CSS = """
:root { --fg:#1d2430; --muted:#5b6675; --line:#d9dee5; --accent:#2d5fa8; --bg:#f6f7f9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; background: var(--bg); }
main { max-width: 1220px; margin: 0 auto; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 14px 0 6px; color: var(--muted); }
.sub { color: var(--muted); margin: 0 0 16px; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
.kpi { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.kpi b { display: block; font-size: 22px; } .kpi span { color: var(--muted); font-size: 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; overflow-x: auto; }
.card > svg { display: block; width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; background: #eef1f5; }
table.sortable th[aria-sort=ascending]::after { content: " \\25B2"; } table.sortable th[aria-sort=descending]::after { content: " \\25BC"; }
td.path { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; word-break: break-all; white-space: pre-line; }
.bar { display: inline-block; height: 8px; background: var(--accent); border-radius: 2px; vertical-align: middle; }
.note { color: var(--muted); font-size: 12px; }
.rows { color: var(--muted); font-size: 12px; margin-left: 6px; }
svg text { font: 11px system-ui, sans-serif; fill: #3a4350; }
svg .axis { stroke: #7a8594; stroke-width: 1; } svg .grid { stroke: #e3e7ec; stroke-width: 1; }
"""

SCRIPT = """
(function () {
  function key(cell) {
    var raw = cell.getAttribute('data-v');
    if (raw === null) raw = cell.textContent.trim();
    return /^-?\\d+(\\.\\d+)?$/.test(raw) ? parseFloat(raw) : raw.toLowerCase();
  }
  function sortBy(table, column, header) {
    var descending = header.getAttribute('aria-sort') !== 'descending';
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a.cells[column]), y = key(b.cells[column]);
      var order = typeof x === typeof y ? (x < y ? -1 : x > y ? 1 : 0) : (typeof x === 'number' ? -1 : 1);
      return descending ? -order : order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.setAttribute('aria-sort', 'none'); });
    header.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
  }
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      th.setAttribute('aria-sort', 'none');
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(table, column, th); });
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(table, column, th); });
    });
    var count = table.tBodies[0].rows.length;
    var label = document.getElementById(table.id + '-rows');
    if (label) label.textContent = count + (count === 1 ? ' row' : ' rows') + ', sortable';
  });
  document.body.setAttribute('data-sortable-tables', String(tables.length));
})();
"""


def _n(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _short(value: float) -> str:
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if value >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def histogram_svg(hist: dict[str, Any], label: str, unit: str, marker: tuple[float, str] | None = None, width: int = 560, height: int = 230) -> str:
    """Bars of counts over log-spaced bins; zeros in their own bar left of the axis."""
    left, right, top, bottom = 48, 12, 22, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    edges, counts, zero = hist["edges"], hist["counts"], hist["zero"]
    peak = max([zero, *counts, 1])
    zero_w = 26  # the "0" bar's slot
    log_w = plot_w - zero_w - 8
    decades = max(math.log10(edges[-1]), 1.0)

    def x(value: float) -> float:
        return left + zero_w + 8 + log_w * math.log10(value) / decades

    def y(count: float) -> float:
        return top + plot_h - plot_h * count / peak

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(label)}">']
    parts.append(f'<text x="{left}" y="14" style="font-weight:600">{escape(label)}</text>')
    step = _nice_step(peak)
    tick = 0
    while tick <= peak:
        parts.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{_short(tick)}</text>')
        tick += step
    if zero:
        parts.append(f'<rect x="{left + 2}" y="{y(zero):.1f}" width="{zero_w - 4}" height="{top + plot_h - y(zero):.1f}" fill="#b8c2cf"><title>0 {escape(unit)}: {zero:,} skills</title></rect>')
    parts.append(f'<text x="{left + zero_w / 2}" y="{top + plot_h + 14}" text-anchor="middle">0</text>')
    for index, count in enumerate(counts):
        if not count:
            continue
        x0, x1 = x(edges[index]), x(edges[index + 1])
        low, high = math.ceil(edges[index]), math.ceil(edges[index + 1]) - 1
        span = f"{low:,}" if high <= low else f"{low:,}–{high:,}"
        parts.append(
            f'<rect x="{x0 + 0.5:.1f}" y="{y(count):.1f}" width="{max(x1 - x0 - 1, 1):.1f}" height="{top + plot_h - y(count):.1f}" fill="#2d5fa8">'
            f"<title>{span} {escape(unit)}: {count:,} skills</title></rect>"
        )
    parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}"/>')
    for power in range(0, int(math.floor(decades)) + 1):
        value = 10**power
        parts.append(f'<line class="axis" x1="{x(value):.1f}" x2="{x(value):.1f}" y1="{top + plot_h}" y2="{top + plot_h + 4}"/>')
        parts.append(f'<text x="{x(value):.1f}" y="{top + plot_h + 14}" text-anchor="middle">{_short(value)}</text>')
    if marker and 1 <= marker[0] <= edges[-1]:
        mx = x(marker[0])
        parts.append(f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top}" y2="{top + plot_h}" stroke="#c0392b" stroke-dasharray="4 3"/>')
        parts.append(f'<text x="{mx + 4:.1f}" y="{top + 10}" style="fill:#c0392b;paint-order:stroke;stroke:#fff;stroke-width:3px">{escape(marker[1])}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 6}" text-anchor="middle">{escape(unit)} per skill (log scale)</text>')
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(peak: float) -> float:
    raw = peak / 4
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    for factor in (1, 2, 5, 10):
        if raw <= factor * power:
            return max(1, factor * power)
    return max(1, 10 * power)


def stacked_bar_svg(rows: list[tuple[str, dict[str, float]]], missing: Iterable[str], width: int = 1100) -> str:
    """One horizontal 100% bar per row, segments in TYPE_COLORS order, with a legend."""
    missing = set(missing)
    left, bar_h, gap = 110, 26, 14
    height = 30 + len(rows) * (bar_h + gap) + 30
    plot_w = width - left - 20
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-label="body content by type">']
    for row, (label, shares) in enumerate(rows):
        y0 = 20 + row * (bar_h + gap)
        parts.append(f'<text x="{left - 8}" y="{y0 + bar_h / 2 + 4}" text-anchor="end">{escape(label)}</text>')
        x0 = float(left)
        for kind, color in TYPE_COLORS.items():
            share = shares.get(kind, 0.0)
            if share <= 0:
                continue
            w = plot_w * share / 100
            parts.append(f'<rect x="{x0:.1f}" y="{y0}" width="{w:.1f}" height="{bar_h}" fill="{color}"><title>{kind}: {share:.2f}%</title></rect>')
            if w > 46:
                parts.append(f'<text x="{x0 + w / 2:.1f}" y="{y0 + bar_h / 2 + 4}" text-anchor="middle" style="fill:#fff">{share:.1f}%</text>')
            x0 += w
    legend_y = height - 14
    x0 = float(left)
    for kind, color in TYPE_COLORS.items():
        label = f"{kind} (not distinguished)" if kind in missing else kind
        parts.append(f'<rect x="{x0:.1f}" y="{legend_y - 10}" width="12" height="12" fill="{color}" opacity="{0.35 if kind in missing else 1}"/>')
        parts.append(f'<text x="{x0 + 16:.1f}" y="{legend_y}">{escape(label)}</text>')
        x0 += 40 + 7 * len(label)
    parts.append("</svg>")
    return "".join(parts)


def listing_svg(listing: dict[str, Any], rows: int = 8, width: int = 1100) -> str:
    """The most crowded folders: names + descriptions against the budget, to one scale."""
    units = listing["largest_units"][:rows]
    left, bar_h, gap = 260, 20, 10
    plot_w = width - left - 30
    budget = listing["budget_chars"]
    scale = plot_w / max([budget, *(u["total_chars"] for u in units), 1])
    height = 26 + len(units) * (bar_h + gap) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" aria-label="listing budget {escape(listing["profile"])}">']
    for row, unit in enumerate(units):
        y0 = 22 + row * (bar_h + gap)
        folder = unit["folder"] if len(unit["folder"]) <= 40 else "…" + unit["folder"][-39:]
        parts.append(f'<text x="{left - 8}" y="{y0 + bar_h / 2 + 4}" text-anchor="end"><title>{escape(unit["folder"])}</title>{escape(folder)} ({unit["skills"]:,})</text>')
        names_w, desc_w = unit["name_chars"] * scale, unit["description_chars"] * scale
        parts.append(f'<rect x="{left}" y="{y0}" width="{names_w:.1f}" height="{bar_h}" fill="#5b6675"><title>names: {unit["name_chars"]:,} characters</title></rect>')
        parts.append(
            f'<rect x="{left + names_w:.1f}" y="{y0}" width="{desc_w:.1f}" height="{bar_h}" fill="#2d5fa8">'
            f'<title>descriptions: {unit["description_chars"]:,} characters; {unit["descriptions_fit"]:,} fit, {unit["descriptions_dropped"]:,} dropped</title></rect>'
        )
    bx = left + budget * scale
    parts.append(f'<line x1="{bx:.1f}" x2="{bx:.1f}" y1="14" y2="{height - 4}" stroke="#c0392b" stroke-width="2"/>')
    parts.append(f'<text x="{bx + 4:.1f}" y="12" style="fill:#c0392b">budget {budget:,}</text>')
    parts.append("</svg>")
    return "".join(parts)


class _Tables:
    def __init__(self) -> None:
        self.count = 0

    def table(self, headers: list[tuple[str, bool]], rows: Iterable[list[tuple[Any, str]]], title: str = "") -> str:
        """headers: (label, numeric); rows: cells of (value, css class)."""
        self.count += 1
        table_id = f"t{self.count}"
        head = "".join(f'<th class="{"n" if numeric else ""}">{escape(label)}</th>' for label, numeric in headers)
        body = []
        for row in rows:
            cells = []
            for (value, css), (_, numeric) in zip(row, headers):
                if numeric:
                    sort_value = "" if value is None else (f"{value:.6g}" if isinstance(value, float) else str(value))
                    shown = f"{value:.2f}" if isinstance(value, float) else _n(value)
                    cells.append(f'<td class="n" data-v="{sort_value}">{shown}</td>')
                else:
                    cells.append(f'<td class="{css}">{escape(str(value))}</td>')
            body.append("<tr>" + "".join(cells) + "</tr>")
        caption = f'<h3>{escape(title)}<span class="rows" id="{table_id}-rows"></span></h3>' if title else f'<span class="rows" id="{table_id}-rows"></span>'
        if not body:
            return caption + '<p class="note">none</p>'
        return f'{caption}<table class="sortable" id="{table_id}"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def render(report: dict[str, Any]) -> str:
    t = report["thresholds"]
    n = report["skills"]
    tables = _Tables()
    out: list[str] = []
    add = out.append
    add("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>")
    add("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">")
    add(f"<title>skillreducer stats: {n:,} skills</title><style>{CSS}</style></head><body><main>")
    shard = f" · shard {escape(report['shard'])}" if report.get("shard") else ""
    add(f"<h1>Skill corpus: {n:,} skills</h1>")
    failed = f" · {report['skills_failed']:,} could not be measured" if report["skills_failed"] else ""
    where = f" in {escape(report['base'])}" if report.get("base") else ""
    add(f'<p class="sub">skillreducer {escape(report["version"])} · profile {escape(report["settings"]["profile"])}{where}{shard}{failed}</p>')

    body_types = report["body_types"]
    over_tokens = f"body_over_{t['body_max_tokens']}_tokens_pct"
    collisions, duplicates = report["collisions"], report["duplicates"]
    kpis = [
        (f"{n:,}", "skills"),
        (f"{report['missing_description_pct']:.1f}%", "no description"),
        (f"{report['missing_or_short_description_pct']:.1f}%", f"no description or under {t['description_min_tokens']} tokens"),
        (_n(report["body_tokens"]["mean"]), "mean body tokens"),
        (f"{report[over_tokens]:.1f}%", f"bodies over {t['body_max_tokens']:,} tokens"),
        (f"{body_types['non_actionable_items_pct']:.1f}%", "body items not core rules"),
        (f"{collisions['pairs']:,}", "description collisions (pairs)"),
        (f"{duplicates['exact']['redundant_copies']:,}", "exact duplicate copies"),
    ]
    add('<section class="kpis">' + "".join(f'<div class="kpi"><b>{escape(v)}</b><span>{escape(label)}</span></div>' for v, label in kpis) + "</section>")

    add("<h2 id=counts>Counts</h2><div class=card>")
    count_rows = [
        ("no description", "missing_description"),
        (f"no description, or one under {t['description_min_tokens']} tokens", "missing_or_short_description"),
        (f"description over {t['description_max_chars']:,} characters", f"description_over_{t['description_max_chars']}_chars"),
        ("description written as a block scalar (| or >)", "block_scalar_description"),
        ("invalid name (missing, format or length)", "invalid_name"),
        ("name differs from the folder", "name_folder_mismatch"),
        (f"body over {t['body_max_lines']:,} lines", f"body_over_{t['body_max_lines']}_lines"),
        (f"body over {t['body_max_tokens']:,} tokens", f"body_over_{t['body_max_tokens']}_tokens"),
        ("SKILL.md only (single file)", "single_file"),
        ("with reference documents", "with_references"),
        ("with scripts/", "with_scripts"),
    ]
    add("<table><thead><tr><th>skills</th><th class=n>count</th><th class=n>share</th><th></th></tr></thead><tbody>")
    for label, key in count_rows:
        share = report[f"{key}_pct"]
        add(f'<tr><td>{escape(label)}</td><td class=n>{report[key]:,}</td><td class=n>{share:.2f}%</td><td><span class=bar style="width:{max(share * 3, 0.5):.1f}px"></span></td></tr>')
    add("</tbody></table><p class=note>Percentages are of all skills measured.</p></div>")

    add("<h2 id=tokens>Token distributions</h2><div class=grid>")
    markers = {
        "description_tokens": (t["description_min_tokens"], f"{t['description_min_tokens']} tokens"),
        "body_tokens": (t["body_max_tokens"], f"{t['body_max_tokens']:,}"),
        "body_lines": (t["body_max_lines"], f"{t['body_max_lines']:,} lines"),
    }
    for metric in ("description_tokens", "body_tokens", "reference_tokens", "body_lines"):
        unit = "lines" if metric == "body_lines" else "tokens"
        add(f'<div class=card>{histogram_svg(report["histograms"][metric], LEVEL_LABELS[metric], unit, markers.get(metric))}</div>')
    add("</div><div class=card style=\"margin-top:14px\"><table><thead><tr><th></th><th class=n>mean</th><th class=n>median</th><th class=n>p90</th><th class=n>max</th><th class=n>total</th></tr></thead><tbody>")
    for metric in ("description_tokens", "body_tokens", "body_lines", "reference_tokens"):
        d = report[metric]
        add(f"<tr><td>{escape(metric.replace('_', ' '))}</td>" + "".join(f"<td class=n>{_n(d[k])}</td>" for k in ("mean", "median", "p90", "max", "total")) + "</tr>")
    add("</tbody></table></div>")

    add("<h2 id=body-types>Body content by type</h2><div class=card>")
    add(stacked_bar_svg([("items", body_types["items_pct"]), ("characters", body_types["characters_pct"])], body_types["not_distinguished"]))
    add(
        f"<p class=note>Classifier: {escape(body_types['classifier'])}. {escape(body_types['method'])} "
        f"Not core rules: {body_types['non_actionable_items_pct']:.1f}% of items, {body_types['non_actionable_characters_pct']:.1f}% of characters.</p>"
    )
    add("<table><thead><tr><th>type</th><th class=n>items</th><th class=n>share of items</th><th class=n>characters</th><th class=n>share of characters</th></tr></thead><tbody>")
    for kind in body_types["items"]:
        if kind in body_types["not_distinguished"]:
            add(f"<tr><td>{escape(kind)}</td><td class=n colspan=4>not distinguished by this classifier</td></tr>")
            continue
        add(
            f"<tr><td>{escape(kind)}</td><td class=n>{body_types['items'][kind]:,}</td><td class=n>{body_types['items_pct'][kind]:.2f}%</td>"
            f"<td class=n>{body_types['characters'][kind]:,}</td><td class=n>{body_types['characters_pct'][kind]:.2f}%</td></tr>"
        )
    add("</tbody></table></div>")

    add("<h2 id=listing>Listing budget</h2>")
    for listing in report["listing"]:
        add("<div class=card style=\"margin-bottom:14px\">")
        if listing.get("budget_chars") is None:
            add(f"<p>{escape(listing['profile'])}: {escape(listing['note'])}</p></div>")
            continue
        add(f"<h3>{escape(listing['profile'])}: {listing['units_over_budget']:,} of {listing['units']:,} folders over the budget of {listing['budget_chars']:,} characters; "
            f"{listing['descriptions_fit']:,} of {listing['descriptions']:,} descriptions fit</h3>")
        add(listing_svg(listing))
        add(
            f"<p class=note>Grey: names, blue: descriptions (each entry capped at {listing['entry_max_chars']:,} characters), red: the budget. "
            f"A unit is {escape(listing['unit'])}. {listing['listed']:,} skills listed, {listing['hidden']:,} hidden from the listing; {escape(listing['order'])}.</p>"
        )
        add(tables.table([("folder", False), ("skills", True), ("characters", True), ("descriptions fit", True), ("dropped", True)],
                         ([(u["folder"], "path"), (u["skills"], ""), (u["total_chars"], ""), (u["descriptions_fit"], ""), (u["descriptions_dropped"], "")] for u in listing["largest_units"]),
                         "largest folders"))
        add(tables.table([("order", True), ("skill", False), ("path", False), ("description characters", True)],
                         ([(i, ""), (row["name"], ""), (row["path"], "path"), (row["chars"], "")] for i, row in enumerate(listing["first_to_lose"], 1)),
                         f"first to lose their description ({listing['descriptions_dropped']:,} in all)"))
        add("</div>")

    add("<h2 id=offenders>Top offenders</h2><div class=grid>")
    for level, label in (("description_tokens", "description tokens"), ("body_tokens", "body tokens"), ("reference_tokens", "reference tokens"), ("total_tokens", "tokens at all levels")):
        add("<div class=card>" + tables.table([("skill", False), ("path", False), (label, True)],
                                               ([(row["name"], ""), (row["path"], "path"), (row["tokens"], "")] for row in report["top_offenders"][level]),
                                               f"by {label}") + "</div>")
    add("</div>")
    findings = report["findings"]
    add("<div class=card style=\"margin-top:14px\">")
    add(tables.table(
        [("skill", False), ("path", False), ("findings", True), ("errors", True), ("warnings", True), ("infos", True), ("rules", False)],
        ([(r["name"], ""), (r["path"], "path"), (r["findings"], ""), (r["errors"], ""), (r["warnings"], ""), (r["infos"], ""),
          (", ".join(f"{c}×{k}" if k > 1 else c for c, k in r["codes"].items()), "")] for r in report["top_offenders"]["findings"]),
        f"by findings from check ({findings['total']:,} findings in {findings['skills_with_findings']:,} skills)"))
    add("</div>")

    add("<h2 id=collisions>Collisions</h2><div class=card>")
    add(f"<p>{collisions['pairs']:,} pairs of skills whose descriptions a router cannot tell apart ({escape(collisions['method'])}, similarity ≥ {collisions['threshold']}), "
        f"involving {collisions['skills_in_pairs']:,} skills ({collisions['skills_in_pairs_pct']:.2f}%). <span class=note>{escape(collisions['compared'])}.</span></p>")
    add(tables.table([("skill A", False), ("path A", False), ("skill B", False), ("path B", False), ("similarity", True)],
                     ([(p["a_name"], ""), (p["a"], "path"), (p["b_name"], ""), (p["b"], "path"), (p["similarity"], "")] for p in collisions["top"]),
                     "most similar pairs"))
    add("</div>")

    exact, near = duplicates["exact"], duplicates["near"]
    add("<h2 id=duplicates>Duplicates</h2><div class=grid><div class=card>")
    add(f"<p>Exact: {exact['groups']:,} groups of identical skills ({escape(exact['method'])}), {exact['redundant_copies']:,} redundant copies ({exact['redundant_copies_pct']:.2f}%).</p>")
    add(tables.table([("copies", True), ("paths", False)], ([(g["size"], ""), ("\n".join(g["paths"]), "path")] for g in exact["top"]), "exact duplicate groups"))
    add("</div><div class=card>")
    add(f"<p>Near: {near['pairs']:,} pairs in {near['groups']:,} groups of {near['skills']:,} skills ({escape(near['method'])}, Jaccard ≥ {near['threshold']}).</p>")
    add(tables.table([("path A", False), ("path B", False), ("Jaccard", True)], ([(p["a"], "path"), (p["b"], "path"), (p["similarity"], "")] for p in near["top"]), "near-duplicate pairs"))
    add("</div></div>")

    add("<h2 id=findings>Findings by rule</h2><div class=card>")
    add(f"<p>{findings['total']:,} findings: " + ", ".join(f"{findings['by_severity'][s]:,} {s}" for s in ("error", "warning", "info")) + "</p>")
    add(tables.table([("rule", False), ("findings", True)], ([(code, ""), (k, "")] for code, k in findings["by_code"].items()), "rules"))
    add("</div>")
    if report["failures"]:
        add("<h2>Skills that could not be measured</h2><div class=card>")
        add(tables.table([("path", False), ("error", False)], ([(f["path"], "path"), (f["error"], "")] for f in report["failures"]), "failures"))
        add("</div>")
    add(f"</main><script>{SCRIPT}</script></body></html>\n")
    return "".join(out)
