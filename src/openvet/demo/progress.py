"""The progress bar of a demo load: animals (with their owners and histories) written, records written,
animals per second, time left. One bar for the whole load."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class AnimalsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} animals/s", style="cyan")


class Records(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.fields.get('records', 0):,} records", style="magenta")


@contextmanager
def animal_progress(total: int, shown: bool) -> Iterator[Callable[[int, int], None]]:
    """Yields ``advance(animals, records)``; draws a rich progress bar on stderr when ``shown``."""
    if not shown:
        yield lambda animals, records=0: None
        return
    columns = (TextColumn("[bold]animals and histories"), BarColumn(), MofNCompleteColumn(), AnimalsPerSecond(),
               Records(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("animals", total=total, records=0)
        written = 0

        def advance(animals: int, records: int = 0) -> None:
            nonlocal written
            written += records
            progress.update(task, advance=animals, records=written)

        yield advance
