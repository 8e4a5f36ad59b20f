"""An explanation (``epizone.services.explain``) as the API shows it."""

from __future__ import annotations

from epizone.api.core.schemas import ClauseOut, ExplanationOut, IndicatorOut, WindowOut
from epizone.services.explain import Explanation


def explanation_out(run_id: int, e: Explanation) -> ExplanationOut:
    return ExplanationOut(
        run_id=run_id, area_code=e.area_code, area_name=e.area_name, unit=e.unit, date=e.date,
        data_through=e.data_through, rule_set=e.rule_set, rule_title=e.rule_title, level=e.level,
        level_label=e.level_label, reason_code=e.reason_code, reason=e.reason,
        indicators=[IndicatorOut(name=k, value=v, description=d) for k, (v, d) in e.indicators.items()],
        windows={k: WindowOut(first=a, last=b) for k, (a, b) in e.windows.items()},
        clauses=[ClauseOut.model_validate(c) for c in e.clauses], stale=e.stale, last_move=e.last_move)
