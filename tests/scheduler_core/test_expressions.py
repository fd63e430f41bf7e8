"""The expression language: grammar, bounds, and values equal to the Python lambda's.

The reference is the Python lambda itself: ``Expression.python()`` compiled with ``eval`` in a
namespace holding only ``math`` (the code the export writes). Its value at each event must equal
the scalar evaluation and the vectorised one bit for bit (``float.hex`` and the type).

Fuzzing: ``SCHEDULE_EXPLORER_EXPRESSION_EXAMPLES`` (default 300) drawn per fuzz test; ``make
fuzz`` runs 10,000 each. Generated grammar trees check the values; generated texts (and the
list of known sandbox escapes) check that nothing outside the grammar is accepted and that
every answer comes quickly (hypothesis' deadline).
"""

from __future__ import annotations

import ast
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler_core.expressions import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    Expression,
    ExpressionError,
)

EXAMPLES = int(os.environ.get("SCHEDULE_EXPLORER_EXPRESSION_EXAMPLES", "300"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=2000,  # a generous bound: every answer must come in bounded time
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def reference(expr: Expression):
    """The Python lambda the code export writes, compiled with only ``math`` in scope."""
    return eval(expr.python(), {"__builtins__": {"min": min, "max": max, "abs": abs}, "math": math})  # noqa: S307


def outcome(fn, x):
    """(type name, float hex) of ``fn(x)``, or ("raised", exception name) (also when the int
    result does not convert to float, as ``base_lr * fn(x)`` would raise). A complex result of
    the lambda (a negative float to a fractional power) is refused by the expression with a
    ValueError: both read ("raised", "complex")."""
    try:
        v = fn(x)
        if isinstance(v, complex):
            return ("raised", "complex")
        return (type(v).__name__ if not isinstance(v, bool) else "int", float(v).hex())
    except ExpressionError:
        return ("raised", "ExpressionError")
    except ValueError as exc:
        return ("raised", "complex" if "complex" in str(exc) else "ValueError")
    except Exception as exc:  # noqa: BLE001 - compared by type
        return ("raised", type(exc).__name__)


def raiser(error: Exception):
    def fn(_):
        raise error

    return fn


# ------------------------------------------------------------------------------------------------
# known examples
# ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, x, expected",
    [
        ("0.95 ** epoch", 3, 0.95**3),
        ("min(1, (epoch + 1) / 500)", 0, 0.002),
        ("min(1, (epoch + 1) / 500)", 999, 1),
        ("epoch // 30", 61, 2),
        ("0.1 if epoch < 10 else cos(pi * epoch / 100)", 50, math.cos(math.pi * 50 / 100)),
        ("floor(epoch / 2.5) + ceil(0.5)", 7, 3),
        ("2 < epoch <= 4", 4, True),
        ("-epoch + +3 % 2", 5, -4),
        ("max(e, epoch, 1.5)", 1, math.e),
    ],
)
def test_values_of_known_expressions(text, x, expected):
    f = Expression(text, "epoch")
    assert f(x) == expected and type(f(x)) is type(expected)
    assert outcome(reference(f), x) == outcome(f, x)


def test_python_lambda_uses_math_names():
    f = Expression("exp(-epoch) * sqrt(2) + abs(min(epoch, pi))", "epoch")
    assert f.python() == "lambda epoch: math.exp(-epoch) * math.sqrt(2) + abs(min(epoch, math.pi))"
    assert f.uses_math()
    assert not Expression("epoch + 1", "epoch").uses_math()


@pytest.mark.parametrize(
    "text, position, reason",
    [
        ("2 ** 2 ** 99", 1, "too large"),
        ("epoch + 10 ** 400 * 10 ** 400", 9, "too large"),
        ("1 / 0 + epoch", 1, "ZeroDivisionError"),
        ("epoch + nope", 9, "name 'nope'"),
        ("epoch.real", 1, "Attribute"),
        ("epoch + )", 9, "syntax"),
        ("   epoch +* 2", 11, "syntax"),
        ("min(epoch)", 1, "2 to 8 arguments"),
        ("exp(epoch, 2)", 1, "1 arguments"),
        ("epoch and 1", 1, "And"),
        ("not epoch", 1, "Not"),
        ("epoch is 1", 1, "Is"),
        ("epoch << 2", 1, "LShift"),
        ("'a' * epoch", 1, "literal"),
        ("1j * epoch", 1, "literal"),
        ("x" * (MAX_LENGTH + 1), MAX_LENGTH + 1, "longer"),
        ("-" * (MAX_DEPTH + 2) + "epoch", MAX_DEPTH + 2, "nested"),
        ("epoch\n+1", 6, "character"),
        ("", 1, "empty"),
    ],
)
def test_errors_carry_the_position(text, position, reason):
    with pytest.raises(ExpressionError) as info:
        Expression(text, "epoch")
    assert info.value.position == position, str(info.value)
    assert reason in str(info.value) and str(info.value).endswith(f"at position {position}")


def test_not_a_string():
    with pytest.raises(TypeError):
        Expression(3, "epoch")  # type: ignore[arg-type]


def test_runtime_bound_refuses_instead_of_computing():
    f = Expression("2 ** (epoch * 10 ** 9)", "epoch")
    assert f(0) == 1
    with pytest.raises(ExpressionError, match="too large"):
        f(1)


def test_errors_at_the_event_where_python_raises():
    f = Expression("1 / (epoch - 3)", "epoch")
    with pytest.raises(ZeroDivisionError):
        f.floats(np.arange(10))
    assert f.floats(np.arange(3)).tolist() == [1 / -3, 1 / -2, 1 / -1]
    g = Expression("(-2.0) ** (epoch / 2)", "epoch")
    assert g(2) == -2.0
    with pytest.raises(ValueError, match="complex"):
        g(1)


def test_array_keeps_python_types():
    ints = Expression("10 + event * 10", "event").array(np.arange(3))
    assert ints.dtype == np.int64 and ints.tolist() == [10, 20, 30]
    with pytest.raises(TypeError, match="mixed"):
        Expression("1 if event else 0.5", "event").array(np.arange(3))
    assert Expression("1 if event else 0.5", "event").floats(np.arange(3)).tolist() == [0.5, 1.0, 1.0]


def test_pickles_and_copies_by_text():
    import copy
    import pickle

    f = Expression("0.5 ** epoch", "epoch")
    assert pickle.loads(pickle.dumps(f)) == f == copy.deepcopy(f)
    assert pickle.loads(pickle.dumps(f))(3) == 0.125


# ------------------------------------------------------------------------------------------------
# known sandbox escapes: refused before anything runs
# ------------------------------------------------------------------------------------------------
ESCAPES = [
    "__import__('os').system('echo pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "epoch.__class__",
    "(lambda: 1)()",
    "lambda epoch: epoch",
    "f'{__import__(\"os\")}'",
    "(x := 1)",
    "eval('1')",
    "exec('import os')",
    "open('/etc/passwd').read()",
    "getattr(epoch, 'real')",
    "globals()",
    "locals()['x']",
    "vars()",
    "__builtins__",
    "math.exp(1)",
    "exp.__self__",
    "min.__call__(1, 2)",
    "min(*[1, 2])",
    "max(**{})",
    "[1, 2][0]",
    "{1: 2}",
    "{1, 2}",
    "(1, 2)",
    "epoch if __debug__ else 0",
    "__debug__",
    "Ellipsis",
    "...",
    "None",
    "b'x'",
    "'' .join('a')",
    "(yield 1)",
    "await epoch",
    "sum(x for x in (1, 2))",
    "type(epoch)",
    "import os",
    "epoch; import os",
    "epoch\nimport os",
    "\\x65poch",
    "ｅpoch",
    "epoch\x00",
    "1e309 ** 1e309 ** 1e309 ** 2 ** 2 ** 2 ** 2 ** 2 ** 2 ** 2 ** 99",
    "9" * 499,
]


@pytest.mark.parametrize("text", ESCAPES)
def test_sandbox_escapes_are_refused(text):
    with pytest.raises(ExpressionError):
        Expression(text, "epoch")


# ------------------------------------------------------------------------------------------------
# fuzz: generated grammar trees (values) and generated texts (refusals)
# ------------------------------------------------------------------------------------------------
numbers = st.one_of(
    st.integers(0, 40).map(str),
    st.sampled_from(["0.5", "0.95", "1.5", "2.0", "1e-3", "3.25", "0.1", "1e300", "7"]),
)
leaves = st.one_of(numbers, st.just("epoch"), st.just("epoch"), st.sampled_from(["pi", "e"]))
BINARY = ["+", "-", "*", "/", "//", "%", "**"]
COMPARE = ["<", "<=", ">", ">=", "==", "!="]


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(children, st.sampled_from(BINARY), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        children.map(lambda c: f"-({c})"),
        st.tuples(children, st.sampled_from(COMPARE), children).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(children, children, children).map(lambda t: f"({t[0]} if {t[1]} else {t[2]})"),
        st.tuples(st.sampled_from(sorted(FUNCTIONS)), st.lists(children, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1] if t[0] in ('min', 'max') and len(t[1]) > 1 else t[1][:1])})"
        ),
    )


