"""Score extracted documents against the hand annotations of ``corpus/gold``.

Both sides are gold-schema JSON files (``schemas.export`` writes the predictions).
Each section is scored as precision / recall / F1 over a one-to-one matching of gold
and predicted items: quartier codes as an exact set, names, partners and action titles
fuzzily (accents, case and punctuation ignored; a quartier or partner name also without
its glosses in brackets), amounts by value within 0.5 €. Document facts are right or
wrong.

One prediction per gold document makes the overall figures (micro-averages: summed
counts): the one of the same stem (the born-digital PDF), else its first variant.
Other variants (``<stem>_scan``...) are reported apart, each against the gold items of
the part of the document it holds when that is known (:func:`page_coverage`), else
against the whole gold and labelled partial.
"""

from __future__ import annotations

import json
import re
import tempfile
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sqlite_utils
from rapidfuzz import fuzz, process

from schemas.export import export_gold_json

GoldDoc = dict
# (prediction stem, gold) -> the gold items of the part the prediction covers; None when
# that part is unknown (the prediction is then scored against the whole gold, as partial).
GoldFilter = Callable[[str, GoldDoc], GoldDoc | None]

SECTIONS = ("quartier_codes", "quartier_names", "amounts", "partners", "actions")
FACTS = ("doc_type", "territory", "department", "reference_year")
ACTION_AMOUNTS = "action_amounts"
METRICS = (*SECTIONS, ACTION_AMOUNTS, *(f"facts.{f}" for f in FACTS))

NAME_THRESHOLD = 85.0
ACTION_THRESHOLD = 80.0
AMOUNT_TOLERANCE = 0.5
WHOLE = "whole document"
PAGE_MATCH = 80.0  # fuzz.ratio of two normalised page texts that are the same page
_PROBE = 25  # characters of a page's line used to find it in the seed text

_ELISION = re.compile(r"\b(?:qu|[cdjlmnst])['’]")
_GLOSS = re.compile(r"\s*\([^()]*\)")


