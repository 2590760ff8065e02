"""Importers for external experimental conductivity datasets: OBELiX and the Liverpool Ionics Dataset.

Both land in ``external_conductivities`` beside the curated rows. Upper bounds
("<1E-10") are kept as bounds. The same measurement in both datasets (OBELiX's
"Liion ID", or the same composition, DOI and temperature) is linked with
``duplicate_of`` instead of being counted twice; an entry that repeats a
curated conductivity (same composition, same DOI) is linked with
``curated_material_id``. An import is one transaction, and bad rows are errors
that name file, row, field, value and reason.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

from .errors import Issue, MatkbError, ValidationFailed
from .records import citable, display_path
from .store import IngestReport, Store

DATASETS = {
    "obelix": {
        "source_id": "obelix-2025",
        "title": "OBELiX: an experimental ionic conductivity dataset",
        "year": 2025,
        "authors": "Therrien et al.",
        "csv": "train.csv",
        "columns": ("ID", "Reduced Composition", "True Composition", "Ionic conductivity (S cm-1)", "Space group #", "DOI"),
    },
    "liverpool": {
        "source_id": "liverpool-ionics",
        "title": "Liverpool Ionics Dataset",
        "year": None,
        "authors": None,
        "csv": "LiIonDatabase.csv",
        "columns": ("ID", "composition", "source", "temperature", "target"),
    },
}
ROOM_TEMPERATURE_C = 25.0
#: physically possible lattice parameters (Angstrom, degrees): a cell edge is positive and no unit cell of an
#: electrolyte is 200 A long; an angle lies strictly between 0 and 180 degrees
LATTICE_LIMITS = {**dict.fromkeys(("a", "b", "c"), (0.5, 200.0)), **dict.fromkeys(("alpha", "beta", "gamma"), (1.0, 179.0))}


def _source_row(dataset: str) -> dict:
    d = DATASETS[dataset]
    return {
        "source_id": d["source_id"], "doi": None, "title": d["title"], "year": d["year"], "journal": None,
        "authors": d["authors"], "kind": "dataset", "verification": "source-checked", "checked_url": None,
        "note": "external dataset imported with `matkb import`; identity read in the dataset's own README "
                "(no DOI given there); each entry carries the DOI of its measurement",
        "origin": f"matkb import {dataset}",
        "citable": citable(None, d["title"], d["year"], "dataset", None, None, None),
    }


def _csv_path(path: str | os.PathLike, dataset: str) -> Path:
    p = Path(path)
    csv_path = p / DATASETS[dataset]["csv"] if p.is_dir() else p
    if not csv_path.is_file():
        raise MatkbError(f"{csv_path}: no such file (give the {dataset} CSV, or the folder that holds {DATASETS[dataset]['csv']})")
    return csv_path


class _RowErrors:
    def __init__(self, file: str):
        self.file, self.issues = file, []

    def add(self, line: int, fld: str, value, msg: str) -> None:
        self.issues.append(Issue("error", self.file, f"row {line}", fld, "" if value is None else str(value), msg, "import"))


def _float(errs: _RowErrors, line: int, fld: str, text: str | None, *, required: bool = False, positive: bool = False):
    if text is None or str(text).strip() == "":
        if required:
            errs.add(line, fld, text, "is empty")
        return None
    try:
        v = float(text)
    except ValueError:
        errs.add(line, fld, text, "is not a number")
        return None
    if not math.isfinite(v) or (positive and v <= 0):
        errs.add(line, fld, text, "must be a finite positive number" if positive else "must be finite")
        return None
    return v


def _within(errs: _RowErrors, line: int, fld: str, text: str | None, lo: float, hi: float, *, integer: bool = False):
    """A number that must lie in [lo, hi] (a lattice length, an angle, a space-group number); out of range is an error."""
    v = _float(errs, line, fld, text)
    if v is None:
        return None
    if not lo <= v <= hi or (integer and v != int(v)):
        errs.add(line, fld, text, f"must be {'an integer ' if integer else ''}from {lo:g} to {hi:g}")
        return None
    return int(v) if integer else v


def _conductivity(errs: _RowErrors, line: int, fld: str, text: str | None, *, required: bool = True) -> float | None:
    """A conductivity in S/cm within the vocabulary's physical limits."""
    from .vocab import quantities

    v = _float(errs, line, fld, text, required=required, positive=True)
    if v is not None and (why := quantities()["conductivity"].violation(v)):
        errs.add(line, fld, text, f"{why} (the column is in S/cm)")
        return None
    return v


def _sigma(errs: _RowErrors, line: int, fld: str, text: str | None) -> tuple[float | None, str]:
    t = (text or "").strip()
    if t.startswith("<"):
        return _conductivity(errs, line, fld, t[1:]), "<"
    return _conductivity(errs, line, fld, t), "="


def _formula(errs: _RowErrors, line: int, fld: str, text: str | None) -> tuple[str | None, str | None]:
    """Reduced formula and chemical system. Glass compositions written as mixtures of
    components, '"(Li2O)50 (Al2O3)4 (P2O5)46"', are read as the sum of their parts."""
    from .chem import composition

    try:
        comp = composition("".join((text or "").strip().strip('"').split()))
    except ValueError as exc:
        errs.add(line, fld, text, str(exc))
        return None, None
    return comp.reduced_formula, comp.chemical_system