grammar_texts = st.recursive(leaves, _extend, max_leaves=12)


@FUZZ
@given(grammar_texts, st.lists(st.integers(0, 3000), min_size=1, max_size=40))
def test_generated_expressions_equal_the_python_lambda(text: str, xs: list[int]) -> None:
    try:
        f = Expression(text, "epoch")
    except ExpressionError as exc:  # a constant part fails or is too large, or too deep
        assert exc.position >= 1
        return
    lam = reference(f)
    scalar = [outcome(f, x) for x in xs]
    for x, got in zip(xs, scalar):
        if got == ("raised", "ExpressionError"):  # the lambda would compute a huge integer
            continue
        expected = outcome(lam, x)
        if got == ("raised", "complex") and expected == ("raised", "TypeError"):
            continue  # the lambda's complex number failed further on (e.g. compared)
        assert expected == got, (text, x)
    try:
        values = f.floats(np.array(xs))
    except Exception as exc:  # noqa: BLE001 - the first failing event's error
        first = next(o for o in scalar if o[0] == "raised")
        assert first == outcome(raiser(exc), 0), (text, exc)
        return
    for x, v, got in zip(xs, values.tolist(), scalar):
        assert got[0] != "raised", (text, x)
        assert v.hex() == got[1], (text, x, v, got)


