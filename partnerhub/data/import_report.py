"""What checking an import folder found: its problems, counted per rule.

Every problem reads `file:row:column: value: rule` (spec/data-contract.md;
row = the line number in a CSV, header = 1; 0 when it concerns the whole file).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

EXAMPLES_PER_RULE = 200  # problems listed per (file, column, rule); the rest are counted
SHOWN_IN_TOTAL = 300


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | str
    column: str
    value: str
    rule: str

    def __str__(self) -> str:
        value = "" if self.value is None else str(self.value)
        if len(value) > 80:
            value = value[:77] + "..."
        return f"{self.file}:{self.row}:{self.column}: {value}: {self.rule}"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    # (file, column, rule) -> how many rows broke it, shown or not
    counts: dict = field(default_factory=lambda: defaultdict(int))
    warnings: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # table -> file
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.counts

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, problem: Problem, count: int = 1) -> None:
        self.problems.append(problem)
        self.counts[(problem.file, problem.column, problem.rule)] += count

    def lines(self) -> list[str]:
        """Every problem, summarised past a few hundred."""
        out = [str(p) for p in self.problems[:SHOWN_IN_TOTAL]]
        hidden = self.total - len(out)
        if hidden > 0:
            out.append(f"... and {hidden} more problems:")
            shown: dict[tuple, int] = defaultdict(int)
            for p in self.problems[:SHOWN_IN_TOTAL]:
                shown[(p.file, p.column, p.rule)] += 1
            for (file, column, rule), n in sorted(self.counts.items()):
                if n > shown[(file, column, rule)]:
                    out.append(f"  {file}: {column}: {rule}: {n} rows in all")
        return out
