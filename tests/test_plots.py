"""Every plot rendered to a real file from the shipped data; empty inputs are errors, not empty figures."""

from __future__ import annotations

import struct
import subprocess
import xml.etree.ElementTree as ET

import matplotlib
import pytest

from matkb import plots
from matkb.errors import MatkbError, NotFound
from matkb.models.stability import train
from matkb.store import Store

from .conftest import MATERIALS, MATKB

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def kb_path(shipped_db):
    return shipped_db


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize(("kind", "make", "size_in"), [
    ("arrhenius", lambda kb: plots.arrhenius(kb, "LATP"), plots.SIZE_IN),
    ("ladder", lambda kb: plots.ladder(kb, "Li/IL@PB@LATP/Li"), None),
    ("lifetimes", lambda kb: plots.lifetimes(kb), (8.0, 5.5)),
    ("lifetimes-li-latp", lambda kb: plots.lifetimes(kb, electrolyte="LATP", working_ion="Li"), (8.0, 5.5)),
])
def test_plots_render_valid_png_of_the_expected_size(kb_path, tmp_path, kind, make, size_in):
    with Store(kb_path, read_only=True) as kb:
        fig = make(kb)
    assert fig.axes[0].get_xlabel() and fig.axes[0].get_ylabel()
    title = fig.axes[0].get_title() or fig._suptitle.get_text()
    assert "kb.duckdb" in title  # says which store
    out = plots.save(fig, tmp_path / f"{kind}.png")
    w, h = png_size(out)
    fw, fh = fig.get_size_inches()
    assert (w, h) == (round(fw * plots.DPI), round(fh * plots.DPI))
    if size_in:
        assert (fw, fh) == size_in


def test_arrhenius_fits_the_founding_study_slope(kb_path):
    with Store(kb_path, read_only=True) as kb:
        fig = plots.arrhenius(kb, "LATP")
    box = [t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("Activation energy")][0]
    assert "pb-latp-seed: fit 0.573 eV" in box and "pb-latp-seed: reported 0.411 eV" in box


@pytest.mark.parametrize(("stack", "verdict", "color"), [("Li/IL@PB@LATP/Li", "blocks", "C2"), ("Li/LATP/Li", "reduces", "C3")])
def test_ladder_of_a_symmetric_cell_draws_the_verdict_on_both_sides(kb_path, stack, verdict, color):
    """One arrow per side of the electrolyte, coloured by the verdict; the electrolyte's own bar is neither verdict colour."""
    from matplotlib.colors import same_color
    from matplotlib.text import Annotation

    with Store(kb_path, read_only=True) as kb:
        ax = plots.ladder(kb, stack).axes[0]
    electrolyte = [t.get_text() for t in ax.get_xticklabels()].index("LATP\nelectrolyte")
    arrows = [a for a in ax.get_children() if isinstance(a, Annotation)]
    assert len(arrows) == 2 and all(same_color(a.arrow_patch.get_edgecolor(), color) for a in arrows)
    assert [a.xy[0] for a in arrows] == [electrolyte, electrolyte]  # both point at the electrolyte ...
    starts = sorted(a.xyann[0] for a in arrows)
    assert starts[0] < electrolyte < starts[1]  # ... one from each side
    assert sum(t.get_text().endswith(f"V\n{verdict}") for t in ax.texts) == 2
    bars = [c for c in ax.collections if c.get_segments()]
    assert not any(same_color(b.get_color()[0], c) for b in bars for c in ("C2", "C3"))


def test_lifetimes_legend_gives_each_electrolyte_its_own_marker(kb_path):
    """Markers tell electrolytes apart, so no two share one, and none is the hollow circle that keys 'censored'; when
    there are more electrolytes than markers, the least reported share an 'other electrolytes' key."""
    with Store(kb_path, read_only=True) as kb:
        ax = plots.lifetimes(kb).axes[0]
        n_electrolytes = kb.sql("SELECT count(DISTINCT electrolyte_id) AS n FROM symmetric_lifetimes "
                                "WHERE lifetime_h IS NOT NULL AND current_density_mA_cm2 IS NOT NULL").n[0]
    keyed = [(h.get_label(), h.get_marker()) for h in ax.get_legend().legend_handles if hasattr(h, "get_marker")]
    electrolytes = [(label, m) for label, m in keyed if not label.startswith(("censored", "other", "failed before"))]
    assert len({m for _, m in electrolytes}) == len(electrolytes) and "o" not in {m for _, m in electrolytes}
    assert n_electrolytes > len(plots.ELECTROLYTE_MARKERS)  # the shipped store has more: the shared key must appear
    assert ("other electrolytes", plots.OTHER_MARKER) in keyed and len(electrolytes) == len(plots.ELECTROLYTE_MARKERS) - 1


