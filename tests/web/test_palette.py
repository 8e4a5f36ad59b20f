"""The dashboard's palette reads in greyscale: for every built-in rule set, each level is darker than the one below
it by a clear step, and levels that are not risk grades (unknown, 'not enough data') are hatched, not coloured."""

from __future__ import annotations

import pytest

from epizone.domain.rules import UNKNOWN, builtin_ids, load_rule_set
from epizone.web.palette import HATCH, YL_OR_RD, contrast, fills, is_neutral, relative_luminance

STEP = 1.4  # the least contrast ratio between neighbouring levels' greys (1 = the same grey)


@pytest.mark.parametrize("rule_set", builtin_ids())
def test_levels_get_darker_with_risk_by_a_clear_step(rule_set):
    rules = load_rule_set(rule_set)
    palette = fills(rules)
    graded = [level.id for level in rules.levels if not is_neutral(level.color)]
    colours = [palette[level] for level in graded]
    assert len(set(colours)) == len(colours) and HATCH not in colours
    greys = [relative_luminance(colour) for colour in colours]
    assert greys == sorted(greys, reverse=True)  # lowest risk lightest
    assert all(contrast(a, b) >= STEP for a, b in zip(colours, colours[1:])), (rule_set, colours)
    assert palette[UNKNOWN] == HATCH
    assert all(palette[level.id] == HATCH for level in rules.levels if is_neutral(level.color))


def test_every_scheme_of_the_palette_keeps_its_steps():
    for n, colours in YL_OR_RD.items():
        assert len(colours) == n
        assert all(contrast(a, b) >= STEP for a, b in zip(colours, colours[1:])), n


def test_the_greys_are_those_of_the_wcag_formula():
    assert relative_luminance("#ffffff") == 1 and relative_luminance("#000000") == 0
    assert round(contrast("#ffffff", "#000000"), 6) == 21
    assert round(relative_luminance("#f03b20"), 3) == 0.218


def test_a_rule_set_with_more_levels_than_the_palette_is_refused():
    rules = load_rule_set("cn-2020-02")
    levels = [rules.levels[0].model_copy(update={"id": f"l{i}", "color": f"#{i:02x}0000"}) for i in range(1, 7)]
    with pytest.raises(ValueError, match="at most 5"):
        fills(rules.model_copy(update={"levels": levels}))