def _records(csv_path: Path, errs: _RowErrors, dataset: str):
    """(line, entry id, record) for every CSV row with an ID; a repeated ID gets '#row<line>' appended
    (the published Liverpool file reuses ID 922 for two different entries). A file without the dataset's
    columns is one error at its header, not one per row."""
    seen: set[str] = set()
    with open(csv_path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in DATASETS[dataset]["columns"] if c not in (reader.fieldnames or [])]
        if missing:
            errs.issues.append(Issue("error", errs.file, "header", "columns", ", ".join(missing),
                                     f"missing; is this the {dataset} CSV ({DATASETS[dataset]['csv']})?", "import"))
            return
        for line, rec in enumerate(reader, start=2):
            eid = (rec.get("ID") or "").strip()
            if not eid:
                errs.add(line, "ID", eid, "is empty")
                continue
            if eid in seen:
                eid = f"{eid}#row{line}"
            seen.add(eid)
            yield line, eid, rec


def read_obelix(path: str | os.PathLike) -> tuple[list[dict], list[Issue]]:
    csv_path = _csv_path(path, "obelix")
    errs = _RowErrors(display_path(csv_path))
    cif_dir = csv_path.parent / "train_cifs"
    rows = []
    for line, eid, rec in _records(csv_path, errs, "obelix"):
        sigma, qual = _sigma(errs, line, "Ionic conductivity (S cm-1)", rec.get("Ionic conductivity (S cm-1)"))
        reduced, chemsys = _formula(errs, line, "True Composition", rec.get("True Composition") or rec.get("Reduced Composition"))
        sg_num = _within(errs, line, "Space group #", rec.get("Space group #"), 1, 230, integer=True)
        cif_file = cif_dir / f"{eid}.cif"
        liion = _float(errs, line, "Liion ID", rec.get("Liion ID"))
        rows.append({
            "entry_key": f"obelix:{eid}", "dataset": "obelix", "entry_id": eid, "source_id": DATASETS["obelix"]["source_id"],
            "composition": rec.get("True Composition") or rec.get("Reduced Composition"),
            "reduced_formula": reduced, "chemical_system": chemsys, "family": rec.get("Family") or None,
            "sigma_S_cm": sigma, "sigma_qualifier": qual,
            "sigma_total_S_cm": _conductivity(errs, line, "IC (Total)", rec.get("IC (Total)"), required=False),
            "sigma_bulk_S_cm": _conductivity(errs, line, "IC (Bulk)", rec.get("IC (Bulk)"), required=False),
            "temperature_C": ROOM_TEMPERATURE_C, "temperature_qualifier": "~",
            "space_group": rec.get("Space group") or None, "space_group_number": sg_num,
            **{col: _within(errs, line, src, rec.get(src), *LATTICE_LIMITS[src]) for col, src in
               (("a_A", "a"), ("b_A", "b"), ("c_A", "c"), ("alpha_deg", "alpha"), ("beta_deg", "beta"), ("gamma_deg", "gamma"))},
            "doi": (rec.get("DOI") or "").strip().lower() or None,
            "cif": cif_file.read_text(encoding="utf-8", errors="replace") if cif_file.is_file() else None,
            "cross_ref": str(int(liion)) if liion is not None else None,
            "origin": errs.file,
        })
    return rows, errs.issues


def read_liverpool(path: str | os.PathLike) -> tuple[list[dict], list[Issue]]:
    csv_path = _csv_path(path, "liverpool")
    errs = _RowErrors(display_path(csv_path))
    rows = []
    for line, eid, rec in _records(csv_path, errs, "liverpool"):
        sigma, qual = _sigma(errs, line, "target", rec.get("target"))
        temp = _float(errs, line, "temperature", rec.get("temperature"), required=True)
        if temp is not None and temp < -273.15:
            errs.add(line, "temperature", rec.get("temperature"), "is below absolute zero (the column is in degC)")
        reduced, chemsys = _formula(errs, line, "composition", rec.get("composition"))
        rows.append({
            "entry_key": f"liverpool:{eid}", "dataset": "liverpool", "entry_id": eid, "source_id": DATASETS["liverpool"]["source_id"],
            "composition": rec.get("composition"), "reduced_formula": reduced, "chemical_system": chemsys,
            "family": rec.get("family") or None, "sigma_S_cm": sigma, "sigma_qualifier": qual,
            "sigma_total_S_cm": None, "sigma_bulk_S_cm": None, "temperature_C": temp, "temperature_qualifier": "=",
            "space_group": None, "space_group_number": None, "a_A": None, "b_A": None, "c_A": None,
            "alpha_deg": None, "beta_deg": None, "gamma_deg": None,
            "doi": (rec.get("source") or "").strip().lower() or None, "cif": None, "cross_ref": None,
            "origin": errs.file,
        })
    return rows, errs.issues


