"""Bar charts drawn on the server as SVG, from published bands only.

No script and no inline style (the Content-Security-Policy allows neither): shapes carry
classes that amparo.css colours, so print and high-contrast styles apply. A bar is solid
up to the band's lower bound and pale, with a dashed edge, across the band, so a reader
sees at once that "13–15" is a range and "<10" could be anything from none to nine.
The chart is a picture of the data table that follows it; screen readers are sent to
the table.
"""

from __future__ import annotations

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reports.suppression import Table

WIDTH = 640
ROW = 40
LABEL_HEIGHT = 16
BAR_HEIGHT = 14
VALUE_SPACE = 70


def bar_chart(table: Table, *, title: str, chart_id: str) -> SafeString:
    """An SVG of one table's rows (its total is in the table, not drawn)."""
    rows = table.rows
    scale_max = max([row.band.high for row in rows] + [1])
    usable = WIDTH - VALUE_SPACE
    height = ROW * len(rows) + 8

    def bar(index: int, row) -> tuple:
        top = index * ROW + 4
        bar_top = top + LABEL_HEIGHT + 4
        solid = usable * row.band.low / scale_max
        span = max(usable * (row.band.high - row.band.low) / scale_max, 2)
        return (
            top + 12, row.label,
            solid, bar_top, BAR_HEIGHT,
            solid, bar_top, span, BAR_HEIGHT,
            solid + span + 6, bar_top + BAR_HEIGHT - 2, row.band.label,
        )

    shapes = format_html_join(
        "\n",
        '<text class="chart__label" x="0" y="{}">{}</text>'
        '<rect class="chart__solid" x="0" width="{}" y="{}" height="{}"></rect>'
        '<rect class="chart__band" x="{}" y="{}" width="{}" height="{}"></rect>'
        '<text class="chart__value" x="{}" y="{}">{}</text>',
        (bar(i, row) for i, row in enumerate(rows)),
    )
    description = _("%(title)s: bar chart. The table that follows gives the same figures.") % {
        "title": title
    }
    return format_html(
        '<svg class="chart" id="{}" role="img" aria-label="{}" viewBox="0 0 {} {}" '
        'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        "{}</svg>",
        chart_id, description, WIDTH, height, shapes,
    )
