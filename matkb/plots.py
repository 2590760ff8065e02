"""Figures a battery researcher looks at: Arrhenius plots, potential ladders, rankings, lifetimes.

Every function takes an open :class:`~matkb.store.Store`, returns a matplotlib ``Figure``
(axes labelled with units, a title naming the data and the store) and raises
:class:`~matkb.errors.NotFound` instead of drawing an empty figure. :func:`save` writes PNG,
SVG or PDF by the file's suffix. The CLI's ``matkb plot ...`` commands call the same functions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import MatkbError, NotFound

K_B_EV = 8.617333262e-5
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
SIZE_IN = (7.5, 5.0)
DPI = 150


def _figure(size=SIZE_IN, ncols: int = 1, **kw):
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    axes = fig.subplots(1, ncols, **kw)
    return fig, axes


def _store_label(kb) -> str:
    return Path(str(kb.path)).name


def figure_format(path: str | Path) -> str:
    """The matplotlib format for ``path``'s suffix; an error naming the path for anything but .png, .svg, .pdf."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise MatkbError(f"{path}: unsupported figure format {path.suffix or '(none)'}; use .png, .svg or .pdf")
    return fmt


def save(fig, path: str | Path) -> Path:
    """Write ``fig`` to ``path``; the suffix picks the format (.png, .svg, .pdf)."""
    path = Path(path)
    fmt = figure_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fig.savefig(tmp, format=fmt)
    tmp.replace(path)
    return path


# ------------------------------------------------------------------ Arrhenius
def arrhenius(kb, material: str):
    """ln(sigma T) against 1000/T for every stored ionic conductivity of ``material``, marked by source.

    Each source with two or more temperatures gets its own least-squares line and activation energy
    (with its standard error when it has three or more points); stored activation energies are listed
    beside them. Bounds ("> 1e-3") are drawn hollow and left out of the fits.
    """
    mid = kb.resolve_material(material)
    df = kb.sql("SELECT value AS sigma_S_cm, qualifier, temperature_C, source_id, coalesce(component, 'total') AS component, "
                "coalesce(condition, '') AS condition FROM properties WHERE property = 'ionic_conductivity' "
                "AND material_id = ? AND temperature_C IS NOT NULL AND value > 0 ORDER BY source_id, temperature_C", [mid])
    if df.empty:
        raise NotFound(f"no ionic conductivities with a temperature are stored for {mid}: nothing to plot")
    reported = kb.sql("SELECT value, source_id FROM properties WHERE material_id = ? AND property = 'activation_energy' "
                      "ORDER BY source_id", [mid])
    from .chem import arrhenius_activation_energy

    fig, ax = _figure()
    T = df.temperature_C.to_numpy(float) + 273.15
    x, y = 1000.0 / T, np.log(df.sigma_S_cm.to_numpy(float) * T)
    exact = df.qualifier.isin(["=", "~"]).to_numpy()
    lines = []
    colors = _colors(df.source_id.unique())
    for src, g in df.groupby("source_id", sort=True):
        idx = g.index.to_numpy()
        c = colors[src]
        ax.scatter(x[idx[exact[idx]]], y[idx[exact[idx]]], color=c, label=src, zorder=3)
        if (~exact[idx]).any():
            ax.scatter(x[idx[~exact[idx]]], y[idx[~exact[idx]]], facecolors="none", edgecolors=c, zorder=3)
        # one line per component and condition: rows of another phase or sample share no slope (as in `validate`)
        for (_comp, cond), h in g.groupby(["component", "condition"], sort=True):
            fit = h.index.to_numpy()[exact[h.index.to_numpy()]]
            if len(np.unique(T[fit])) < 2:
                continue
            ea, se = arrhenius_activation_energy(T[fit] - 273.15, df.sigma_S_cm.to_numpy(float)[fit])
            slope, icpt = np.polyfit(x[fit], y[fit], 1)
            xs = np.linspace(x[fit].min(), x[fit].max(), 20)
            ax.plot(xs, slope * xs + icpt, color=c, lw=1.2)
            where = f" [{cond[:40]}]" if g.condition.nunique() > 1 else ""
            lines.append(f"{src}{where}: fit {ea:.3f}" + (f" ± {se:.3f}" if se else "") + " eV")
    for r in reported.itertuples():
        lines.append(f"{r.source_id}: reported {r.value:.3f} eV")
    if not lines:
        lines.append("no source gives two temperatures under one condition: no fit")
    ax.text(0.02, 0.02, "Activation energy\n" + "\n".join(lines), transform=ax.transAxes, fontsize=7, va="bottom",
            bbox={"boxstyle": "round", "fc": "white", "alpha": 0.85})
    ax.set_xlabel("1000 / T (1/K)")
    ax.set_ylabel("ln(σT / (S cm⁻¹ K))")
    top = ax.secondary_xaxis("top", functions=(lambda v: 1000.0 / np.maximum(v, 1e-9) - 273.15,
                                               lambda c: 1000.0 / (np.asarray(c) + 273.15)))
    top.set_xlabel("temperature (°C)")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="source (hollow: bound)", title_fontsize=7)
    ax.set_title(f"Arrhenius plot of {mid}: {len(df)} ionic conductivities from {df.source_id.nunique()} source(s) "
                 f"[{_store_label(kb)}]", fontsize=9)
    return fig


