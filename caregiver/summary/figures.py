"""The charts of a summary, labelled in the reader's language: shared by the trends page and the PDF."""
from datetime import datetime, time, timedelta

from flask_babel import format_date
from flask_babel import gettext as _

from .. import catalogue
from ..i18n import to_utc
from .charts import Series, bar_chart, line_chart


def month_labels(summary):
    """Ticks at the start of months, thinned so that at most six are labelled."""
    step = max(1, -(-len(summary.months) // 6))
    return [(to_utc(datetime.combine(month, time()), summary.tz), format_date(month, "MMM"))
            for month in summary.months[::step] if to_utc(datetime.combine(month, time()), summary.tz) >= summary.since]


def padded_range(values, step):
    low, high = min(values), max(values)
    low, high = (low // step) * step, -(-high // step) * step
    return (low - step, high + step) if low == high else (low, high)


def summary_figures(summary, weight_unit):
    """{name: (title, svg)} for every chart the summary has data for."""
    frame = {"start": summary.since, "end": summary.until, "x_labels": month_labels(summary)}
    figures = {}
    if summary.checkins:
        title = _("Functional check-in total (0 to 48)")
        figures["checkin"] = (title, line_chart(
            [Series(title, tuple((p.occurred_at, p.total) for p in summary.checkins))],
            low=0, high=48, y_ticks=(0, 12, 24, 36, 48), title=title, **frame))
        title = _("Check-in areas (0 to 12 each)")
        figures["areas"] = (title, line_chart(
            [Series(str(name), tuple((p.occurred_at, sum(p.items.get(d, 0) for d, a in catalogue_areas() if a == area))
                                     for p in summary.checkins))
             for area, name in catalogue.CHECKIN_AREAS.items()],
            low=0, high=12, y_ticks=(0, 4, 8, 12), title=title, **frame))
    if summary.weights:
        values = [catalogue.from_kg(kg, weight_unit) for _when, kg in summary.weights]
        low, high = padded_range(values, 5)
        title = _("Weight (%(unit)s)", unit=weight_unit)
        figures["weight"] = (title, line_chart(
            [Series(title, tuple((when, catalogue.from_kg(kg, weight_unit)) for when, kg in summary.weights))],
            low=low, high=high, y_ticks=(low, (low + high) // 2, high), title=title, gap=timedelta(days=21), **frame))
    if summary.niv_hours:
        title = _("Hours on NIV a night")
        figures["niv"] = (title, line_chart(
            [Series(title, tuple(summary.niv_hours))], low=0, high=12, y_ticks=(0, 4, 8, 12), title=title, **frame))
    title = _("Falls, near-falls and choking episodes a month")
    figures["events"] = (title, bar_chart(
        summary.months,
        [(str(catalogue.EVENT_TYPES[kind]), [summary.events_by_month[m][kind] for m in summary.months])
         for kind in ("fall", "near_fall", "choking")],
        title=title, month_label=lambda month: format_date(month, "MMM")))
    title = _("Symptoms logged a month, by group")
    figures["groups"] = (title, bar_chart(
        summary.months,
        [(str(name), [summary.groups_by_month[m][group] for m in summary.months])
         for group, name in catalogue.GROUPS.items()],
        title=title, month_label=lambda month: format_date(month, "MMM")))
    return figures


def catalogue_areas():
    return [(key, domain.area) for key, domain in catalogue.CHECKIN_DOMAINS.items()]
