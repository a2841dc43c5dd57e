"""Territories side by side: one summary per territory, as a table, CSV, JSON or chart.

The figures come from the views of :mod:`schemas.comparison` (their conventions apply:
a year's programmation is its stated total, never added across documents, and a value a
document contradicts itself about stays beside it, marked †; € per QPV inhabitant uses
the ANCT – Ci.Ville QPV population); this module only gathers them per
territory and lays them out for a person (``rich`` table, matplotlib chart) or a
program (CSV, JSON).
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TextIO

import sqlite_utils
from rich.table import Table

from quartiers.referencedata import name_words

NNBSP = "\u202f"  # narrow no-break space: French thousands separator and before €
UNKNOWN_TERRITORY = "(no territory)"
TOP_FUNDERS = 3


@dataclass(slots=True)
class YearFigures:
    """The programmation of one year and what it makes per QPV inhabitant."""

    year: int
    programmation_eur: float
    basis: str  # "stated total" | "sum of actions"
    qpv_population: int | None
    population_source: str | None
    eur_per_inhabitant: float | None
    qpv_generation: int | None = None  # contracts whose QPV population is used
    # Other values the documents give for it, and the consistency check that saw them.
    other_stated_eur: list[float] = field(default_factory=list)
    contradiction: str | None = None


@dataclass(slots=True)
class FunderShare:
    funder: str
    amount_eur: float
    share: float  # of the territory's amounts with a funder, 0-1


@dataclass(slots=True)
class TerritorySummary:
    """Everything ``quartiers compare`` shows about one territory."""

    siren: str | None
    territory: str
    name: str | None = None
    department: str | None = None
    cv2015: str | None = None
    cn2024: str | None = None
    documents: int = 0
    doc_types: dict[str, int] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    qpv_named: int = 0
    qpv_population_documents: int | None = None
    qpv_population_2015: int | None = None
    qpv_population_2024: int | None = None
    programmation: list[YearFigures] = field(default_factory=list)
    funders: list[FunderShare] = field(default_factory=list)
    partners_by_kind: dict[str, int] = field(default_factory=dict)
    findings: int = 0

    def matches(self, wanted: str) -> bool:
        """True when ``wanted`` is this territory's SIREN, label, or words of its name."""
        if wanted in (self.siren, self.cv2015, self.cn2024):
            return True
        words = name_words(wanted)
        return bool(words) and any(
            _contains(name_words(text), words) for text in (self.territory, self.name or "")
        )


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


Key = tuple[str | None, str | None]  # territory SIREN, territory label
Summaries = dict[Key, TerritorySummary]


@dataclass(frozen=True, slots=True)
class YearFilter:
    """The ``--year`` selection as an SQL condition (everything when no year is given)."""

    years: tuple[int, ...]

    def sql(self, column: str) -> str:
        if not self.years:
            return "1"
        return f"{column} IN ({', '.join('?' * len(self.years))})"

    @property
    def params(self) -> list[int]:
        return list(self.years)


def compare_territories(
    db: sqlite_utils.Database, *, territories: Sequence[str] = (), years: Sequence[int] = ()
) -> list[TerritorySummary]:
    """One summary per territory of the loaded documents, sorted by label.

    ``territories`` keeps those matching any item (SIREN, acronym, contract code, or words
    of the name); ``years`` keeps documents about those years and figures of those years
    (quartiers and reference figures are not yearly and stay).
    """
    selection = YearFilter(tuple(years))
    summaries = _documents(db, selection)
    for add in (_reference, _quartiers, _programmation, _funders, _partners, _findings):
        add(db, summaries, selection)
    found = list(summaries.values())
    if territories:
        found = [s for s in found if any(s.matches(w) for w in territories)]
    return sorted(found, key=lambda s: (s.siren is None, s.territory))


def _documents(db: sqlite_utils.Database, selection: YearFilter) -> Summaries:
    """A summary for each territory having documents of the selected years."""
    summaries: Summaries = {}
    for siren, label, doc_type, year in db.execute(
        "SELECT territory_siren, territory, doc_type, reference_year FROM document_territory "
        f"WHERE {selection.sql('reference_year')} ORDER BY reference_year",
        selection.params,
    ).fetchall():
        s = summaries.setdefault(
            (siren, label), TerritorySummary(siren=siren, territory=label or UNKNOWN_TERRITORY)
        )
        s.documents += 1
        kind = doc_type or "other"
        s.doc_types[kind] = s.doc_types.get(kind, 0) + 1
        if year is not None and year not in s.years:
            s.years.append(year)
    return summaries


