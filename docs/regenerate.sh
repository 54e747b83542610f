#!/usr/bin/env bash
# Regenerate the measured numbers and pictures the README and docs/ show, after a change of the
# model or of its calibration. Writes into runs/regen/ and copies pictures and score cards into docs/.
# Takes ~15 minutes on 2 cores. Usage: bash docs/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=runs/regen
mkdir -p "$out"
karabakh run --seed 0 --force --quiet --out "$out/run0"
cp "$out/run0/control_map.png" "$out/run0/territory_casualties.png" docs/img/
karabakh validate --runs 30 --force --quiet --out "$out/validate" > /dev/null
cp "$out/validate/card.md" docs/validation_default.md
cp "$out/validate/territory_vs_documented.png" "$out/validate/capture_dates_vs_documented.png" docs/img/
if [ -f calibration/params/until-1993-06-30.toml ] && [ "${SKIP_OOS:-0}" != 1 ]; then
  karabakh validate --runs 30 --calibration until-1993-06-30 --force --quiet --out "$out/validate-oos" > /dev/null
  cp "$out/validate-oos/card.md" docs/validation_until_1993-06-30.md
fi
for cf in no_russian_mediation no_1993_coup russia_arms_neither; do
  karabakh compare historical "$cf" --runs 30 --force --quiet --out "$out/cmp-$cf" > /dev/null
done
cp "$out/cmp-no_russian_mediation/territory.png" docs/img/compare_territory.png
# 2 levels, 16 seeds (verdicts stable from 12: docs/coup_proofing_power.md), 1,216 runs, ~7 min: each finding
# with every channel knocked out and with the codings redrawn; its summary table goes into the README.
karabakh experiment coup-proofing --runs 16 --levels 0,1 --knockouts each --coding-uncertainty --force --quiet \
  --out "$out/cp" > /dev/null
cp "$out/cp/report.md" docs/coup_proofing_results.md
cp "$out/cp/coup_proofing.png" docs/img/coup_proofing.png
python -c 'import sys; from pathlib import Path; from model.experiments.coup_proofing import splice_summary
readme = Path("README.md"); readme.write_text(splice_summary(Path(sys.argv[1]).read_text(), readme.read_text()))' \
  "$out/cp/report.md"
rm -rf "$out/sa"
karabakh sensitivity docs/examples/sensitivity_morris.toml --workers 2 --quiet --out "$out/sa" > /dev/null
[ -f "$out/sa/sensitivity.png" ] && cp "$out/sa/sensitivity.png" docs/img/sensitivity.png
echo "regenerated: see $out (score cards, comparisons' report.md) and docs/"
