"""The ``metrics.csv`` of a training run: one row per log, cut back to a checkpoint on resume."""

import csv
import os
from pathlib import Path


class MetricsLog:
    """A CSV file of metric rows with a ``step`` column.

    Parameters
    ----------
    path : path
        The CSV file.
    columns : list of str
        Its columns, ``"step"`` among them.
    """

    def __init__(self, path, columns: list[str]):
        self.path = Path(path)
        self.columns = list(columns)

    def start(self) -> None:
        """Begin a new log: write the header, discarding any earlier rows."""
        with open(self.path, "w", newline="") as f:
            csv.writer(f).writerow(self.columns)

    def append(self, row: dict) -> None:
        """Append one row (a dict by column)."""
        with open(self.path, "a", newline="") as f:
            csv.DictWriter(f, self.columns).writerow(row)

    def rows(self) -> list[dict]:
        """The rows, as dicts of strings."""
        with open(self.path, newline="") as f:
            return list(csv.DictReader(f))

    def truncate(self, step: int) -> None:
        """Keep only complete rows up to ``step`` (rows after a resumed checkpoint, or cut short, go)."""
        if not self.path.exists():
            self.start()
            return
        rows = [r for r in self.rows() if None not in r.values() and int(r["step"]) <= step]
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        with open(tmp, "w", newline="") as f:
            writer = csv.DictWriter(f, self.columns)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, self.path)
