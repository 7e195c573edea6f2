"""Inline SVG bar charts for the HTML report (no JavaScript, no external resources).

``bar_chart_svg(rows, series)`` draws a horizontal grouped bar chart: one group per
label, one bar per series (province), each bar labelled with its value, a legend on
top.  Text is escaped; the SVG carries a <title> and an aria-label for readers.
"""
from __future__ import annotations

from html import escape
from typing import Sequence

PALETTE = ("#1f5fa8", "#d9822b", "#2e8b57", "#a23b72", "#6b4fa0", "#8c6d1f", "#c0392b", "#4a6670")


def bar_chart_svg(labels: Sequence[str], series: dict[str, Sequence[int | float]], title: str,
                  width: int = 760, label_width: int = 250, bar_h: int = 14, max_groups: int = 25) -> str:
    """A horizontal grouped bar chart as an SVG string.

    ``labels[i]`` names group i; ``series[name][i]`` is the value of series ``name`` in group i.
    Only the first ``max_groups`` groups are drawn (the caller sorts them).
    """
    labels = list(labels)[:max_groups]
    names = list(series)
    values = {n: [float(v) for v in list(series[n])[: len(labels)]] for n in names}
    vmax = max([v for vs in values.values() for v in vs] + [1.0])
    legend_h = 24 + 18 * ((len(names) + 3) // 4)
    group_h = bar_h * max(len(names), 1) + 10
    height = legend_h + group_h * max(len(labels), 1) + 10
    plot_w = width - label_width - 60
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="14" class="chart-title" font-size="14" font-weight="bold" fill="#222">{escape(title)}</text>',
    ]
    for i, n in enumerate(names):
        x, y = (i % 4) * 185, 24 + (i // 4) * 18
        out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text x="{x + 16}" y="{y + 11}" font-size="12" fill="#222">{escape(n)}</text>')
    if not labels:
        out.append(f'<text x="0" y="{legend_h + 14}" font-size="12" fill="#666">(không có dữ liệu)</text>')
    for gi, lab in enumerate(labels):
        y0 = legend_h + gi * group_h
        short = lab if len(lab) <= 38 else lab[:37] + "…"
        out.append(f'<text x="{label_width - 8}" y="{y0 + group_h / 2 + 2:.0f}" font-size="12" text-anchor="end" '
                   f'fill="#222">{escape(short)}<title>{escape(lab)}</title></text>')
        for si, n in enumerate(names):
            v = values[n][gi] if gi < len(values[n]) else 0.0
            w = 0 if v <= 0 else max(1.0, plot_w * v / vmax)
            y = y0 + si * bar_h
            out.append(f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                       f'fill="{PALETTE[si % len(PALETTE)]}"><title>{escape(n)}: {v:g}</title></rect>')
            out.append(f'<text x="{label_width + w + 4:.1f}" y="{y + bar_h - 4}" font-size="10" fill="#333">{v:g}</text>')
    out.append(f'<line x1="{label_width}" y1="{legend_h - 4}" x2="{label_width}" y2="{height - 6}" stroke="#999"/>')
    out.append("</svg>")
    return "\n".join(out)