def _colors(keys) -> dict:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if len(keys) <= 10 else "tab20"]
    return {k: cmap(i % cmap.N) for i, k in enumerate(keys)}


# ------------------------------------------------------------------ potential ladder
def ladder(kb, stack: str, cell_type: str | None = None):
    """Each layer of ``stack`` at its redox/lithiation/reduction potential vs Li/Li+, with the blocking verdicts."""
    from .ladder import describe_stack

    report = describe_stack(kb, stack, cell_type)
    known = [lay for lay in report.layers if lay.level is not None]
    if not known:
        raise NotFound(f"no layer of {stack} has a stored potential: nothing to plot")
    fig, ax = _figure((max(6.0, 1.3 * len(report.layers) + 2), 5.0))
    xs = np.arange(len(report.layers))
    for x, lay in zip(xs, report.layers, strict=True):
        if lay.level is None and lay.conduction_class in ("metallic", "mixed_conducting"):
            ax.hlines(0.0, x - 0.38, x + 0.38, color="C0", lw=3, ls=":")
            ax.text(x, 0.08, "0.00 V\n(metal: the Li it touches)", ha="center", va="bottom", fontsize=7)
            continue
        if lay.level is None:
            ax.text(x, 0.1, "no stored\npotential", ha="center", fontsize=7, color="0.4")
            continue
        v = lay.level.value_V
        ax.hlines(v, x - 0.38, x + 0.38, color="0.15" if lay.role == "electrolyte" else "C0", lw=3)
        ax.text(x, v + 0.08, f"{v:.2f} V\n({lay.level.property.replace('_', ' ')})", ha="center", va="bottom", fontsize=7)
    for rung in report.ladder:
        color = "C2" if rung.blocks else "C3"
        electrolytes = [k for k, lay in enumerate(report.layers) if lay.name == rung.electrolyte]
        for i in (k for k, lay in enumerate(report.layers) if lay.name == rung.layer):  # each side of a symmetric cell
            j = min(electrolytes, key=lambda k, i=i: abs(k - i))
            if rung.layer_potential_V is None:  # decided without a level: an insulator blocks whatever its potential
                if rung.blocks:
                    ax.text((i + j) / 2, rung.electrolyte_reduction_V / 2, "insulator:\nblocks", color=color, fontsize=7,
                            ha="center", bbox={"fc": "white", "ec": "none", "alpha": 0.8})
                continue
            ax.annotate("", xy=(j, rung.electrolyte_reduction_V), xytext=(i, rung.layer_potential_V),
                        arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.2, "ls": "--"})
            ax.text((i + j) / 2, (rung.layer_potential_V + rung.electrolyte_reduction_V) / 2,
                    f"{rung.gap_V:+.2f} V\n{'blocks' if rung.blocks else 'reduces'}", color=color, fontsize=7, ha="center",
                    bbox={"fc": "white", "ec": "none", "alpha": 0.8})
    ax.set_xticks(xs, [f"{lay.token}\n{lay.role.replace('_', ' ')}" for lay in report.layers], fontsize=8)
    ax.set_ylabel("potential vs Li/Li⁺ (V)")
    ax.set_xlabel("layer, anode side to cathode side (role)")
    levels = [lay.level.value_V for lay in known] + [0.0]
    ax.set_ylim(min(-0.3, min(levels) - 0.3), max(levels) + 0.7)
    ax.set_xlim(-0.6, len(xs) - 0.4)
    ax.axhline(0, color="0.7", lw=0.8, zorder=0)
    ax.set_title(f"Potential ladder of {stack} ({report.cell_type}) [{_store_label(kb)}]\nblack bar: the electrolyte's "
                 "reduction onset; an electronic insulator blocks whatever its own potential\n"
                 "arrows: green = electrons blocked, red = electrolyte reduced", fontsize=9)
    return fig