python_chars = st.text(
    alphabet=st.sampled_from(list("epochxmin()[]{}.,:;=+-*/%<>!&|^~ 0123456789_'\"\\abfjklqrstuvwyz#@\n\t")),
    max_size=80,
)


def _only_grammar(text: str) -> None:
    tree = ast.parse(text.strip(), mode="eval")
    for node in ast.walk(tree):
        assert isinstance(
            node,
            ast.Expression
            | ast.Constant
            | ast.Name
            | ast.Load
            | ast.BinOp
            | ast.UnaryOp
            | ast.Compare
            | ast.IfExp
            | ast.Call
            | ast.operator
            | ast.unaryop
            | ast.cmpop,
        ), (text, node)
        if isinstance(node, ast.Name):
            assert node.id in ("epoch", "pi", "e") or node.id in FUNCTIONS, text
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS and not node.keywords


@FUZZ
@given(st.one_of(python_chars, grammar_texts, st.sampled_from(ESCAPES)))
def test_generated_texts_are_parsed_or_refused_never_run(text: str) -> None:
    try:
        f = Expression(text, "epoch")
    except ExpressionError as exc:
        assert 1 <= exc.position <= len(text) + 1 or exc.position == MAX_LENGTH + 1, (text, exc)
        return
    _only_grammar(text)
    outcome(f, 7)  # any failure is an ordinary arithmetic error, raised in bounded time


def test_torch_lambda_lr_state_dict_stays_plain_data():
    """torch's LambdaLR.state_dict() copies a callable object's __dict__: only text and variable."""
    import pickle

    import torch

    opt = torch.optim.SGD([torch.zeros(1)], lr=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, Expression("0.9 ** epoch", "epoch"))
    state = pickle.loads(pickle.dumps(sched.state_dict()))
    assert state["lr_lambdas"] == [{"text": "0.9 ** epoch", "variable": "epoch"}]
    sched.load_state_dict(state)
    assert sched.lr_lambdas[0](2) == 0.9**2


@pytest.mark.parametrize(
    "text",
    [
        "-((0.5 if epoch else epoch))",  # Python's int 0 negated has no sign; float -0.0 has
        "min(epoch, 0.5) * -3",
        "(0.5 if epoch else epoch) // -3",
        "(0.5 if epoch else epoch) % -3",
        "min(1, (epoch + 1) / 500) * 0.5 ** (epoch // 300)",
        "2 ** (epoch % 60 - 5)",  # floats (negative powers), then ints
        "max(0.1, 1 - epoch / 1000) if epoch > 100 else (epoch + 1) / 101",
    ],
)
def test_vectorised_equals_the_scalar_loop_bit_for_bit(text):
    f = Expression(text, "epoch")
    xs = np.arange(2000)
    assert [v.hex() for v in f.floats(xs).tolist()] == [float(f(int(x))).hex() for x in xs]
