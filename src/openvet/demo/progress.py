"""The progress bar of a demo load: animals written, animals per second, time left."""

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


@contextmanager
def animal_progress(total: int, shown: bool) -> Iterator[Callable[[int], None]]:
    """Yields ``advance(n)``; draws a rich progress bar on stderr when ``shown``."""
    if not shown:
        yield lambda n: None
        return
    columns = (TextColumn("[bold]animals"), BarColumn(), MofNCompleteColumn(), AnimalsPerSecond(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("animals", total=total)
        yield lambda n: progress.advance(task, n)
