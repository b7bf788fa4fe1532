"""The Pareto front of one skill as pairwise projections, the chosen variant marked.

SVG is written directly (no plotting library needed); PNG needs matplotlib (installed
with the dev extra) and says so when it is missing.
"""

from __future__ import annotations

import itertools
from html import escape
from pathlib import Path
from typing import Mapping, Sequence

PANEL, GAP, MARGIN = 220, 60, 40
COLUMNS = 5


def _pairs(names: Sequence[str], front: Sequence[Mapping[str, float]]) -> list[tuple[str, str]]:
    # Objectives that vary on this front; constant ones make empty panels.
    varying = [n for n in names if len({round(p[n], 9) for p in front}) > 1] or list(names[:2])
    if len(varying) == 1:
        varying = [varying[0], next(n for n in names if n != varying[0])]
    return list(itertools.combinations(varying, 2))


def plot_front(front: Sequence[Mapping], chosen: int, senses: Mapping[str, str], path: Path) -> None:
    points = [p["objectives"] for p in front]
    names = list(senses)
    pairs = _pairs(names, points)
    if path.suffix.lower() == ".png":
        _png(points, chosen, senses, pairs, path)
    else:
        path.write_text(_svg(points, chosen, senses, pairs), encoding="utf-8")


def _scale(values: list[float], size: float) -> list[float]:
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    return [(v - low) / span * size for v in values]


def _svg(points: Sequence[Mapping[str, float]], chosen: int, senses: Mapping[str, str], pairs: list[tuple[str, str]]) -> str:
    rows = (len(pairs) + COLUMNS - 1) // COLUMNS
    width = MARGIN + min(len(pairs), COLUMNS) * (PANEL + GAP)
    height = MARGIN + rows * (PANEL + GAP) + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
           f'<text x="{MARGIN}" y="18" font-size="13">Pareto front: {len(points)} variants (chosen: red square)</text>']
    for k, (x_name, y_name) in enumerate(pairs):
        left = MARGIN + (k % COLUMNS) * (PANEL + GAP)
        top = MARGIN + (k // COLUMNS) * (PANEL + GAP)
        xs = _scale([p[x_name] for p in points], PANEL)
        ys = _scale([p[y_name] for p in points], PANEL)
        out.append(f'<rect x="{left}" y="{top}" width="{PANEL}" height="{PANEL}" fill="none" stroke="#999"/>')
        out.append(f'<text x="{left}" y="{top + PANEL + 14}">{escape(x_name)} ({senses[x_name]})</text>')
        out.append(f'<text transform="translate({left - 6},{top + PANEL}) rotate(-90)">{escape(y_name)} ({senses[y_name]})</text>')
        for i, (x, y) in enumerate(zip(xs, ys)):
            if i != chosen:
                out.append(f'<circle cx="{left + x:.1f}" cy="{top + PANEL - y:.1f}" r="3" fill="#3366aa" fill-opacity="0.7"/>')
        x, y = xs[chosen], ys[chosen]
        out.append(f'<rect x="{left + x - 5:.1f}" y="{top + PANEL - y - 5:.1f}" width="10" height="10" fill="#cc2222"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _png(points, chosen, senses, pairs, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RuntimeError("PNG plots need matplotlib (pip install 'skillreducer[dev]'); write an .svg instead") from None
    rows = (len(pairs) + COLUMNS - 1) // COLUMNS
    figure, axes = plt.subplots(rows, min(len(pairs), COLUMNS), figsize=(3.2 * min(len(pairs), COLUMNS), 3 * rows), squeeze=False)
    for k, (x_name, y_name) in enumerate(pairs):
        axis = axes[k // COLUMNS][k % COLUMNS]
        axis.scatter([p[x_name] for p in points], [p[y_name] for p in points], s=12, color="#3366aa", alpha=0.7)
        axis.scatter([points[chosen][x_name]], [points[chosen][y_name]], s=60, marker="s", color="#cc2222")
        axis.set_xlabel(f"{x_name} ({senses[x_name]})", fontsize=8)
        axis.set_ylabel(f"{y_name} ({senses[y_name]})", fontsize=8)
    for k in range(len(pairs), rows * min(len(pairs), COLUMNS)):
        axes[k // COLUMNS][k % COLUMNS].axis("off")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
