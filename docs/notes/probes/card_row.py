"""One table row per score card (the card.json that `karabakh validate --out DIR` writes): the objective, the median
loss, the major captures' error in days, the shares of runs whose captures hold and whose area of 12 May 1994 is in
range, that area's median, the Armenian displaced, and the first change of holder of Aghdara/Mardakert, Shahumyan,
Kalbajar and Fuzuli (median date, share of runs). The tables of docs/notes/capture_order.md since "Stop 58".

    python docs/notes/probes/card_row.py DIR [DIR ...]
"""
import json
import sys
from pathlib import Path

DISTRICTS = ("mardakert", "shahumyan", "kalbajar", "fuzuli")


def row(directory: Path) -> str:
    card = json.loads((directory / "card.json").read_text())
    metrics, patterns, targets, dates = card["metrics"], card["patterns"], card["targets"], card["capture_dates"]
    first = [f"{dates[d]['simulated_median']}, {dates[d]['changed_in_share_of_runs']:.0%}" for d in DISTRICTS]
    cells = [directory.name, f"{card['objective']:.2f}", f"{metrics['loss']['median']:.2f}",
             f"{metrics['capture_days_major']['median']:.0f}", f"{patterns['pattern_captures_hold']['share']:.0%}",
             f"{patterns['pattern_area_at_ceasefire']['share']:.0%}",
             f"{targets['area_arm_held_azssr_1994_05_12']['simulated']['median']:,.0f}",
             f"{targets['displaced_arm']['simulated']['median']:,.0f}", *first]
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    print("| set | objective | median loss | major captures, days | captures hold | area in range | area median | "
          "Armenian displaced | Aghdara/Mardakert | Shahumyan | Kalbajar | Fuzuli |")
    print("|---" * 12 + "|")
    for arg in sys.argv[1:]:
        print(row(Path(arg)))
