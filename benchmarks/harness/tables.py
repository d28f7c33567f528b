"""Markdown tables as the results files print them: ``| a | b |``, a ``|---|`` rule, one line
per row."""

from __future__ import annotations

from typing import Iterable, Mapping, NamedTuple, Sequence


def table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    """The lines of a markdown table (cells as given: format numbers before)."""
    line = lambda cells: "| " + " | ".join(str(cell) for cell in cells) + " |"  # noqa: E731
    return [line(header), "|" + "---|" * len(header), *(line(row) for row in rows)]


class Metric(NamedTuple):
    """A metric column: the key in a result, its heading, its format."""

    key: str
    label: str
    fmt: str = "{:.2f}"


def metric_table(lead: Sequence[str], metrics: Sequence[Metric],
                 rows: Iterable[tuple[Sequence[object], Mapping[str, float], Sequence[object]]],
                 trail: Sequence[str] = ()) -> list[str]:
    """A table of metric columns between leading and trailing columns: ``lead`` headings, one
    column per metric (its label; its format applied to the row's value), ``trail`` headings.
    Each row is (its leading cells, its metric values by key, its trailing cells)."""
    header = [*lead, *(metric.label for metric in metrics), *trail]
    return table(header, ([*first, *(metric.fmt.format(values[metric.key]) for metric in metrics), *last]
                          for first, values, last in rows))
