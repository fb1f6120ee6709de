"""The statistics page's figures: the selector's rows made into charts and the tables beside
them (the table is the accessible form, and the chart's numbers are the table's), and the
page's full table as the rows of its CSV. The counting itself is booking.selectors.statistics."""

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff.charts import Bar, bar_chart

METRIC_LABELS = {
    "events": gettext_lazy("Evenemang"),
    "sessions": gettext_lazy("Tillfällen"),
    "sessions_cancelled": gettext_lazy("Inställda tillfällen"),
    "closed_group": gettext_lazy("Varav för slutna grupper"),
    "bookings": gettext_lazy("Bokningar"),
    "seats_booked": gettext_lazy("Bokade platser"),
    "children": gettext_lazy("Varav barn"),
    "waitlisted": gettext_lazy("På väntelista"),
    "promoted": gettext_lazy("Flyttade från väntelistan"),
    "attended": gettext_lazy("Incheckade personer"),
    "no_shows": gettext_lazy("Uteblivna"),
    "population": gettext_lazy("Folkmängd"),
    "sessions_per_1000": gettext_lazy("Tillfällen per 1 000 invånare"),
    "seats_booked_per_1000": gettext_lazy("Bokade platser per 1 000 invånare"),
    "population_note": gettext_lazy("Anmärkning"),
}
CHARTED = ("sessions", "seats_booked", "attended")
TABLE_METRICS = (
    "events",
    "sessions",
    "closed_group",
    "sessions_cancelled",
    "bookings",
    "seats_booked",
    "children",
    "waitlisted",
    "promoted",
    "attended",
    "no_shows",
)
REACH_COLUMNS = ("population", "sessions_per_1000", "seats_booked_per_1000", "population_note")


def hidden_text() -> str:
    return _("färre än 5")


def shown(value, *, decimals: int = 0) -> str:
    """A cell as the page, the chart and the CSV write it: a hidden count says so."""
    if value is None:
        return hidden_text()
    if isinstance(value, str):
        return value
    return number_format(value, decimals) if decimals else str(value)


@dataclass
class Figure:
    """A chart and its table: `rows` are (label, cells), the first cell the charted value."""

    chart_id: str
    title: str
    headers: list[str]
    rows: list[tuple[str, list[str]]] = field(default_factory=list)
    values: list[float | None] = field(default_factory=list)

    @property
    def desc(self) -> str:
        listed = "; ".join(f"{label}: {cells[0]}" for label, cells in self.rows)
        return _("Liggande stapeldiagram. %(values)s. Samma siffror står i tabellen bredvid.") % {
            "values": listed or _("inga rader")
        }

    @property
    def svg(self):
        bars = [
            Bar(label=label, value=value, shown=cells[0])
            for (label, cells), value in zip(self.rows, self.values, strict=True)
        ]
        return bar_chart(chart_id=self.chart_id, title=self.title, desc=self.desc, bars=bars)


def metric_figures(stats, group_label: str, *, prefix: str = "chart") -> list[Figure]:
    """One chart per charted metric (occasions, seats booked, people checked in)."""
    figures = []
    for metric in CHARTED:
        figure = Figure(
            chart_id=f"{prefix}-{metric}",
            title=_("%(metric)s per %(group)s")
            % {"metric": METRIC_LABELS[metric], "group": group_label.lower()},
            headers=[group_label, str(METRIC_LABELS[metric])],
        )
        for row in stats.rows:
            figure.rows.append((row["label"], [shown(row[metric])]))
            figure.values.append(row[metric])
        figures.append(figure)
    return figures


def reach_figures(stats) -> list[Figure]:
    """Sessions and seats booked per 1,000 inhabitants by municipality; a municipality
    without a population shows its count and says why its rate is missing."""
    figures = []
    for metric, count in (("sessions_per_1000", "sessions"), ("seats_booked_per_1000", "seats_booked")):
        figure = Figure(
            chart_id=f"reach-{metric}",
            title=str(METRIC_LABELS[metric]),
            headers=[
                _("Kommun"),
                str(METRIC_LABELS[metric]),
                str(METRIC_LABELS[count]),
                str(METRIC_LABELS["population"]),
                str(METRIC_LABELS["population_note"]),
            ],
        )
        for row in stats.rows:
            rate = row[metric]
            figure.rows.append(
                (
                    row["label"],
                    [
                        shown(rate, decimals=1) if rate is not None else _("saknas"),
                        shown(row[count]),
                        shown(row["population"]) if row["population"] else _("saknas"),
                        row["population_note"],
                    ],
                )
            )
            figure.values.append(rate)
        figures.append(figure)
    return figures


def priority_figures(stats) -> list[Figure]:
    """Every priority group, double priority, easy-to-read and each minority language."""
    figures = []
    for metric in CHARTED:
        figure = Figure(
            chart_id=f"priority-{metric}",
            title=_("%(metric)s per prioriterad grupp") % {"metric": METRIC_LABELS[metric]},
            headers=[_("Prioriterad grupp"), str(METRIC_LABELS[metric])],
        )
        for row in stats.rows:
            figure.rows.append((row["label"], [shown(row[metric])]))
            figure.values.append(row[metric])
        figures.append(figure)
    return figures


def table_columns(group_by: str) -> list[str]:
    columns = list(TABLE_METRICS)
    if group_by == "municipality":
        columns += REACH_COLUMNS
    return columns


def table_rows(stats) -> tuple[list[str], list[list[str]], list[str]]:
    """The page's full table (headers, rows, totals), as the page and its CSV write it."""
    columns = table_columns(stats.group_by)
    headers = [str(METRIC_LABELS[name]) for name in columns]
    rows = []
    for row in stats.rows:
        cells = []
        for name in columns:
            value = row.get(name)
            if name in ("sessions_per_1000", "seats_booked_per_1000"):
                cells.append(shown(value, decimals=1) if value is not None else _("saknas"))
            elif name == "population":
                cells.append(shown(value) if value else _("saknas"))
            else:
                cells.append(shown(value))
        rows.append([row["label"], *cells])
    totals = [shown(stats.totals[name]) if name in stats.totals else "" for name in columns]
    return headers, rows, totals
