"""Typed errors. The library raises these; the CLI turns them into one-line messages."""

from __future__ import annotations

from dataclasses import dataclass


class MatkbError(Exception):
    """Base class for every error matkb raises on purpose."""


class StoreBusy(MatkbError):
    """Another process holds the store's write lock."""


class StoreError(MatkbError):
    """The store file cannot be used (corrupt, newer schema, not a matkb store)."""


class ReadOnlyError(MatkbError):
    """A write was attempted on a read-only connection."""


class NotFound(MatkbError):
    """A named material, source or cell is not in the store."""


class UnitError(MatkbError):
    """A quantity string could not be parsed or converted."""


@dataclass(frozen=True)
class Issue:
    """One finding of validation: where it is, what is wrong, how bad it is."""

    level: str  # "error" | "warning"
    file: str
    where: str  # e.g. "cycling_results[3] (line 88)"
    field: str
    value: str
    message: str
    check: str  # machine name of the check, e.g. "schema", "capacity_above_theoretical"

    def __str__(self) -> str:
        value = f" = {self.value!s}" if self.value not in ("", None) else ""
        field = f" {self.field}{value}:" if self.field else ""
        return f"{self.level}: {self.file}: {self.where}:{field} {self.message}"


class ValidationFailed(MatkbError):
    """Validation found errors; nothing was written (or, for a table to predict from, ``outcome`` says what was not done)."""

    def __init__(self, issues: list[Issue], outcome: str = "nothing was written"):
        self.issues = issues
        self.outcome = outcome
        errors = [i for i in issues if i.level == "error"]
        first = str(errors[0]) if errors else ""
        more = f" (and {len(errors) - 1} more error(s))" if len(errors) > 1 else ""
        super().__init__(f"{first}{more}")
