"""The dashboard's level colours: colour-blind safe and ordered in lightness, so levels read in greyscale too.

Rule sets carry their own colours (``levels[].color`` in the YAML, usually green / amber / red as the authority
printed them). Green against red is the pair that deuteranopes and protanopes confuse most, and several of those
colours have about the same lightness, so the dashboard draws with its own palette, keyed by the order of the
rule set's levels (lowest risk lightest, highest darkest): ColorBrewer's **YlOrRd** scheme (Cynthia Brewer,
colorbrewer2.org; marked colour-blind safe and print friendly) with as many classes as the rule set has levels.
A level the rule set colours neutral grey (e.g. ``grey``, not enough data, of ``eu-2020-1475``) and the implicit
``unknown`` level are not risk grades: they are drawn hatched (grey lines on light grey), never as a colour of
the ramp. The rule set's own colours stay one click away in the dashboard (the palette switch).
"""

from __future__ import annotations

from epizone.domain.rules import UNKNOWN, RuleSet

HATCH = "hatch"  # drawn with the SVG pattern of the same name
# ColorBrewer YlOrRd, the scheme for each number of classes (2 levels: the ends of the 3-class scheme)
YL_OR_RD = {
    1: ["#feb24c"],
    2: ["#ffeda0", "#f03b20"],
    3: ["#ffeda0", "#feb24c", "#f03b20"],
    4: ["#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"],
    5: ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"],
}  # six or more grades would leave neighbours too close in greyscale: refused


def is_neutral(colour: str) -> bool:
    """A grey (red, green and blue equal): the rule set's colour for 'not enough data', not a risk grade."""
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return red == green == blue


def fills(rules: RuleSet) -> dict[str, str]:
    """Level id -> the dashboard's fill (``#rrggbb``, or ``hatch``), ``unknown`` included."""
    graded = [level.id for level in rules.levels if not is_neutral(level.color)]
    if len(graded) > max(YL_OR_RD):
        raise ValueError(f"rule set {rules.ref}: {len(graded)} graded levels, the palette has at most {max(YL_OR_RD)}")
    ramp = dict(zip(graded, YL_OR_RD[len(graded)] if graded else []))
    return {**{level.id: ramp.get(level.id, HATCH) for level in rules.levels}, UNKNOWN: HATCH}


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb`` (0 black .. 1 white): the grey a colour becomes."""
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i:i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours (1 = the same grey)."""
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)