@dataclass(frozen=True, slots=True)
class Score:
    """Counts of one section: matched (tp), predicted only (fp), gold only (fn)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(slots=True)
class DocumentReport:
    """Scores of one prediction file against its gold document."""

    stem: str  # the prediction's stem (e.g. "004_…_scan")
    gold_stem: str
    scores: dict[str, Score]
    action_amounts: tuple[int, int]  # (matched actions with gold's amount, matched actions)
    facts: dict[str, bool]
    variant: bool = False  # another prediction of the same gold: not in the overall figures
    coverage: str | None = WHOLE  # the gold it is scored against; None: unknown, whole gold


@dataclass(slots=True)
class Report:
    """Scores of every prediction that has a gold document, and what could not be paired.

    ``documents`` holds one prediction per gold document (``variant`` False), which the
    overall figures and thresholds count, then the other variants.
    """

    documents: list[DocumentReport] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # gold stems without a prediction
    unmatched: list[str] = field(default_factory=list)  # prediction stems without a gold

    @property
    def primary(self) -> list[DocumentReport]:
        """One report per gold document: the ones the overall figures count."""
        return [d for d in self.documents if not d.variant]

    @property
    def variants(self) -> list[DocumentReport]:
        return [d for d in self.documents if d.variant]

    def overall(self) -> dict[str, Score]:
        totals = dict.fromkeys(SECTIONS, Score())
        for doc in self.primary:
            for section, score in doc.scores.items():
                totals[section] += score
        return totals

    def metrics(self) -> dict[str, float]:
        """Overall figures by name: F1 per section, shares for action amounts and facts.

        A share with nothing to count (no matched action, no document) is left out.
        """
        out = {section: score.f1 for section, score in self.overall().items()}
        primary = self.primary
        equal = sum(d.action_amounts[0] for d in primary)
        matched = sum(d.action_amounts[1] for d in primary)
        if matched:
            out[ACTION_AMOUNTS] = equal / matched
        if primary:
            for fact in FACTS:
                right = sum(d.facts[fact] for d in primary)
                out[f"facts.{fact}"] = right / len(primary)
        return out

    def failures(self, thresholds: dict[str, float]) -> list[str]:
        """Why the run falls short of ``thresholds`` (minimum value per metric name).

        Under any threshold, a gold document left without a prediction is a failure too:
        its scores could not be checked. No thresholds, no failures.
        """
        unknown = set(thresholds) - set(METRICS)
        if unknown:
            raise ValueError(f"unknown metrics {sorted(unknown)}; known: {list(METRICS)}")
        if not thresholds:
            return []
        metrics = self.metrics()
        out = [f"no prediction for gold document {stem}" for stem in self.missing]
        for name, minimum in thresholds.items():
            if name in metrics and metrics[name] < minimum:
                out.append(f"{name} = {metrics[name]:.3f} < {minimum:.3f}")
        return out


def evaluate(
    gold_dir: str | Path, pred_dir: str | Path, *, gold_filter: GoldFilter | None = None
) -> Report:
    """Score every ``pred_dir/*.json`` against the gold document of the same stem.

    A prediction ``<stem>_<suffix>.json`` (e.g. ``_scan``) is a variant of gold
    ``<stem>`` when no gold has its exact stem. Of the predictions of one gold, the one
    of its stem (else the first variant) is the one the overall figures count. A variant
    is scored against ``gold_filter(pred_stem, gold)``, the gold items of the part it
    covers (e.g. :func:`restrict_to_lines` for a page range); without a filter, or when
    it answers None, against the whole gold with its coverage unknown.
    """
    golds = _load_dir(gold_dir)
    report = Report()
    by_gold: dict[str, dict[str, GoldDoc]] = defaultdict(dict)
    for stem, pred in _load_dir(pred_dir).items():
        gold_stem = _gold_stem(stem, golds)
        if gold_stem is None:
            report.unmatched.append(stem)
        else:
            by_gold[gold_stem][stem] = pred
    for gold_stem, preds in sorted(by_gold.items()):
        first = gold_stem if gold_stem in preds else min(preds)
        for stem in sorted(preds, key=lambda s: (s != first, s)):
            gold, coverage = golds[gold_stem], WHOLE
            if stem != gold_stem:
                narrowed = gold_filter(stem, gold) if gold_filter else None
                if narrowed is not None:
                    narrowed = _with_named_partners(narrowed, gold, preds[stem])
                gold = gold if narrowed is None else narrowed
                coverage = None if narrowed is None else _coverage_label(narrowed)
            doc = score_document(stem, gold_stem, gold, preds[stem])
            doc.variant, doc.coverage = stem != first, coverage
            report.documents.append(doc)
    report.missing = sorted(set(golds) - set(by_gold))
    return report


def evaluate_db(
    gold_dir: str | Path,
    db: sqlite_utils.Database,
    *,
    gold_filter: GoldFilter | None = None,
    sources: str | Path | None = None,
) -> Report:
    """Export ``db`` to gold-schema JSON in a temporary folder and evaluate that.

    Without ``gold_filter``, variants are scored on the part of the document their pages
    hold, found by :func:`page_coverage` from ``db`` and the seed texts in ``sources``.
    """
    if gold_filter is None:
        gold_filter = page_coverage(db, gold_dir, sources)
    with tempfile.TemporaryDirectory() as tmp:
        export_gold_json(db, tmp)
        return evaluate(gold_dir, tmp, gold_filter=gold_filter)


def restrict_to_lines(gold: GoldDoc, first: int, last: int) -> GoldDoc:
    """``gold`` keeping only items located within lines ``first``..``last`` (inclusive)."""

    def inside(item: dict) -> bool:
        lines = item.get("lines") or [item.get("line")]
        return any(line is not None and first <= line <= last for line in lines)

    out = dict(gold, covered_lines=[first, last])
    for section in ("quartiers", "amounts", "actions", "partners"):
        out[section] = [item for item in gold.get(section, []) if inside(item)]
    return out


# ----------------------------------------------------------------------------- coverage


def page_coverage(
    db: sqlite_utils.Database, gold_dir: str | Path, sources: str | Path | None = None
) -> GoldFilter:
    """A gold filter giving each variant the gold items of the pages it holds.

    A variant's pages are found among those of the document of the gold's stem in ``db``
    by their text (normalised, ``fuzz.ratio`` >= 80: OCR noise passes, another page does
    not); they must be consecutive pages. Gold positions are lines of the seed text
    (``gold["seed"]`` in ``sources``, by default the ``sources`` folder beside
    ``gold_dir``), where each page starts at its first long line found after the
    previous page's. The answer is None — coverage unknown — without that document, that
    seed text, or a page found.
    """
    gold_dir = Path(gold_dir)
    folder = Path(sources) if sources is not None else gold_dir.parent / "sources"
    gold_stems = dict.fromkeys(p.stem for p in gold_dir.glob("*.json"))
    documents = _document_stems(db)

    def narrow(pred_stem: str, gold: GoldDoc) -> GoldDoc | None:
        gold_stem = _gold_stem(pred_stem, gold_stems)
        seed = folder / str(gold.get("seed") or "")
        if pred_stem not in documents or gold_stem not in documents or not seed.is_file():
            return None
        pages = _page_texts(db, documents[gold_stem])
        found = _same_pages(_page_texts(db, documents[pred_stem]), pages)
        if found is None:
            return None
        first, last = found
        if (first, last) == (1, len(pages)):
            return gold
        seed_lines = seed.read_text(encoding="utf-8").split("\n")
        starts = page_starts(pages, seed_lines)
        first_line = starts[first - 1] + 1 if first > 1 else 1
        last_line = starts[last] if last < len(pages) else len(seed_lines)
        return restrict_to_lines(gold, first_line, last_line)

    return narrow


def page_starts(pages: list[str], seed: list[str]) -> list[int]:
    """For each page, how many seed lines come before it (its first long line's index).

    Pages are walked in order, each located by its first line of at least 25 normalised
    characters found in the seed after the previous page's, so a running header cannot
    pull a page back; a page with no such line starts where the previous one did.
    """
    folded = [normalise(line) for line in seed]
    at, out = 0, []
    for text in pages:
        for line in text.split("\n"):
            probe = normalise(line.replace("\t", " "))[:_PROBE]
            if len(probe) < _PROBE:
                continue
            found = next((i for i in range(at, len(folded)) if probe in folded[i]), None)
            if found is not None:
                at = found
                break
        out.append(at)
    return out


def _same_pages(variant: list[str], pages: list[str]) -> tuple[int, int] | None:
    """The pages (first, last; 1-based) of ``pages`` the ``variant`` pages are, in order."""
    if not variant or not pages:
        return None
    choices = [normalise(p) for p in pages]
    found = []
    for text in variant:
        best = process.extractOne(
            normalise(text), choices, scorer=fuzz.ratio, score_cutoff=PAGE_MATCH
        )
        if best is None:
            return None
        found.append(best[2] + 1)
    if found != list(range(found[0], found[0] + len(found))):
        return None
    return found[0], found[-1]


def _document_stems(db: sqlite_utils.Database) -> dict[str, str]:
    """Export stem -> sha256 of the stored documents, named as :func:`export_gold_json`
    names their files."""
    out: dict[str, str] = {}
    for doc in db.query("SELECT sha256, file_name FROM documents ORDER BY file_name, sha256"):
        stem = Path(doc["file_name"]).stem
        out[stem if stem not in out else f"{stem}_{doc['sha256'][:12]}"] = doc["sha256"]
    return out


def _page_texts(db: sqlite_utils.Database, sha256: str) -> list[str]:
    return [
        r["text"]
        for r in db.query("SELECT text FROM pages WHERE document = ? ORDER BY number", [sha256])
    ]


def _with_named_partners(part: GoldDoc, whole: GoldDoc, pred: GoldDoc) -> GoldDoc:
    """``part`` plus the partners of ``whole`` that ``pred`` names.

    A partner is one of the document, not of a line: the gold locates it at a few of its
    mentions only. A partner the covered pages name is a partner found if the whole gold
    lists it; the ones annotated within the covered lines are still owed.
    """
    partners = whole.get("partners", [])
    if part.get("partners") == partners or not partners:
        return part
    kept = {id(item) for item in part.get("partners", [])}
    found = {i for i, _ in _partner_pairs(partners, pred.get("partners", []))}
    return dict(
        part,
        partners=[g for i, g in enumerate(partners) if id(g) in kept or i in found],
    )


def _coverage_label(gold: GoldDoc) -> str:
    lines = gold.get("covered_lines")
    return f"gold lines {lines[0]}-{lines[1]}" if lines else WHOLE


def score_document(stem: str, gold_stem: str, gold: GoldDoc, pred: GoldDoc) -> DocumentReport:
    g_quartiers, p_quartiers = gold.get("quartiers", []), pred.get("quartiers", [])
    g_actions, p_actions = gold.get("actions", []), pred.get("actions", [])
    action_pairs = _fuzzy_pairs(
        [a.get("title") for a in g_actions], [a.get("title") for a in p_actions], ACTION_THRESHOLD
    )
    equal = sum(
        _same_amount(g_actions[i].get("amount_eur"), p_actions[j].get("amount_eur"))
        for i, j in action_pairs
    )
    scores = {
        "quartier_codes": _set_score(
            {_code(q.get("code")) for q in g_quartiers} - {None},
            {_code(q.get("code")) for q in p_quartiers} - {None},
        ),
        "quartier_names": _name_score(
            [q.get("name") for q in g_quartiers if q.get("name")],
            [q.get("name") for q in p_quartiers if q.get("name")],
        ),
        "amounts": _amount_score(
            [a.get("value_eur") for a in gold.get("amounts", [])],
            [a.get("value_eur") for a in pred.get("amounts", [])],
        ),
        "partners": _partner_score(gold.get("partners", []), pred.get("partners", [])),
        "actions": _score(len(action_pairs), len(g_actions), len(p_actions)),
    }
    return DocumentReport(
        stem=stem,
        gold_stem=gold_stem,
        scores=scores,
        action_amounts=(equal, len(action_pairs)),
        facts=_facts(gold.get("document") or {}, pred.get("document") or {}),
    )


def format_report(report: Report) -> str:
    """The report as a plain-text table: one block per gold document, the overall one,
    then the variants the overall figures leave out, each with the gold it is scored on."""
    blocks = [_document_block(doc) for doc in report.primary]
    metrics = report.metrics()
    overall = [
        f"OVERALL ({len(report.primary)} documents, one prediction each)",
        *_score_lines(report.overall()),
    ]
    for name in METRICS[len(SECTIONS) :]:
        value = metrics.get(name)
        overall.append(f"  {name:<24}{'n/a' if value is None else f'{value:.3f}'}")
    blocks.append("\n".join(overall))
    if report.variants:
        blocks.append("VARIANTS (not in OVERALL)")
        blocks += [_document_block(doc) for doc in report.variants]
    if report.missing:
        blocks.append("no prediction for: " + ", ".join(report.missing))
    if report.unmatched:
        blocks.append("no gold for: " + ", ".join(report.unmatched))
    return "\n\n".join(blocks)


def _document_block(doc: DocumentReport) -> str:
    if doc.stem == doc.gold_stem:
        title = doc.stem
    elif doc.coverage is None:
        title = f"{doc.stem} (gold {doc.gold_stem}; PARTIAL: coverage unknown, whole gold)"
    else:
        title = f"{doc.stem} (gold {doc.gold_stem}; {doc.coverage})"
    equal, matched = doc.action_amounts
    facts = ", ".join(f"{k} {'ok' if v else 'WRONG'}" for k, v in doc.facts.items())
    return "\n".join(
        [
            title,
            *_score_lines(doc.scores),
            f"  action amounts equal to gold: {equal}/{matched}",
            f"  facts: {facts}",
        ]
    )


# ----------------------------------------------------------------------------- matching


def normalise(text: str) -> str:
    """Lower case, no accents, no elided article, punctuation as spaces.

    "L'Ecole du Mont-Liébaut" -> "ecole du mont liebaut".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = _ELISION.sub(" ", plain)
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def _similarity(gold: list[str], pred: list[str]) -> np.ndarray:
    """token_sort_ratio of every normalised (gold, pred) pair, gold along rows.

    An empty string matches nothing (rapidfuzz rates two empty strings 100).
    """
    g, p = [normalise(s) for s in gold], [normalise(s) for s in pred]
    if not g or not p:
        return np.zeros((len(g), len(p)))
    scores = process.cdist(g, p, scorer=fuzz.token_sort_ratio)
    scores[[not s for s in g], :] = 0
    scores[:, [not s for s in p]] = 0
    return scores


def _greedy_pairs(similarity: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """One-to-one pairs, best similarity first, each at least ``threshold``."""
    rows, cols = np.nonzero(similarity >= threshold)
    candidates = sorted(zip(rows, cols, strict=True), key=lambda ij: (-similarity[ij], *ij))
    used_g, used_p, pairs = set(), set(), []
    for i, j in candidates:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((int(i), int(j)))
    return pairs


def _fuzzy_pairs(gold: list, pred: list, threshold: float) -> list[tuple[int, int]]:
    return _greedy_pairs(_similarity([g or "" for g in gold], [p or "" for p in pred]), threshold)


def _name_score(gold: list[str], pred: list[str]) -> Score:
    best = _name_similarity(gold, pred)
    return _score(len(_greedy_pairs(best, NAME_THRESHOLD)), len(gold), len(pred))


def _partner_score(gold: list[dict], pred: list[dict]) -> Score:
    return _score(len(_partner_pairs(gold, pred)), len(gold), len(pred))


def _partner_pairs(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    """Partners match on the best of canonical and written names on either side."""
    keys = ("canonical", "name")
    best = np.zeros((len(gold), len(pred)))
    for g_key in keys:
        for p_key in keys:
            best = np.maximum(
                best,
                _name_similarity(
                    [g.get(g_key) or "" for g in gold], [p.get(p_key) or "" for p in pred]
                ),
            )
    return _greedy_pairs(best, NAME_THRESHOLD)


def _name_similarity(gold: list[str], pred: list[str]) -> np.ndarray:
    """:func:`_similarity` of names written with or without their glosses in brackets.

    An annotator glosses a name ("Le Centre (Quartier du Centre)", "Etat (Préfecture du
    Pas-de-Calais)", "SIA Habitat (Groupe SIA)"), and so does a canonical name ("France
    Travail (ex Pôle emploi)"): the name without the gloss is the same name.
    """
    best = _similarity(gold, pred)
    for g, p in ((gold, _bare(pred)), (_bare(gold), pred), (_bare(gold), _bare(pred))):
        best = np.maximum(best, _similarity(g, p))
    return best


def _bare(names: list[str]) -> list[str]:
    """Each name without its bracketed glosses; "" (matches nothing) when it has none."""
    out = []
    for name in names:
        bare = _GLOSS.sub("", name).strip()
        out.append(bare if bare != name.strip() else "")
    return out


def _amount_score(gold: Iterable[float | None], pred: Iterable[float | None]) -> Score:
    """Multiset match of values within the tolerance (greedy on sorted values is optimal)."""
    g = sorted(float(v) for v in gold if v is not None)
    p = sorted(float(v) for v in pred if v is not None)
    i = j = tp = 0
    while i < len(g) and j < len(p):
        if abs(g[i] - p[j]) <= AMOUNT_TOLERANCE:
            tp, i, j = tp + 1, i + 1, j + 1
        elif g[i] < p[j]:
            i += 1
        else:
            j += 1
    return _score(tp, len(g), len(p))


def _set_score(gold: set, pred: set) -> Score:
    return _score(len(gold & pred), len(gold), len(pred))


def _score(matched: int, n_gold: int, n_pred: int) -> Score:
    return Score(tp=matched, fp=n_pred - matched, fn=n_gold - matched)


def _same_amount(gold: float | None, pred: float | None) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return abs(float(gold) - float(pred)) <= AMOUNT_TOLERANCE


def _code(code: str | None) -> str | None:
    return code.strip().upper() if code else None


def _facts(gold: dict, pred: dict) -> dict[str, bool]:
    territory_g, territory_p = gold.get("territory"), pred.get("territory")
    territory = (
        territory_g == territory_p
        if territory_g is None or territory_p is None
        else fuzz.token_sort_ratio(normalise(territory_g), normalise(territory_p)) >= NAME_THRESHOLD
    )
    return {
        "doc_type": gold.get("doc_type") == pred.get("doc_type"),
        "territory": territory,
        "department": _text(gold.get("department")) == _text(pred.get("department")),
        "reference_year": gold.get("reference_year") == pred.get("reference_year"),
    }


def _text(value: object) -> str | None:
    return None if value is None else str(value).strip().upper()


def _gold_stem(pred_stem: str, golds: dict[str, GoldDoc]) -> str | None:
    """The gold a prediction is scored against: same stem, else the longest stem prefix."""
    if pred_stem in golds:
        return pred_stem
    prefixes = [g for g in golds if pred_stem.startswith(g + "_")]
    return max(prefixes, key=len, default=None)


def _load_dir(folder: str | Path) -> dict[str, GoldDoc]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(Path(folder).glob("*.json"))
    }


def _score_lines(scores: dict[str, Score]) -> list[str]:
    lines = [f"  {'section':<24}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>8}{'R':>8}{'F1':>8}"]
    for name, s in scores.items():
        lines.append(
            f"  {name:<24}{s.tp:>5}{s.fp:>5}{s.fn:>5}"
            f"{s.precision:>8.3f}{s.recall:>8.3f}{s.f1:>8.3f}"
        )
    return lines