def test_ranking_plot_and_svg_pdf_outputs(kb_path, tmp_path):
    with Store(kb_path, read_only=True) as kb:
        model, card, _ = train(kb, bootstrap=0)
        fig = plots.ranking(kb, "LATP", top=8, model=model, card=card)
    assert len(fig.axes[0].get_yticklabels()) == 8
    svg = plots.save(fig, tmp_path / "r.svg")
    assert ET.parse(svg).getroot().tag.endswith("svg")
    pdf = plots.save(fig, tmp_path / "r.pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 5000
    with pytest.raises(MatkbError, match="unsupported figure format .jpg"):
        plots.save(fig, tmp_path / "r.jpg")


def test_empty_inputs_are_clear_errors(seeded, tmp_path):
    with Store(tmp_path / "bare.duckdb") as kb:  # materials only: no potentials at all
        kb.ingest([MATERIALS])
        with pytest.raises(NotFound, match="no layer of Au/LAGP/Au has a stored potential"):
            plots.ladder(kb, "Au/LAGP/Au")
    with Store(seeded, read_only=True) as kb:
        with pytest.raises(NotFound, match="no ionic conductivities .* PB"):
            plots.arrhenius(kb, "PB")
        with pytest.raises(NotFound, match="no symmetric-cell lifetimes .* LAGP"):
            plots.lifetimes(kb, electrolyte="LAGP")


def test_plot_cli_writes_the_file_and_fails_cleanly(kb_path, tmp_path):
    out = tmp_path / "ladder.png"
    res = subprocess.run([*MATKB, "--db", str(kb_path), "plot", "ladder", "Li/IL@PB@LATP/Li", "--out", str(out)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert png_size(out)[0] > 500
    res = subprocess.run([*MATKB, "--db", str(kb_path), "plot", "arrhenius", "PB", "--out", str(tmp_path / "a.png")],
                         capture_output=True, text=True)
    assert res.returncode == 1 and "no ionic conductivities" in res.stderr and not (tmp_path / "a.png").exists()


def test_plot_ranking_refuses_a_bad_format_before_training_a_model(kb_path, tmp_path):
    """The figure format is checked first: no model is trained (or written) for a figure that cannot be saved."""
    import os

    env = {**os.environ, "MATKB_HOME": str(tmp_path / "home")}
    res = subprocess.run([*MATKB, "--db", str(kb_path), "plot", "ranking", "--out", str(tmp_path / "r.jpg")],
                         capture_output=True, text=True, env=env)
    assert res.returncode == 1 and "unsupported figure format .jpg" in res.stderr
    assert "training" not in res.stderr and not (tmp_path / "home" / "models").exists()


def test_lifetimes_keep_bounds_inside_the_frame_and_say_what_is_not_drawn(kb_path):
    """Every arrow tip of a censored (up) or '<' (down) result lies inside the axes; results stated without a current
    density are counted in the title instead of vanishing; the working ion is matched without regard to case."""
    from matplotlib.patches import FancyArrowPatch

    with Store(kb_path, read_only=True) as kb:
        fig = plots.lifetimes(kb, working_ion="na")
        missing = kb.sql("SELECT count(*) AS n FROM symmetric_lifetimes WHERE working_ion = 'Na' "
                         "AND lifetime_h IS NOT NULL AND current_density_mA_cm2 IS NULL").n[0]
        with pytest.raises(MatkbError, match="working ion 'K' is not one of Li, Na"):
            plots.lifetimes(kb, working_ion="K")
    ax = fig.axes[0]
    lo, hi = ax.get_ylim()
    tips = [a.xy[1] for a in ax.texts if hasattr(a, "xy") and isinstance(getattr(a, "arrow_patch", None), FancyArrowPatch)]
    assert tips and all(lo < y < hi for y in tips)
    assert missing > 0 and f"{missing} more stated without a current density are not drawn" in ax.get_title()
    assert "of Na cells" in ax.get_title()
    assert any("upper bound" in t.get_text() for t in ax.get_legend().get_texts())  # a '<10 h' Na cell


def test_arrhenius_plot_draws_no_line_across_phases_or_samples(kb_path):
    """LZP's three rapid-cooling rows are a triclinic phase, a quenched sample and the rhombohedral phase: no fit joins
    them (before: 0.885 +/- 1.441 eV through all three)."""
    with Store(kb_path, read_only=True) as kb:
        ax = plots.arrhenius(kb, "LZP").axes[0]
    box = next(t.get_text() for t in ax.texts if t.get_text().startswith("Activation energy"))
    assert "rapidcooling-lzp" not in box and not ax.get_lines()


def test_ranking_plot_draws_open_intervals_and_keeps_its_key_off_them(kb_path):
    """Every library interval ran 2000 to 2000 h (nothing drawn); an interval that runs beyond the longest test is now
    drawn dotted, and the class key sits below the panels."""
    with Store(kb_path, read_only=True) as kb:
        fig = plots.ranking(kb, "LATP", top=10)
    ax = fig.axes[0]
    assert any(line.get_linestyle() == ":" for line in ax.get_lines())
    assert ax.get_legend() is None and fig.legends and fig.legends[0].get_title().get_text() == "class"
