"""Small server-rendered SVG line charts for the recommender dashboard (no JavaScript, no chart library).

Every text that goes into the SVG is escaped; the markup is built here and marked safe once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 560, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 12, 16, 36
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[tuple[float, float]]


def line_chart(*, title: str, series: Sequence[Series], x_label: str, y_label: str) -> SafeString:
    """A line chart with axes, 5 y ticks and a legend; empty series draw a 'no data' note."""
    points = [point for line in series for point in line.points]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="recsys-chart" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    if not points:
        parts.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" font-size="13">'
            f"{escape('no data yet')}</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    x_min, x_max = min(xs), max(xs)
    y_min, y_max = min(0.0, min(ys)), max(ys)
    if x_max == x_min:
        x_max = x_min + 1
    if y_max == y_min:
        y_max = y_min + 1
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def sx(x: float) -> float:
        return PAD_LEFT + (x - x_min) / (x_max - x_min) * plot_w

    def sy(y: float) -> float:
        return PAD_TOP + (1 - (y - y_min) / (y_max - y_min)) * plot_h

    parts.append(
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP + plot_h}" x2="{PAD_LEFT + plot_w}" '
        f'y2="{PAD_TOP + plot_h}" stroke="#888"/>'
        f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{PAD_TOP + plot_h}" stroke="#888"/>'
    )
    for tick in range(5):
        value = y_min + (y_max - y_min) * tick / 4
        parts.append(
            f'<text x="{PAD_LEFT - 4}" y="{sy(value) + 4:.1f}" text-anchor="end" font-size="10">'
            f"{value:.3f}</text>"
            f'<line x1="{PAD_LEFT}" y1="{sy(value):.1f}" x2="{PAD_LEFT + plot_w}" y2="{sy(value):.1f}" '
            f'stroke="#ddd" stroke-dasharray="2,3"/>'
        )
    for x in sorted(set(xs))[:: max(1, len(set(xs)) // 10)]:
        parts.append(
            f'<text x="{sx(x):.1f}" y="{PAD_TOP + plot_h + 14}" text-anchor="middle" font-size="10">'
            f"{x:g}</text>"
        )
    parts.append(
        f'<text x="{PAD_LEFT + plot_w / 2}" y="{HEIGHT - 4}" text-anchor="middle" font-size="11">'
        f"{escape(x_label)}</text>"
        f'<text x="12" y="{PAD_TOP + plot_h / 2}" text-anchor="middle" font-size="11" '
        f'transform="rotate(-90 12 {PAD_TOP + plot_h / 2})">{escape(y_label)}</text>'
    )
    for index, line in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        if not line.points:
            continue
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in line.points)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}">'
            f"<title>{escape(line.name)}</title></polyline>"
        )
        for x, y in line.points:
            parts.append(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{colour}"/>')
        parts.append(
            f'<rect x="{PAD_LEFT + 8 + index * 130}" y="{PAD_TOP - 12}" width="10" height="10" '
            f'fill="{colour}"/><text x="{PAD_LEFT + 22 + index * 130}" y="{PAD_TOP - 3}" '
            f'font-size="11">{escape(line.name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric


def metric_history_svg(versions: Sequence, *, metric: str = "precision") -> SafeString:
    """The holdout metric of each version (x = version id) for the model and the popularity baseline."""
    model_points, popularity_points = [], []
    for version in versions:
        overall = (version.metrics or {}).get("model", {}).get("overall", {})
        baseline = (version.metrics or {}).get("popularity", {}).get("overall", {})
        if metric in overall:
            model_points.append((float(version.pk), float(overall[metric])))
        if metric in baseline:
            popularity_points.append((float(version.pk), float(baseline[metric])))
    return line_chart(
        title=f"{metric}@k across model versions",
        series=[Series("model", model_points), Series("popularity", popularity_points)],
        x_label="model version",
        y_label=f"{metric}@k",
    )


def validation_curve_svg(version) -> SafeString:
    curve = [
        (float(point["epoch"]), float(point["value"]))
        for point in (version.validation_curve or [])
        if point.get("value") is not None
    ]
    return line_chart(
        title=f"validation curve of version {version.pk}",
        series=[Series("validation", curve)],
        x_label="epoch",
        y_label="validation metric",
    )
