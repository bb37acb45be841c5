"""The charts of a summary, labelled in the reader's language: shared by the trends page and the PDF."""
from datetime import timedelta


from .. import catalogue
from ..clock import start_of_day
from .charts import Series, bar_chart, line_chart
from ..i18n import format_date, gettext as _


def month_labels(period):
    """Ticks at the start of months, thinned so that at most six are labelled."""
    step = max(1, -(-len(period.months) // 6))
    starts = ((start_of_day(month, period.tz), month) for month in period.months[::step])
    return [(start, format_date(month, "MMM")) for start, month in starts if start >= period.since]


def padded_range(values, step):
    low, high = min(values), max(values)
    low, high = (low // step) * step, -(-high // step) * step
    return (low - step, high + step) if low == high else (low, high)


def summary_figures(summary, weight_unit):
    """{name: (title, svg)} for every chart the summary has data for."""
    period, months = summary.period, summary.period.months
    frame = {"start": period.since, "end": period.until, "x_labels": month_labels(period)}
    figures = {}
    points = summary.function.points
    if points:
        top, area_top = catalogue.CHECKIN_MAX_SCORE, catalogue.CHECKIN_AREA_MAX
        title = _("Functional check-in total (0 to %(max)d)", max=top)
        figures["checkin"] = (title, line_chart(
            [Series(title, tuple((p.occurred_at, p.total) for p in points))],
            low=0, high=top, y_ticks=tuple(range(0, top + 1, top // 4)), title=title, **frame))
        title = _("Check-in areas (0 to %(max)d each)", max=area_top)
        figures["areas"] = (title, line_chart(
            [Series(str(name), tuple((p.occurred_at, sum(p.items.get(d, 0) for d in catalogue.AREA_DOMAINS[area]))
                                     for p in points))
             for area, name in catalogue.CHECKIN_AREAS.items()],
            low=0, high=area_top, y_ticks=tuple(range(0, area_top + 1, area_top // 3)), title=title, **frame))
    weights = summary.weight.points
    if weights:
        values = [catalogue.from_kg(kg, weight_unit) for _when, kg in weights]
        low, high = padded_range(values, 5)
        title = _("Weight (%(unit)s)", unit=weight_unit)
        figures["weight"] = (title, line_chart(
            [Series(title, tuple((when, catalogue.from_kg(kg, weight_unit)) for when, kg in weights))],
            low=low, high=high, y_ticks=(low, (low + high) // 2, high), title=title, gap=timedelta(days=21), **frame))
    if summary.niv_hours:
        title = _("Hours on NIV a night")
        figures["niv"] = (title, line_chart(
            [Series(title, tuple(summary.niv_hours))], low=0, high=12, y_ticks=(0, 4, 8, 12), title=title, **frame))
    title = _("Falls, near-falls and choking episodes a month")
    figures["events"] = (title, bar_chart(
        months,
        [(str(catalogue.EVENT_TYPES[kind]), [summary.counts.events[m][kind] for m in months])
         for kind in catalogue.CHARTED_EVENTS],
        title=title, month_label=lambda month: format_date(month, "MMM")))
    title = _("Symptoms logged a month, by group")
    figures["groups"] = (title, bar_chart(
        months,
        [(str(name), [summary.counts.groups[m][group] for m in months])
         for group, name in catalogue.GROUPS.items()],
        title=title, month_label=lambda month: format_date(month, "MMM")))
    return figures
