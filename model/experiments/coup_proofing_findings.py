"""The coup-proofing harness's findings: each hypothesis's estimate on a set of runs, its verdict,
which knocked-out channels remove it, and whether it survives redrawn codings.

A finding is computed the same way on every subset of the run table (documented coding, each
knock-out, redrawn coding), so "carried by" and "survives" compare like with like.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from ..actors.coup_proofing import ALL_CHANNELS, CHANNEL_ITEMS, CHANNELS, PUSHES, knockout_channels
from ..inputs.regimes import PRACTICES
from ..outputs.numbers import interval
from .statistics import paired_difference_ci, slope_ci

BASELINE = ""
COUNTERWEIGHT = ("paramilitary_counterweight",)
DOCUMENTED, REDRAWN = "documented", "redrawn"
INDEX = "index_coup_proofing_{}"
"""The registry's coup-proofing index of a side (aze, arm, or rel: aze minus arm), the index the designs vary."""


@dataclass(frozen=True)
class Finding:
    """A hypothesis of the literature as the harness measures it; ``expected`` is the literature's
    sign (+1/-1) or None where it expects no effect."""

    key: str
    label: str
    literature: str
    expected: int | None
    topic: str  # "battlefield" or "coups": the report's section
    outcome: str  # "battlefield", "attempts" or "success": what the channels act on (PUSHES)
    items: tuple[str, ...] = PRACTICES  # the practices the design varies for this finding
    plain: str = ""  # the hypothesis in plain words, for the summary table (README)

    def on_path(self, knockout: str) -> bool:
        """Whether a knock-out (a channel, channels joined by '+', or 'all') switches off a channel of
        the varied practices."""
        return on_path(knockout, self.items)

    def pushes(self) -> dict[str, int]:
        """The sign each channel of the varied practices gives this finding's estimate directly (+1, -1, or 0
        for either way), from :data:`PUSHES`; channels that do not act on its outcome are left out."""
        signs = {"costs": +1, "helps": -1, "protects": -1, "exposes": +1, "either way": 0}
        return {c: signs[PUSHES[c][self.outcome]] for c in CHANNELS
                if self.outcome in PUSHES[c] and self.on_path(c)}

    def on_path_estimates(self, knocked: dict) -> dict:
        """This finding's estimate under each knock-out (``{label: stats}``) that lies on its path."""
        return {k: v[self.key] for k, v in knocked.items() if self.key in v and self.on_path(k)}


def on_path(knockout: str, items) -> bool:
    """Whether a knock-out label switches off a channel through which one of ``items`` acts."""
    return any(set(CHANNEL_ITEMS[c]) & set(items) for c in knockout_channels(knockout))


FINDINGS = (
    Finding("slope_arm_held_azssr_km2", "km² of Azerbaijan SSR held by the arm side on 1994-05-12 (or at the "
            "end of shorter runs), per unit of relative index", "more coup-proofing than the opponent → worse battlefield results "
            "(Narang & Talmadge 2018; Pilster & Böhmelt 2011; Talmadge 2015)", +1, "battlefield", "battlefield",
            plain="more coup-proofing than the enemy costs territory (Narang & Talmadge 2018; Talmadge 2015): km² of "
                  "Azerbaijan SSR the Armenian side holds on 1994-05-12, per unit of relative index"),
    Finding("slope_loss_exchange_ratio", "loss-exchange ratio (aze casualties per arm casualty), per unit of "
            "relative index", "as above", +1, "battlefield", "battlefield",
            plain="… and costs more men per enemy casualty: loss-exchange ratio (Azerbaijani per Armenian "
                  "casualty), per unit of relative index"),
    Finding("counterweight_arm_held_azssr_km2", "km² held by the arm side (counterweight 1 − 0), Azerbaijan",
            "a counterweight diverts men from the front → worse battlefield results (Quinlivan 1999; "
            "Pilster & Böhmelt 2011)", +1, "battlefield", "battlefield", COUNTERWEIGHT,
            plain="a counterweight costs territory (Quinlivan 1999; Pilster & Böhmelt 2011): km² the Armenian side "
                  "holds, Azerbaijan's counterweight (item 10) at 1 minus at 0"),
    Finding("slope_attempts_aze", "coup attempts per run vs own index (aze varied)",
            "coup-proofing lowers coup risk (Powell 2012)", -1, "coups", "attempts",
            plain="coup-proofing lowers coup attempts (Powell 2012): attempts per run per unit of Azerbaijan's index"),
    Finding("slope_attempts_arm", "coup attempts per run vs own index (arm varied)", "as above", -1, "coups", "attempts",
            plain="… the same, the Armenian side's index varied"),
    Finding("counterweight_coup_attempts_azerbaijan", "attempts (counterweight 1 − 0), Azerbaijan",
            "counterbalancing need not reduce attempts (De Bruin 2018)", None, "coups", "attempts", COUNTERWEIGHT,
            plain="a counterweight need not reduce coup attempts (De Bruin 2018): attempts, item 10 at 1 minus at 0"),
    Finding("counterweight_coups_successful_azerbaijan", "successful coups (counterweight 1 − 0)",
            "counterbalancing lowers coup success (De Bruin 2018; Powell 2012)", -1, "coups", "success", COUNTERWEIGHT,
            plain="a counterweight lowers coup success (De Bruin 2018; Powell 2012): successful coups, item 10 at 1 "
                  "minus at 0"),
)