_REFERENCE_FIELDS = (
    "name",
    "department",
    "cv2015",
    "cn2024",
    "qpv_population_2015",
    "qpv_population_2024",
)


def _reference(db: sqlite_utils.Database, summaries: Summaries, _: YearFilter) -> None:
    """Official name, department, contracts and QPV population (``territories`` table)."""
    by_siren = {
        siren: values
        for siren, *values in db.execute(
            f"SELECT siren, {', '.join(_REFERENCE_FIELDS)} FROM territories"
        ).fetchall()
    }
    for (siren, _label), s in summaries.items():
        for name, value in zip(_REFERENCE_FIELDS, by_siren.get(siren, ()), strict=False):
            setattr(s, name, value)


def _quartiers(db: sqlite_utils.Database, summaries: Summaries, _: YearFilter) -> None:
    for siren, label, count, population in db.execute(
        "SELECT territory_siren, territory, COUNT(*), SUM(population) FROM territory_quartiers "
        "WHERE status = 'qpv' GROUP BY territory_siren, territory"
    ).fetchall():
        if s := summaries.get((siren, label)):
            s.qpv_named, s.qpv_population_documents = count, population


def _programmation(db: sqlite_utils.Database, summaries: Summaries, selection: YearFilter) -> None:
    for siren, label, *figures, others, contradiction in db.execute(
        "SELECT territory_siren, territory, year, programmation_eur, basis, qpv_population, "
        "population_source, eur_per_inhabitant, qpv_generation, other_stated_eur, "
        "contradiction "
        f"FROM programmation_per_inhabitant WHERE {selection.sql('year')} ORDER BY year",
        selection.params,
    ).fetchall():
        if s := summaries.get((siren, label)):
            other_values = json.loads(others) if others else []
            s.programmation.append(YearFigures(*figures, other_values, contradiction))


def _funders(db: sqlite_utils.Database, summaries: Summaries, selection: YearFilter) -> None:
    """Each funder's amounts over the selected years, largest first, with its share."""
    totals: dict[Key, Counter[str]] = defaultdict(Counter)
    for siren, label, funder, eur in db.execute(
        "SELECT territory_siren, territory, funder, SUM(amount_eur) FROM funder_shares "
        f"WHERE {selection.sql('year')} GROUP BY 1, 2, 3",
        selection.params,
    ).fetchall():
        totals[(siren, label)][funder] += eur or 0
    for key, amounts in totals.items():
        whole = sum(amounts.values())
        if (s := summaries.get(key)) and whole > 0:
            s.funders = [FunderShare(f, eur, eur / whole) for f, eur in amounts.most_common()]


def _partners(db: sqlite_utils.Database, summaries: Summaries, selection: YearFilter) -> None:
    for siren, label, kind, count in db.execute(
        "SELECT territory_siren, territory, kind, COUNT(DISTINCT canonical) FROM "
        f"territory_partners WHERE {selection.sql('year')} GROUP BY 1, 2, 3 ORDER BY 4 DESC, 3",
        selection.params,
    ).fetchall():
        if s := summaries.get((siren, label)):
            s.partners_by_kind[kind or "other"] = count


def _findings(db: sqlite_utils.Database, summaries: Summaries, selection: YearFilter) -> None:
    for siren, label, count in db.execute(
        "SELECT f.territory_siren, f.territory, COUNT(*) FROM territory_findings f "
        "JOIN document_territory d ON d.document = f.document "
        f"WHERE {selection.sql('d.reference_year')} GROUP BY 1, 2",
        selection.params,
    ).fetchall():
        if s := summaries.get((siren, label)):
            s.findings = count


# ------------------------------------------------------------------------ formatting


def format_eur(value: float) -> str:
    """``6286281.0`` -> "6 286 281 €", ``93.87`` -> "93,87 €" (cents only when present)."""
    decimals = 0 if float(value).is_integer() else 2
    return f"{_french_number(value, decimals)}{NNBSP}€"


