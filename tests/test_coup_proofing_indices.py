"""The index registry: built-in definitions, a user's own index, and one-line errors for bad ones."""

from __future__ import annotations

import pytest

from model.errors import InputError
from model.inputs.indices import effective_number, load_indices
from model.inputs.regimes import PRACTICES, load_regimes
from model.model import KarabakhWar
from model.outputs.indices import organisations, side_indices


def test_builtin_registry_has_the_literatures_indices():
    reg = load_indices()
    assert {"coup_proofing", "internal_role", "counterbalancing", "talmadge_promotion", "talmadge_training",
            "talmadge_command", "talmadge_information"} <= set(reg)
    assert all(d.source.strip() for d in reg.values())


def test_the_coup_proofing_index_is_the_one_the_design_varies():
    """The harness's designs set every practice to a level: the registry's index is then that level."""
    cp = load_indices()["coup_proofing"]
    for regimes in load_regimes().values():
        for r in regimes:
            for level in (0.0, 0.25, 1.0):
                assert cp.of_items(r.with_items({k: level for k in PRACTICES}).items) == pytest.approx(level)


def test_inverted_items_enter_as_one_minus_value():
    info = load_indices()["talmadge_information"]
    items = {"internal_intelligence": 1.0, "civil_military_forum": 1.0}
    assert info.of_items(items) == pytest.approx(0.5)
    assert info.of_items({**items, "civil_military_forum": 0.0}) == pytest.approx(1.0)


def test_effective_number_counts_number_and_balance():
    assert effective_number([100, 100]) == pytest.approx(2.0)
    assert effective_number([300, 100]) == pytest.approx(1.6)
    assert effective_number([500, 0]) == pytest.approx(1.0)
    assert effective_number([]) == 0.0


def test_a_user_adds_an_index_in_toml(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[purges_only]\nlabel = "purges, weighted"\nkind = "items"\n'
                    'items = ["recent_purge", "internal_intelligence"]\nweights = { recent_purge = 3.0 }\n'
                    'source = "assumption: a test"\n')
    reg = load_indices(path)
    assert "purges_only" in reg and "coup_proofing" in reg
    assert reg["purges_only"].of_items({"recent_purge": 1.0, "internal_intelligence": 0.0}) == pytest.approx(0.75)
    m = KarabakhWar(rng=0, until="1992-01-01", profiles={"azerbaijan": {"recent_purge": 1.0,
                                                                        "internal_intelligence": 1.0}})
    row = side_indices(m, reg)
    assert row["index_purges_only_aze"] == pytest.approx(1.0)
    assert row["index_purges_only_rel"] == pytest.approx(row["index_purges_only_aze"] - row["index_purges_only_arm"])


@pytest.mark.parametrize("body, where, says", [
    ('kind = "items"\nitems = ["coup_orgin"]', "[x]", "unknown item"),
    ('kind = "items"\nitems = ["coup_origin"]\nweights = { recent_purge = 1.0 }', "[x]", "not in items"),
    ('kind = "items"\nitems = ["coup_origin"]\nweights = { coup_origin = 0.0 }', "[x]", "positive"),
    ('kind = "counterbalancing"\nitems = ["coup_origin"]', "[x]", "takes no items"),
    ('kind = "average"\nitems = ["coup_origin"]', "[x].kind", "'items' or 'counterbalancing'"),
    ('kind = "items"', "[x]", "non-empty items"),
    ('kind = "items"\nitems = ["coup_origin"]\nsorce = "typo"', "[x].sorce", "unknown field; did you mean 'source'"),
])
def test_bad_definitions_are_one_line_errors(tmp_path, body, where, says):
    path = tmp_path / "bad.toml"
    path.write_text(f'[x]\nlabel = "x"\nsource = "s"\n{body}\n')
    with pytest.raises(InputError) as err:
        load_indices(path)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg and where in msg and says in msg


def test_a_user_index_may_not_silently_replace_a_builtin_one(tmp_path):
    path = tmp_path / "dup.toml"
    path.write_text('[internal_role]\nlabel = "x"\nkind = "items"\nitems = ["coup_origin"]\nsource = "s"\n')
    with pytest.raises(InputError, match=r"\[internal_role\]: already defined"):
        load_indices(path)


def test_counterbalancing_sees_the_regime_guard():
    """A counterweight adds an organisation: the effective number rises with it."""
    reg = {"cb": load_indices()["counterbalancing"]}
    none = KarabakhWar(rng=0, until="1992-01-01", profiles={"azerbaijan": {"paramilitary_counterweight": 0.0}})
    full = KarabakhWar(rng=0, until="1992-01-01", profiles={"azerbaijan": {"paramilitary_counterweight": 1.0}})
    assert organisations(none, none.government("azerbaijan"))["regime_guard"] == 0.0
    assert side_indices(full, reg)["index_cb_aze"] > side_indices(none, reg)["index_cb_aze"] >= 1.0