def subset(ok: pd.DataFrame, knockout: str = BASELINE, coding: str = DOCUMENTED) -> pd.DataFrame:
    """Runs of one knock-out and coding (tables without those columns are all baseline, documented)."""
    keep = np.ones(len(ok), dtype=bool)
    if "knockout" in ok.columns:
        keep &= (ok["knockout"].fillna("") == knockout).to_numpy()
    if "coding" in ok.columns:
        keep &= (ok["coding"] == coding).to_numpy()
    elif coding != DOCUMENTED:
        keep[:] = False
    return ok[keep]


def estimates(runs: pd.DataFrame) -> dict[str, tuple[float, float, float]]:
    """(estimate, low, high) of every finding that these runs can measure."""
    out: dict[str, tuple[float, float, float]] = {}
    idx = runs[runs["design"] == "index"]
    if idx["level"].nunique() > 1:
        rel = idx[INDEX.format("rel")]
        for col in ("arm_held_azssr_km2", "loss_exchange_ratio"):
            out[f"slope_{col}"] = slope_ci(rel, idx[col], groups=idx["seed"])
        for side in ("aze", "arm"):
            s = idx[idx["side"] == side]
            if s["level"].nunique() > 1:
                out[f"slope_attempts_{side}"] = slope_ci(s[INDEX.format(side)], s[f"coup_attempts_{side}"],
                                                         groups=s["seed"])
    cw = runs[(runs["design"] == "item") & (runs["item"] == "paramilitary_counterweight")]
    lo, hi = cw[cw["level"] == 0.0].sort_values("seed"), cw[cw["level"] == 1.0].sort_values("seed")
    if len(lo) and len(lo) == len(hi):
        for col in ("arm_held_azssr_km2", "coup_attempts_azerbaijan", "coups_successful_azerbaijan"):
            out[f"counterweight_{col}"] = paired_difference_ci(lo[col].to_numpy(), hi[col].to_numpy())
    return out


def sign(t: tuple[float, float, float]) -> int:
    """+1 or -1 when the interval excludes 0, else 0."""
    return 1 if t[1] > 0 and t[2] > 0 else (-1 if t[1] < 0 and t[2] < 0 else 0)


class Verdict(StrEnum):
    """A finding against the literature, in a few words (table cells, stability tables)."""

    REPRODUCED = "reproduced"
    OPPOSITE = "opposite of the literature"
    UNCLEAR = "no clear effect"
    FEWER = "fewer"  # where the literature expects no effect: a clear decrease ...
    MORE = "more"  # ... or increase