def _french_number(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}".replace(",", NNBSP).replace(".", ",")


def _count(value: int | float | None) -> str:
    return "—" if value is None else _french_number(value)


def all_years(summaries: Iterable[TerritorySummary]) -> list[int]:
    """Every year with a programmation figure, in order."""
    return sorted({f.year for s in summaries for f in s.programmation})


def table_rows(summaries: Sequence[TerritorySummary]) -> list[tuple[str, list[str]]]:
    """(metric, one cell per territory) rows: the side-by-side layout, format-neutral."""

    def per_year(s: TerritorySummary, year: int) -> YearFigures | None:
        return next((f for f in s.programmation if f.year == year), None)

    rows: list[tuple[str, list[str]]] = [
        ("SIREN", [s.siren or "—" for s in summaries]),
        ("Name", [s.name or "—" for s in summaries]),
        ("Department", [s.department or "—" for s in summaries]),
        (
            "Contrats de ville (2015 / 2024)",
            [f"{s.cv2015 or '—'} / {s.cn2024 or '—'}" for s in summaries],
        ),
        (
            "Documents",
            [
                f"{s.documents} ("
                + ", ".join(f"{t} {n}" for t, n in sorted(s.doc_types.items()))
                + ")"
                for s in summaries
            ],
        ),
        ("Years covered", [", ".join(map(str, s.years)) or "—" for s in summaries]),
        ("QPV named in documents", [str(s.qpv_named) for s in summaries]),
        (
            "QPV population 2015 / 2024 (Ci.Ville)",
            [
                f"{_count(s.qpv_population_2015)} / {_count(s.qpv_population_2024)}"
                for s in summaries
            ],
        ),
        ("QPV population (documents)", [_count(s.qpv_population_documents) for s in summaries]),
    ]
    for year in all_years(summaries):
        figures = [per_year(s, year) for s in summaries]
        rows.append(
            (
                f"Programmation {year}",
                [_programmation_cell(f) for f in figures],
            )
        )
        rows.append(
            (
                f"€ per QPV inhabitant {year}",
                [
                    "—"
                    if f is None or f.eur_per_inhabitant is None
                    else format_eur(f.eur_per_inhabitant)
                    for f in figures
                ],
            )
        )
    rows += [
        (
            "Top funders (grants, breakdowns)",
            [
                "\n".join(f"{f.funder} {f.share:.0%}" for f in s.funders[:TOP_FUNDERS]) or "—"
                for s in summaries
            ],
        ),
        (
            "Partners by kind",
            [
                "\n".join(f"{kind} {n}" for kind, n in s.partners_by_kind.items()) or "—"
                for s in summaries
            ],
        ),
        ("Consistency findings", [str(s.findings) for s in summaries]),
    ]
    return rows


def _programmation_cell(f: YearFigures | None) -> str:
    """The year's figure, marked * when it adds actions up, with the values set aside."""
    if f is None:
        return "—"
    cell = format_eur(f.programmation_eur) + ("*" if f.basis != "stated total" else "")
    if f.other_stated_eur:
        cell += "\n† also stated: " + ", ".join(format_eur(v) for v in f.other_stated_eur)
    return cell


def summary_table(summaries: Sequence[TerritorySummary]) -> Table:
    """The territories side by side, one column each, for a terminal."""
    table = Table(
        title="Territories side by side",
        caption="Programmation: total stated in the documents (* sum of the year's actions; "
        "† the documents also state another value, set aside: see the consistency findings). "
        "€ per QPV inhabitant: QPV population from ANCT – Ci.Ville, else the documents.",
        show_lines=True,
    )
    table.add_column("", style="bold", min_width=22)
    for s in summaries:
        table.add_column(s.territory, overflow="fold")
    for metric, cells in table_rows(summaries):
        table.add_row(metric, *cells)
    return table