def link(rows: list[dict], curated: dict[tuple[str, str], str]) -> list[str]:
    """Set ``duplicate_of`` and ``curated_material_id`` in place (deterministically); return the OBELiX entries
    whose "Liion ID" names a Liverpool entry of another composition or paper (not used for linking).

    "Same composition" is :func:`matkb.chem.composition_key` (element fractions), so a unit-cell formula
    matches its reduced one.

    * a Liverpool entry with the composition and DOI of an OBELiX entry repeats it when that OBELiX entry
      names it by "Liion ID" or when it was measured at room temperature (20-30 degC);
    * within one dataset, the same composition, DOI, temperature and value repeat the first entry;
    * ``curated`` maps (formula, DOI) to the curated material measured in that paper.
    """
    from .chem import composition_key

    keys = {r["entry_key"]: (composition_key(r["reduced_formula"]), r["doi"]) if r["reduced_formula"] and r["doi"] else None
            for r in rows}

    def key(r: dict) -> tuple | None:
        return keys[r["entry_key"]]

    curated_by_key = {(composition_key(formula), doi.lower()): mid for (formula, doi), mid in curated.items()}
    for r in rows:
        r["duplicate_of"] = None
        r["curated_material_id"] = curated_by_key.get(key(r)) if key(r) else None
    obelix = sorted((r for r in rows if r["dataset"] == "obelix"), key=lambda r: r["entry_key"])
    liverpool = {r["entry_id"]: r for r in rows if r["dataset"] == "liverpool"}
    by_ref: dict[str, str] = {}
    by_doc: dict[tuple, str] = {}
    mismatched = []
    for r in obelix:  # several OBELiX entries may name one Liverpool entry: the first (by key) wins
        named = liverpool.get(r["cross_ref"]) if r["cross_ref"] else None
        if named is not None and key(named) is not None and key(named) == key(r):
            by_ref.setdefault(r["cross_ref"], r["entry_key"])
        elif named is not None:
            mismatched.append(r["entry_key"])
        if key(r):
            by_doc.setdefault(key(r), r["entry_key"])
    seen: dict[tuple, str] = {}
    for r in sorted(rows, key=lambda r: (r["dataset"] != "obelix", r["entry_key"])):
        if r["dataset"] == "liverpool":
            target = by_ref.get(r["entry_id"])
            if target is None and key(r) and r["temperature_C"] is not None and 20 <= r["temperature_C"] <= 30:
                target = by_doc.get(key(r))
            if target is not None:
                r["duplicate_of"] = target
                continue
        same = (r["dataset"], key(r) or (r["reduced_formula"], r["doi"]), r["temperature_C"], r["sigma_S_cm"])
        if same in seen:
            r["duplicate_of"] = seen[same]
        else:
            seen[same] = r["entry_key"]
    return mismatched


def import_dataset(store: Store, dataset: str, path: str | os.PathLike, *, progress=None) -> IngestReport:
    """Read, check, link and write one external dataset in one transaction."""
    reader = {"obelix": read_obelix, "liverpool": read_liverpool}[dataset]
    rows, issues = reader(path)
    if issues:
        raise ValidationFailed(issues)
    others = store.sql("SELECT * FROM external_conductivities WHERE dataset <> ?", [dataset]).to_dict("records")
    for r in others:
        for k, v in r.items():
            if isinstance(v, float) and math.isnan(v):
                r[k] = None
        if r.get("space_group_number") is not None:
            r["space_group_number"] = int(r["space_group_number"])
    curated = {
        (formula, doi): mid
        for formula, doi, mid in store.con.execute(
            "SELECT DISTINCT m.reduced_formula, s.doi, m.material_id FROM properties p JOIN materials m USING (material_id) "
            "JOIN sources s USING (source_id) WHERE p.property = 'ionic_conductivity' AND s.doi IS NOT NULL AND m.reduced_formula IS NOT NULL"
        ).fetchall()
    }
    mismatched = link(rows + others, curated)
    report = IngestReport(files=[rows[0]["origin"]] if rows else [])
    if mismatched:
        named = sum(1 for r in rows + others if r["dataset"] == "obelix" and r["cross_ref"])
        report.warnings.append(Issue(
            "warning", display_path(_csv_path(path, dataset)), "OBELiX column \"Liion ID\"", "cross_ref", f"{len(mismatched)} of {named}",
            f"{len(mismatched)} of the {named} OBELiX entries that name a Liverpool entry name one of another composition or "
            f"paper (e.g. {', '.join(mismatched[:3])}); those references were not used to link duplicates", "import"))
    # a curated record of the dataset (datasets/ cites OBELiX for numbers read in it) says more than the stub
    curated_source = store.con.execute("SELECT 1 FROM sources WHERE source_id = ?", [DATASETS[dataset]["source_id"]]).fetchone()
    sources = [] if curated_source else [_source_row(dataset)]
    # the import speaks for the whole dataset: entries of an earlier import that this file no longer holds are removed
    return store.write_rows({"sources": sources, "external_conductivities": rows + others}, report, progress=progress,
                            owns=lambda table, row: table == "external_conductivities" and row["dataset"] == dataset)