# ------------------------------------------------------------------ ranking
#: how far (a factor on the log axis) an open interval's dotted end reaches past the longest test
OPEN_END = 2.0

def ranking(kb, electrolyte: str = "LATP", top: int = 15, model=None, card=None, **conditions):
    """The best ``top`` candidates: predicted median lifetime with its interquartile interval, coloured by class,
    with the physics baseline's score in a second panel."""
    from .models.stability import rank

    if top < 1:
        raise MatkbError("top must be at least 1")
    df = rank(kb, electrolyte=electrolyte, model=model, card=card, top=top, **conditions)
    if df.empty:
        raise NotFound(f"no candidates ranked for {electrolyte}")
    df = df.iloc[::-1].reset_index(drop=True)  # best at the top of the chart
    fig, (ax, ax2) = _figure((9.0, max(4.0, 0.32 * len(df) + 1.5)), ncols=2, sharey=True, width_ratios=[3, 1])
    classes = df["class"].fillna("unknown").tolist()
    colors = _colors(sorted(set(classes)))
    ys = np.arange(len(df))
    for y, r in zip(ys, df.itertuples(), strict=True):
        c = colors[classes[y]]
        lo, hi, med = r.lower_h, r.upper_h, r.predicted_lifetime_h
        ax.plot([lo, hi], [y, y], color=c, lw=2, alpha=0.6)
        if r.upper_qualifier == ">":  # the upper quartile lies beyond the longest test: the interval is open
            ax.plot([hi, hi * OPEN_END], [y, y], color=c, lw=1.5, ls=":", alpha=0.8)
        ax.scatter([med], [y], color=c, marker=">" if r.qualifier == ">" else "o", zorder=3)
    for cls, c in colors.items():
        ax.scatter([], [], color=c, label=cls)
    fig.legend(*ax.get_legend_handles_labels(), fontsize=7, loc="outside lower center", ncols=min(len(colors), 4),
               title="class", title_fontsize=7)  # below the panels, off the intervals
    ax.set_yticks(ys, [f"{r.candidate}{'' if r.in_domain else ' (out of domain)'}" for r in df.itertuples()], fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("predicted symmetric-cell lifetime (h)\n● median, ▶ median beyond the longest test;\n"
                  "line: interquartile interval, dotted where it runs beyond the longest test")
    ax2.barh(ys, df.physics_score.fillna(0.0), color=[colors[k] for k in classes])
    ax2.axvline(0, color="0.5", lw=0.8)
    ax2.set_xlabel("physics score\n(gap in V; +1 if Li-stable)")
    cond = ", ".join(f"{k.replace('_', ' ')} {v:g}" for k, v in conditions.items() if v is not None)
    fig.suptitle(f"Top {len(df)} interlayer candidates for {electrolyte}{' at ' + cond if cond else ''} [{_store_label(kb)}]", fontsize=9)
    return fig


# ------------------------------------------------------------------ lifetimes
def lifetimes(kb, electrolyte: str | None = None, working_ion: str | None = None):
    """Symmetric-cell lifetime against current density for every stored cell; censored results drawn as lower bounds."""
    from .vocab import vocabulary

    where, params = ["s.lifetime_h IS NOT NULL"], []
    if electrolyte:
        where.append("s.electrolyte_id = ?")
        params.append(kb.resolve_material(electrolyte))
    if working_ion:
        ions = {ion.lower(): ion for ion in vocabulary()["working_ions"]}
        if working_ion.strip().lower() not in ions:
            raise MatkbError(f"working ion {working_ion!r} is not one of {', '.join(ions.values())}")
        working_ion = ions[working_ion.strip().lower()]
        where.append("s.working_ion = ?")
        params.append(working_ion)
    every = kb.sql("SELECT s.*, coalesce(m.class, 'bare (no interlayer)') AS interlayer_class FROM symmetric_lifetimes s "
                   "LEFT JOIN materials m ON m.material_id = s.interlayer_id WHERE " + " AND ".join(where), params)
    df = every[every.current_density_mA_cm2.notna()]
    if df.empty:
        what = " and ".join(filter(None, [f"electrolyte {electrolyte}" if electrolyte else "", f"{working_ion} cells" if working_ion else ""]))
        raise NotFound(f"no symmetric-cell lifetimes with a current density are stored{' for ' + what if what else ''}: nothing to plot")
    fig, ax = _figure((8.0, 5.5))
    colors = _colors(sorted(df.interlayer_class.unique()))
    markers = _electrolyte_markers(df.electrolyte_id.fillna("?"))
    arrow = 1.6  # a bound's arrow spans this factor of its lifetime (log axis)
    upper = df.lifetime_qualifier.isin(["<", "<="]).to_numpy()
    # where each point's arrow ends: up for a censored result (still cycling), down for '<' (failed before), else none
    reach = np.where(df.censored.astype(bool), df.lifetime_h * arrow, np.where(upper, df.lifetime_h / arrow, df.lifetime_h))
    for r, end in zip(df.itertuples(), reach, strict=True):
        c, m = colors[r.interlayer_class], markers.get(r.electrolyte_id or "?", OTHER_MARKER)
        if r.censored:  # a lower bound: hollow
            ax.scatter(r.current_density_mA_cm2, r.lifetime_h, marker=m, facecolors="none", edgecolors=c, zorder=3)
        else:
            ax.scatter(r.current_density_mA_cm2, r.lifetime_h, marker=m, color=c, zorder=3)
        if end != r.lifetime_h:
            ax.annotate("", xy=(r.current_density_mA_cm2, end), xytext=(r.current_density_mA_cm2, r.lifetime_h),
                        arrowprops={"arrowstyle": "->", "color": c, "lw": 0.8})
    ax.set_ylim(reach.min() / 1.5, reach.max() * 1.5)  # the arrows' tips inside the frame
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color=c, label=k) for k, c in colors.items()]  # colour: interlayer class; marker: electrolyte
    handles += [Line2D([], [], ls="", marker=m, color="0.3", label=k) for k, m in markers.items()]
    if len(markers) < df.electrolyte_id.fillna("?").nunique():
        handles.append(Line2D([], [], ls="", marker=OTHER_MARKER, color="0.3", label="other electrolytes"))
    handles += [Line2D([], [], ls="", marker="o", mfc="none", color="0.3", label="censored (still cycling: ↑ lower bound)")]
    if upper.any():
        handles += [Line2D([], [], ls="", marker="o", color="0.3", label="failed before (↓ upper bound, '<')")]
    ax.legend(handles=handles, fontsize=6, loc="center left", bbox_to_anchor=(1.01, 0.5), title="interlayer class / electrolyte",
              title_fontsize=7)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("current density (mA cm⁻²)")
    ax.set_ylabel("lifetime (h)")
    n_c, missing = int(df.censored.sum()), len(every) - len(df)
    scope = " ".join(filter(None, [f"of {working_ion} cells" if working_ion else "", f"on {electrolyte}" if electrolyte else ""]))
    ax.set_title(f"Symmetric-cell lifetimes{' ' + scope if scope else ''}: {len(df)} results ({n_c} censored) from "
                 f"{df.source_id.nunique()} papers [{_store_label(kb)}]"
                 + (f"\n{missing} more stated without a current density are not drawn" if missing else ""), fontsize=9)
    return fig


#: one distinct filled marker per electrolyte ('o' is kept for the "censored" key), and one for the rest
ELECTROLYTE_MARKERS = "sD^vP*XhH<>pd8"
OTHER_MARKER = "."


def _electrolyte_markers(electrolytes) -> dict:
    """A distinct marker for each electrolyte with the most results (ties by name); when there are more electrolytes
    than markers, the rest share :data:`OTHER_MARKER` (absent from the returned map)."""
    counts = electrolytes.value_counts()
    ranked = sorted(counts.index, key=lambda k: (-counts[k], k))
    keep = ranked if len(ranked) <= len(ELECTROLYTE_MARKERS) else ranked[:len(ELECTROLYTE_MARKERS) - 1]
    return dict(zip(keep, ELECTROLYTE_MARKERS, strict=False))


KINDS = ("arrhenius", "ladder", "ranking", "lifetimes")
