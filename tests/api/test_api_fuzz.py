"""Property-based fuzzing of every operation in the app's own OpenAPI schema (schemathesis, in-process ASGI),
as an admin on a store with data, a run and a publication: no request may get a server error (5xx)."""

from __future__ import annotations

import datetime as dt

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from epizone.domain.cutoff import DataThrough
from epizone.store.imports import import_file
from epizone.store.publish import publish
from epizone.services.runs import RunRequest, run_assessment

DAY = dt.date(2020, 2, 5)
EXAMPLES = {"positive": 6, "negative": 3}  # per operation and mode: enough to find crashes, quick enough for CI
LAST = ("DELETE /api/v1/tokens/{token_id}",)  # may revoke the fuzzer's own token: run it after the rest


def test_no_operation_answers_with_a_server_error(api):
    import_file(api.store.engine, "cases", api.store.cases("c1,2020-02-01,350102001,confirmed,K1",
                                                           "c2,2020-02-02,350102002,confirmed,K1"), "setup")
    run = run_assessment(api.store.engine, RunRequest("cn-2020-02", DAY, DAY, DataThrough(lag=1), data_end=DAY), "setup")
    publish(api.store.engine, run.id, DAY, "setup")
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    operations = sorted((result.ok() for result in schema.get_all_operations()),
                        key=lambda op: (f"{op.method.upper()} {op.path}" in LAST, op.path, op.method))
    calls: dict[str, int] = {}
    failures: list[str] = []
    for operation in operations:
        for mode, examples in EXAMPLES.items():
            fuzz(operation, mode, examples, api.auth("admin"), calls, failures)
    assert failures == []
    assert len(operations) == 65 and sum(calls.values()) >= 65 * 4  # 34 of the service, 31 of operations (/ops)
    assert sum(n for status, n in calls.items() if status.startswith("2")) >= 40  # the fuzzer got past validation


def fuzz(operation, mode: str, examples: int, auth: dict[str, str], calls: dict[str, int], failures: list[str]):  # noqa: ANN001
    strategy = operation.as_strategy(generation_mode=schemathesis.GenerationMode(mode))

    @settings(max_examples=examples, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(strategy)
    def one(case) -> None:  # noqa: ANN001
        response = case.call(headers=auth)
        calls[str(response.status_code)] = calls.get(str(response.status_code), 0) + 1
        checks = (not_a_server_error, response_schema_conformance) if mode == "positive" else (not_a_server_error,)
        try:
            case.validate_response(response, checks=checks)
        except Exception as exc:  # noqa: BLE001  (collected: every failing operation is reported)
            failures.append(f"{case.method} {case.formatted_path} {response.status_code}: {str(exc)[:600]}")

    try:
        one()
    except Unsatisfiable:  # an operation without inputs has no invalid ones to send
        assert mode == "negative", operation.path
