import numpy as np
import pytest

from epizone.domain.expr import ExpressionError, parse_condition


def test_scalar_and_vector_agree():
    cond = parse_condition("cumulative_confirmed > 50 and cluster_14d or not (new_confirmed_14d >= 1)")
    assert cond.names == {"cumulative_confirmed", "cluster_14d", "new_confirmed_14d"}
    cum = np.array([0, 51, 51, 51, 3])
    cluster = np.array([True, True, False, False, True])
    new = np.array([0, 2, 2, 0, 1])
    vector = cond.evaluate({"cumulative_confirmed": cum, "cluster_14d": cluster, "new_confirmed_14d": new},
                           vector=True)
    scalar = [cond.evaluate({"cumulative_confirmed": int(a), "cluster_14d": bool(b), "new_confirmed_14d": int(c)})
              for a, b, c in zip(cum, cluster, new)]
    assert vector.tolist() == scalar == [True, True, False, True, False]


def test_chained_comparison():
    cond = parse_condition("10 <= rate < 20")
    assert [cond.evaluate({"rate": r}) for r in (9.99, 10, 19.9, 20)] == [False, True, True, False]
    assert cond.evaluate({"rate": np.array([9.99, 10, 19.9, 20])}, vector=True).tolist() == [False, True, True, False]


@pytest.mark.parametrize("source", ["__import__('os')", "a + 1 > 2", "a.b > 1", "'x' == a", "a > ", "lambda: 1"])
def test_rejected(source):
    with pytest.raises(ExpressionError):
        parse_condition(source)