def flat_record(summary: TerritorySummary, years: Sequence[int]) -> dict[str, object]:
    """One CSV row: plain columns, one column per year and figure."""
    record: dict[str, object] = {
        "siren": summary.siren,
        "territory": summary.territory,
        "name": summary.name,
        "department": summary.department,
        "cv2015": summary.cv2015,
        "cn2024": summary.cn2024,
        "documents": summary.documents,
        "years": ";".join(map(str, summary.years)),
        "qpv_named": summary.qpv_named,
        "qpv_population_2015": summary.qpv_population_2015,
        "qpv_population_2024": summary.qpv_population_2024,
        "qpv_population_documents": summary.qpv_population_documents,
    }
    by_year = {f.year: f for f in summary.programmation}
    for year in years:
        f = by_year.get(year)
        record[f"programmation_{year}_eur"] = f.programmation_eur if f else None
        record[f"programmation_{year}_basis"] = f.basis if f else None
        record[f"programmation_{year}_also_stated_eur"] = (
            ";".join(f"{v:.0f}" for v in f.other_stated_eur) if f else None
        )
        record[f"eur_per_inhabitant_{year}"] = f.eur_per_inhabitant if f else None
    record["funders"] = ";".join(f"{f.funder}={f.amount_eur:.0f}" for f in summary.funders)
    record["partners_by_kind"] = ";".join(f"{k}={n}" for k, n in summary.partners_by_kind.items())
    record["findings"] = summary.findings
    return record


def write_csv(summaries: Sequence[TerritorySummary], out: TextIO) -> None:
    """One row per territory (a spreadsheet wants territories as rows)."""
    years = all_years(summaries)
    records = [flat_record(s, years) for s in summaries]
    if not records:
        return
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)


def to_json(summaries: Sequence[TerritorySummary]) -> str:
    return json.dumps([asdict(s) for s in summaries], ensure_ascii=False, indent=2)


# ----------------------------------------------------------------------------- chart