def judge(t: tuple[float, float, float], expected: int | None) -> Verdict:
    """The verdict on a finding's (estimate, low, high), given the literature's sign (None: no effect expected)."""
    s = sign(t)
    if s == 0:
        return Verdict.UNCLEAR
    if expected is None:
        return Verdict.FEWER if s < 0 else Verdict.MORE
    return Verdict.REPRODUCED if s == expected else Verdict.OPPOSITE


def verdict(t: tuple[float, float, float], expected: int | None) -> str:
    """The verdict in words, saying why where there is no clear effect."""
    v = judge(t, expected)
    if v is not Verdict.UNCLEAR:
        return v.value
    return f"{v} ({'as the literature allows' if expected is None else 'interval includes 0'})"


def brief(t: tuple[float, float, float] | None, expected: int | None) -> str:
    """The estimate with its verdict in a few words, for table cells."""
    return fmt(t) if t is None else f"{fmt(t)} ({judge(t, expected)})"


def fmt(t: tuple[float, float, float] | None) -> str:
    """A finding's (estimate, low, high) as :func:`model.outputs.numbers.interval`, or 'not measured'."""
    return "not measured" if t is None else interval(*t)


def carried_by(base: tuple[float, float, float], knocked: dict[str, tuple[float, float, float]]) -> str:
    """Channels whose knock-out alone removes a clear direction (or reverses it); else the channel whose
    knock-out shrinks it most. ``knocked``: the knock-outs on the finding's path (:meth:`Finding.on_path`)."""
    if sign(base) == 0:
        return "— (no clear effect to carry)"
    single = {c: t for c, t in knocked.items() if c != ALL_CHANNELS}
    gone = [c for c, t in single.items() if sign(t) != sign(base)]
    if gone:
        return ", ".join(gone)
    if not single:
        return "not measured"
    c, t = min(single.items(), key=lambda kv: kv[1][0] / base[0])
    return f"no single channel (largest drop: {c}, {100 * (1 - t[0] / base[0]):.0f} %)"


def origin(base: tuple[float, float, float], knocked: dict[str, tuple[float, float, float]],
           pushes: dict[str, int]) -> str:
    """Where a clear direction comes from. ``knocked``: the finding's estimates under the knock-outs on its
    path; ``pushes``: the sign each channel on its path gives it directly (:meth:`Finding.pushes`; 0: either
    way). Built in: every such channel pushes this way. Decided in the war: channels push both ways (or
    either way), so the sign is their net in these runs. Through the war: no channel on the path pushes
    this way, so the sign arises from the practices' effects on the war (a defeat breeds plots; a coup
    pulls units off the front). Emergent: it survives with every channel off."""
    s = sign(base)
    if s == 0:
        return "—"
    if ALL_CHANNELS not in knocked:
        return "not measured (run with --knockouts each)"
    if sign(knocked[ALL_CHANNELS]) == s:
        return "emergent: survives with every coup-proofing channel off"
    this_way = [c for c, v in pushes.items() if v == s]
    other = [c for c, v in pushes.items() if v == -s]
    either = [c for c, v in pushes.items() if v == 0]
    if this_way and not other and not either:
        return f"built in: every channel on its path pushes this way ({', '.join(this_way)})"
    if this_way or either:
        parts = [f"{_names(this_way)} this way" if this_way else "",
                 f"{_names(other)} the other way" if other else "",
                 f"{', '.join(either)} can push either way" if either else ""]
        return "decided in the war: " + "; ".join(p for p in parts if p) + "; the sign is their net in these runs"
    return ("through the war: no channel on its path pushes this way" + (f" ({_names(other)} the other way)"
            if other else "") + "; it arises from the practices' effects on the war, or noise at this number of "
            "runs, and vanishes with every channel off")


def _names(channels: list[str]) -> str:
    """Channels and the verb: 'a pushes' / 'a, b push'."""
    return f"{', '.join(channels)} {'pushes' if len(channels) == 1 else 'push'}"


def survives(base: tuple[float, float, float], redrawn: tuple[float, float, float] | None,
             expected: int | None) -> bool | None:
    """Whether the verdict on documented codings is the verdict on redrawn ones (None: not measured)."""
    return None if redrawn is None else judge(base, expected) == judge(redrawn, expected)