def plot_comparison(summaries: Sequence[TerritorySummary], path: Path) -> Path:
    """Three small multiples: programmation per year, € per QPV inhabitant, funders' shares."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {s.territory: plt.get_cmap("tab10")(i % 10) for i, s in enumerate(summaries)}
    fig, axes = plt.subplots(
        1, 3, figsize=(17, 5.6), gridspec_kw={"width_ratios": [1.1, 1.1, 1.3]}, layout="constrained"
    )
    missing = _year_bars(
        axes[0],
        summaries,
        colours,
        lambda f: f.programmation_eur / 1e6,
        "Programmation per year (M€)",
        lambda f, v: f"{_french_number(v, 2)} M€" + ("†" if f.other_stated_eur else ""),
    )
    _footnotes(axes[0], [*missing, *_contradiction_notes(summaries)])
    missing = _year_bars(
        axes[1],
        summaries,
        colours,
        lambda f: f.eur_per_inhabitant,
        "€ per QPV inhabitant",
        lambda f, v: f"{_french_number(v)} €",
        note=lambda f: f"÷ {_count(f.qpv_population)} inhab. ({f.qpv_generation} QPV)",
    )
    _footnotes(axes[1], missing)
    _funder_bars(axes[2], summaries, colours)
    legend = fig.legend(
        handles=[_patch(colours[s.territory], s.territory) for s in summaries],
        loc="outside lower center",
        ncols=min(len(summaries), 5),
        frameon=False,
        fontsize=10,
        title="Programmation: total stated in the documents (hatched: sum of the year's "
        "actions). QPV population of the contracts in force that year: ANCT – Ci.Ville "
        "(Licence Ouverte 2.0), else the documents.",
        title_fontsize=9,
    )
    legend.get_title().set_color("#555555")
    count = f"{len(summaries)} territor{'y' if len(summaries) == 1 else 'ies'}"
    fig.suptitle(f"Politique de la ville — {count} compared", fontsize=15, weight="bold")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=130, bbox_inches="tight")
    plt.close(fig)
    return path


def _contradiction_notes(summaries: Sequence[TerritorySummary]) -> list[str]:
    """One line per year whose documents also state another value (set aside)."""
    return [
        f"† {s.territory} {f.year}: also stated "
        + ", ".join(format_eur(v) for v in f.other_stated_eur)
        + (" (consistency finding)" if f.contradiction else "")
        for s in summaries
        for f in s.programmation
        if f.other_stated_eur
    ]


def _year_bars(ax, summaries, colours, value, title: str, label, note=None) -> list[str]:
    """Bars per year and territory; ``label(figures, value)`` above each, and above that
    ``note(figures)`` in small grey type when there is room (two territories at most).

    Returns the note to print under the axes when some territories have no figure.
    """
    years = all_years(summaries)
    shown = [s for s in summaries if any(value(f) is not None for f in s.programmation)]
    ax.set_title(title, loc="left", fontsize=12, weight="bold")
    _tidy(ax)
    if not years or not shown:
        _empty(ax, "no programmation found")
        return []
    width = min(0.8 / len(shown), 0.3)
    for i, s in enumerate(shown):
        by_year = {f.year: f for f in s.programmation}
        for j, year in enumerate(years):
            f = by_year.get(year)
            v = value(f) if f else None
            if v is None:
                continue
            x = j + width * (i + 0.5 - len(shown) / 2)
            hatch = None if f.basis == "stated total" else "//"
            ax.bar(x, v, width * 0.92, color=colours[s.territory], hatch=hatch, edgecolor="white")
            ax.annotate(
                label(f, v),
                (x, v),
                ha="center",
                va="bottom",
                fontsize=8 if len(shown) > 2 else 9,
                xytext=(0, 2),
                textcoords="offset points",
            )
            if note and len(shown) <= 2:
                ax.annotate(
                    note(f),
                    (x, v),
                    ha="center",
                    va="bottom",
                    fontsize=7.5,
                    color="#666666",
                    xytext=(0, 14),
                    textcoords="offset points",
                )
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.set_xlim(-0.6, len(years) - 0.4)
    ax.yaxis.set_major_formatter(lambda v, _: _french_number(v, 0 if v.is_integer() else 1))
    ax.margins(y=0.15)
    missing = [s.territory for s in summaries if s not in shown]
    return ["no figure for " + ", ".join(missing)] if missing else []


def _footnotes(ax, lines: list[str]) -> None:
    """Grey notes under the axes, one per line."""
    for n, line in enumerate(lines):
        ax.text(0.0, -0.12 - 0.06 * n, line, transform=ax.transAxes, fontsize=9, color="#777777")


def _funder_bars(ax, summaries: Sequence[TerritorySummary], territory_colours) -> None:
    """One 100 % bar per territory, split by funder (the largest four, then the rest)."""
    import matplotlib.pyplot as plt

    ax.set_title("Funders' shares (grants and breakdowns)", loc="left", fontsize=12, weight="bold")
    _tidy(ax)
    shown = [s for s in summaries if s.funders]
    if not shown:
        _empty(ax, "no amounts with a funder")
        return
    ranked = Counter()
    for s in shown:
        for f in s.funders:
            ranked[f.funder] += f.share
    named = [f for f, _ in ranked.most_common(6)]
    palette = plt.get_cmap("Set2")
    colours = {f: palette(i) for i, f in enumerate(named)} | {"others": "#d0d0d0"}
    for row, s in enumerate(summaries):
        if not s.funders:
            ax.text(0.01, row, "no amount naming a funder", va="center", color="#777777")
            continue
        parts = [(f.funder, f.share) for f in s.funders if f.funder in named]
        rest = 1 - sum(share for _, share in parts)
        if rest > 0.005:
            parts.append(("others", rest))
        left = 0.0
        for funder, share in parts:
            ax.barh(row, share, left=left, color=colours[funder], edgecolor="white", height=0.6)
            if share >= 0.07:
                ax.text(left + share / 2, row, f"{share:.0%}", ha="center", va="center", fontsize=9)
            left += share
    ax.set_yticks(range(len(summaries)), [s.territory for s in summaries])
    for tick, s in zip(ax.get_yticklabels(), summaries, strict=True):
        tick.set_color(territory_colours[s.territory])
        tick.set_fontweight("bold")
    ax.set_ylim(max(len(summaries), 3) - 0.5, -0.5)  # top down; a lone bar stays a bar
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
    ax.legend(
        handles=[_patch(colours[f], _short(f)) for f in [*named, "others"]],
        frameon=False,
        fontsize=8,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.08),
        ncol=2,
    )


def _patch(colour, label: str):
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, label=label)


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tidy(ax) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _empty(ax, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", color="#777777", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])
