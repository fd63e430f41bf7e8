"""A small, safe expression language for the callables of schedulers (``lr_lambda``, ...).

``Expression("0.95 ** epoch", "epoch")`` is a one-argument function, equal bit for bit to the
Python ``lambda epoch: 0.95 ** epoch`` that the generated code holds (:meth:`Expression.python`).

Grammar (a subset of Python expressions, parsed with :mod:`ast`): int and float literals, the one
variable, the constants ``pi`` and ``e``, ``+ - * / // % **``, unary ``-``/``+``, comparisons
(``< <= > >= == !=``, chained as in Python), ``a if cond else b``, and the functions of
:data:`FUNCTIONS`. Anything else (attributes, subscripts, other names, calls of anything else,
keywords, strings, lambdas, comprehensions, walrus, f-strings, ``and``/``or``/``not``) is refused
before anything runs, as are texts longer than :data:`MAX_LENGTH`, deeper than :data:`MAX_DEPTH`
or with more than :data:`MAX_NODES` nodes. Errors are :class:`ExpressionError` with the 1-based
``position`` (column) of the offending part.

Cost is bounded: integers are Python ints (as in the lambda), but an operation whose integer
result would exceed :data:`MAX_INT_BITS` bits is refused instead of computed (``2 ** 2 ** 99``
is refused when parsed: variable-free parts are evaluated once at parse time). Every other
operation is O(1), so one evaluation costs O(nodes).

Evaluation over many events (:meth:`Expression.array`) is vectorised with numpy only where numpy
gives exactly what Python gives: ``+ - * /`` on floats (IEEE), integer arithmetic that cannot
overflow int64, comparisons, ``abs``, ``min``/``max``, ``sqrt`` and ``floor``/``ceil`` (correctly
rounded); ``**`` on floats and the transcendental functions (numpy's may differ from libm by an
ulp) are applied element by element with Python's own operators and :mod:`math`. Anything
unusual (a division by zero, a mixed int/float result, an integer beyond 2**53) falls back to the
scalar loop, which raises the error Python would raise at the first failing event.

>>> f = Expression("min(1, (event + 1) / 500)", "event")
>>> f(0), f(499), f(1000)
(0.002, 1, 1)
>>> Expression("0.95 ** epoch", "epoch").python()
'lambda epoch: 0.95 ** epoch'
>>> Expression("2 ** 2 ** 99", "epoch")
Traceback (most recent call last):
...
scheduler_core.expressions.ExpressionError: integer result too large (over 1100 bits) at position 1
"""

from __future__ import annotations

import ast
import functools
import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "Expression",
    "CostExceeded",
    "ExpressionError",
    "as_callable",
]

MAX_LENGTH = 500
"""Longest expression text (characters)."""
MAX_DEPTH = 24
"""Deepest nesting of the syntax tree."""
MAX_NODES = 200
"""Most syntax-tree nodes."""
MAX_INT_BITS = 1100
"""Largest integer an operation may produce (``math.floor(1e308)`` has 1024 bits)."""
_EXACT = 2**53  # integers up to this convert to float64 exactly (numpy and Python agree)
_CHUNK = 1 << 15  # elements converted to Python numbers at a time
PYTHON_EVALUATIONS = 2_000_000
"""Most node evaluations :meth:`Expression.floats` / :meth:`Expression.array` run in Python (the
parts numpy cannot do exactly, about a second) before raising :class:`CostExceeded`."""

FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    # name: (Python function, min args, max args); math.* in the generated code, else builtins
    "abs": (abs, 1, 1),
    "min": (min, 2, 8),
    "max": (max, 2, 8),
    "sqrt": (math.sqrt, 1, 1),
    "exp": (math.exp, 1, 1),
    "log": (math.log, 1, 1),
    "log2": (math.log2, 1, 1),
    "log10": (math.log10, 1, 1),
    "sin": (math.sin, 1, 1),
    "cos": (math.cos, 1, 1),
    "tan": (math.tan, 1, 1),
    "atan": (math.atan, 1, 1),
    "tanh": (math.tanh, 1, 1),
    "floor": (math.floor, 1, 1),
    "ceil": (math.ceil, 1, 1),
}
"""The callable functions: Python's builtins ``abs``/``min``/``max`` and :mod:`math`'s others."""
CONSTANTS = {"pi": math.pi, "e": math.e}
_BUILTINS = ("abs", "min", "max")


class ExpressionError(ValueError):
    """A text outside the grammar or its limits; ``position`` is the 1-based column."""

    def __init__(self, reason: str, position: int):
        super().__init__(f"{reason} at position {position}")
        self.reason = reason
        self.position = position


class CostExceeded(Exception):
    """Evaluating over these events would run too much Python (see :data:`PYTHON_EVALUATIONS`);
    callers step instead, where their own time budget applies."""


class _Fallback(Exception):
    """The vectorised path cannot guarantee Python's result here: use the scalar loop."""


# ------------------------------------------------------------------------------------------------
# checked scalar operations (Python's own, with the integer size bounded first)
# ------------------------------------------------------------------------------------------------
def _bits(x: Any) -> int:
    return abs(x).bit_length() if isinstance(x, int) else 0


def _too_big(position: int) -> ExpressionError:
    return ExpressionError(f"integer result too large (over {MAX_INT_BITS} bits)", position)


def _checked(op: Callable[[Any, Any], Any], bound: Callable[[Any, Any], int]) -> Callable:
    def apply(a: Any, b: Any, position: int) -> Any:
        if isinstance(a, int) and isinstance(b, int) and bound(a, b) > MAX_INT_BITS:
            raise _too_big(position)
        result = op(a, b)
        if isinstance(result, complex):  # a negative float to a fractional power
            raise ValueError("math domain error: complex result")
        return result

    return apply


def _pow_bits(a: int, b: int) -> int:
    if b <= 0 or abs(a) <= 1:
        return 0
    return int(math.log2(abs(a)) * b) + 1  # b may be huge: estimated before the power is computed


_BINARY: dict[type, tuple[str, Callable]] = {
    ast.Add: ("+", _checked(operator.add, lambda a, b: max(_bits(a), _bits(b)) + 1)),
    ast.Sub: ("-", _checked(operator.sub, lambda a, b: max(_bits(a), _bits(b)) + 1)),
    ast.Mult: ("*", _checked(operator.mul, lambda a, b: _bits(a) + _bits(b))),
    ast.Div: ("/", _checked(operator.truediv, lambda a, b: 0)),
    ast.FloorDiv: ("//", _checked(operator.floordiv, lambda a, b: 0)),
    ast.Mod: ("%", _checked(operator.mod, lambda a, b: 0)),
    ast.Pow: ("**", _checked(operator.pow, _pow_bits)),
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


# ------------------------------------------------------------------------------------------------
# parsing and checking
# ------------------------------------------------------------------------------------------------
def _position(node: ast.AST) -> int:
    return getattr(node, "col_offset", 0) + 1


def _parse(text: Any) -> ast.expr:
    if not isinstance(text, str):
        raise TypeError(f"Argument expression should be a str, but given {type(text)}")
    if not text.strip():
        raise ExpressionError("empty expression", 1)
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters", MAX_LENGTH + 1)
    for i, ch in enumerate(text):
        if not (" " <= ch <= "~"):
            raise ExpressionError(f"character {ch!r} not allowed", i + 1)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        offset = exc.offset or 1
        raise ExpressionError(f"syntax error ({exc.msg})", offset + len(text) - len(text.lstrip())) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # pragma: no cover - parser limits
        raise ExpressionError(f"cannot parse ({type(exc).__name__})", 1) from None
    return tree.body


def _check(node: ast.AST, variable: str, depth: int, count: list[int]) -> None:
    """Refuse every node outside the grammar (and the size limits); nothing is evaluated here."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise ExpressionError(f"expression has more than {MAX_NODES} parts", _position(node))
    if depth > MAX_DEPTH:
        raise ExpressionError(f"expression nested deeper than {MAX_DEPTH} levels", _position(node))
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ExpressionError(f"literal {value!r} not allowed (numbers only)", _position(node))
        if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
            raise _too_big(_position(node))
        return
    if isinstance(node, ast.Name):
        if node.id != variable and node.id not in CONSTANTS:
            allowed = ", ".join([variable, *CONSTANTS])
            raise ExpressionError(f"name {node.id!r} not allowed (only {allowed})", _position(node))
        return
    children: list[ast.AST]
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        children = [node.left, node.right]
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        children = [node.operand]
    elif isinstance(node, ast.Compare) and all(type(op) in _COMPARE for op in node.ops):
        children = [node.left, *node.comparators]
    elif isinstance(node, ast.IfExp):
        children = [node.test, node.body, node.orelse]
    elif isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise ExpressionError(
                f"only the functions {', '.join(FUNCTIONS)} may be called", _position(node.func)
            )
        if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            raise ExpressionError(f"{name}() takes positional arguments only", _position(node))
        _, low, high = FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            want = str(low) if low == high else f"{low} to {high}"
            raise ExpressionError(f"{name}() takes {want} arguments, given {len(node.args)}", _position(node))
        children = list(node.args)
    else:
        what = type(node).__name__
        if isinstance(node, ast.BinOp | ast.UnaryOp | ast.BoolOp | ast.Compare):
            what = type(getattr(node, "op", None) or node.ops[0]).__name__
        raise ExpressionError(f"{what} not allowed", _position(node))
    for child in children:
        _check(child, variable, depth + 1, count)


# ------------------------------------------------------------------------------------------------
# compiled forms: scalar (exact Python semantics) and vectorised (numpy where identical)
# ------------------------------------------------------------------------------------------------
Scalar = Callable[[Any], Any]


def _uses_variable(node: ast.AST, variable: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == variable for n in ast.walk(node))


def _scalar(node: ast.AST, variable: str) -> Scalar:
    """A closure computing ``node`` for one value of the variable, as the Python lambda would."""
    pos = _position(node)
    if isinstance(node, ast.Constant):
        value = node.value
        return lambda x: value
    if isinstance(node, ast.Name):
        if node.id == variable:
            return lambda x: x
        value = CONSTANTS[node.id]
        return lambda x: value
    if isinstance(node, ast.BinOp):
        left, right = _scalar(node.left, variable), _scalar(node.right, variable)
        op = _BINARY[type(node.op)][1]
        return lambda x: op(left(x), right(x), pos)
    if isinstance(node, ast.UnaryOp):
        operand = _scalar(node.operand, variable)
        if isinstance(node.op, ast.USub):
            return lambda x: -operand(x)
        return lambda x: +operand(x)
    if isinstance(node, ast.Compare):
        parts = [_scalar(n, variable) for n in [node.left, *node.comparators]]
        ops = [_COMPARE[type(op)] for op in node.ops]

        def compare(x: Any) -> bool:
            a = parts[0](x)
            for op, part in zip(ops, parts[1:]):
                b = part(x)
                if not op(a, b):
                    return False
                a = b
            return True

        return compare
    if isinstance(node, ast.IfExp):
        test, body, orelse = (_scalar(n, variable) for n in (node.test, node.body, node.orelse))
        return lambda x: body(x) if test(x) else orelse(x)
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    fn = FUNCTIONS[node.func.id][0]
    args = [_scalar(a, variable) for a in node.args]
    return lambda x: fn(*(a(x) for a in args))


# A vector value: ("int", int64 array with |v| <= 2**53), ("float", float64 array) or ("num",
# float64 array: ints for some events, floats for others, see _num).
Vector = tuple[str, np.ndarray]


def _as_float(v: Vector) -> np.ndarray:
    return v[1].astype(np.float64) if v[0] == "int" else v[1]


def _int_result(values: np.ndarray) -> Vector:
    if values.size and int(np.max(np.abs(values))) > _EXACT:
        raise _Fallback
    return "int", values


def _max_abs(v: Vector) -> float:
    return float(np.max(np.abs(v[1]))) if v[1].size else 0.0


def _elementwise(fn: Callable[..., Any], args: list[Vector], budget: list[int]) -> Vector:
    """``fn`` applied with Python numbers, once per distinct argument tuple (compared bit for
    bit), in chunks (bounded memory); errors: use the scalar loop."""
    bits = [v.view(np.int64) if v.dtype == np.float64 else v.astype(np.int64) for _, v in args]
    key = bits[0] if len(bits) == 1 else np.stack(bits, axis=1)
    _, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    n = len(first)
    budget[0] -= n
    if budget[0] < 0:
        raise CostExceeded(f"more than {PYTHON_EVALUATIONS} evaluations in Python")
    kinds, out = set(), np.empty(n, dtype=object)
    for a in range(0, n, _CHUNK):
        at = first[a : a + _CHUNK]
        columns = [v[at].tolist() for _, v in args]
        try:
            part = [fn(*row) for row in zip(*columns)]
        except Exception:  # noqa: BLE001 - the scalar loop raises it at the right event
            raise _Fallback from None
        kinds.add(_from_python(part)[0])
        out[a : a + len(part)] = part
    values = out[inverse.reshape(-1)]
    if kinds <= {"int"}:
        return "int", values.astype(np.int64)
    if kinds <= {"float"}:
        return "float", values.astype(np.float64)
    return _num(values.astype(np.float64))


def _from_python(out: list[Any]) -> Vector:
    if all(type(v) is float for v in out):
        return "float", np.array(out, dtype=np.float64)
    if any(type(v) is not float and abs(v) >= _EXACT for v in out):
        raise _Fallback
    if all(type(v) is int or type(v) is bool for v in out):
        return "int", np.array(out, dtype=np.int64)
    return _num(np.array(out, dtype=np.float64))  # ints and floats mixed


def _num(values: np.ndarray) -> Vector:
    """A "num" vector: Python ints for some events, floats for others (float64 values, exact:
    every int below 2**53). Arithmetic on float(int) gives the int's value then, so floats()
    stays exact; only the per-event types are unknown (array() uses the scalar loop)."""
    if values.size and not np.all(np.abs(values[np.isfinite(values)]) < _EXACT):
        raise _Fallback
    if np.any((values == 0) & np.signbit(values)):  # -0.0: Python's int 0 has no sign (-0 * 3)
        raise _Fallback
    return "num", values


def _binary_vector(op: type, a: Vector, b: Vector, pos: int, budget: list[int]) -> Vector:
    if "num" in (a[0], b[0]) and op is not ast.Div:  # int or float per event: float maths, exact
        if op in (ast.Add, ast.Sub, ast.Mult):
            x, y = _as_float(a), _as_float(b)
            return _num(x + y if op is ast.Add else x - y if op is ast.Sub else x * y)
        fn = _BINARY[op][1]
        kind, values = _elementwise(
            lambda x, y: fn(x, y, pos), [("float", _as_float(a)), ("float", _as_float(b))], budget
        )
        return _num(values.astype(np.float64))
    both_int = a[0] == b[0] == "int"
    if op in (ast.Add, ast.Sub):
        if both_int:
            if _max_abs(a) + _max_abs(b) > _EXACT:
                raise _Fallback
            return "int", (a[1] + b[1] if op is ast.Add else a[1] - b[1])
        return "float", (_as_float(a) + _as_float(b) if op is ast.Add else _as_float(a) - _as_float(b))
    if op is ast.Mult:
        if both_int:
            if _max_abs(a) * _max_abs(b) > _EXACT:
                raise _Fallback
            return "int", a[1] * b[1]
        return "float", _as_float(a) * _as_float(b)
    if op is ast.Div:
        if np.any(b[1] == 0):
            raise _Fallback  # ZeroDivisionError in Python
        return "float", _as_float(a) / _as_float(b)
    if op in (ast.FloorDiv, ast.Mod) and both_int:
        if np.any(b[1] == 0):
            raise _Fallback
        return "int", (np.floor_divide(a[1], b[1]) if op is ast.FloorDiv else np.remainder(a[1], b[1]))
    if op is ast.Pow and both_int and (b[1].size == 0 or int(b[1].min()) >= 0):
        top = _max_abs(a)
        if top > 1 and b[1].size and math.log2(top) * float(b[1].max()) > 52:
            raise _Fallback
        return "int", np.power(a[1], b[1])
    fn = _BINARY[op][1]  # float ** and float // %: Python's own, element by element
    return _elementwise(lambda x, y: fn(x, y, pos), [a, b], budget)


_NUMPY_COMPARE = {
    ast.Lt: np.less,
    ast.LtE: np.less_equal,
    ast.Gt: np.greater,
    ast.GtE: np.greater_equal,
    ast.Eq: np.equal,
    ast.NotEq: np.not_equal,
}


def _vector(node: ast.AST, variable: str, x: np.ndarray, budget: list[int]) -> Vector:
    """``node`` over the int64 array ``x`` (raises :class:`_Fallback` where numpy may differ)."""
    n = len(x)
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, int):
            if abs(value) > _EXACT:
                raise _Fallback
            return "int", np.full(n, value, dtype=np.int64)
        return "float", np.full(n, value, dtype=np.float64)
    if isinstance(node, ast.Name):
        if node.id == variable:
            return "int", x
        return "float", np.full(n, CONSTANTS[node.id], dtype=np.float64)
    if isinstance(node, ast.BinOp):
        a, b = _vector(node.left, variable, x, budget), _vector(node.right, variable, x, budget)
        return _binary_vector(type(node.op), a, b, _position(node), budget)
    if isinstance(node, ast.UnaryOp):
        kind, v = _vector(node.operand, variable, x, budget)
        if kind == "num" and isinstance(node.op, ast.USub):
            return _num(-v)
        return kind, (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.Compare):
        parts = [_vector(p, variable, x, budget) for p in [node.left, *node.comparators]]
        result = np.ones(n, dtype=bool)
        for op, a, b in zip(node.ops, parts, parts[1:]):
            if a[0] == b[0] == "int":
                result &= _NUMPY_COMPARE[type(op)](a[1], b[1])
            else:
                result &= _NUMPY_COMPARE[type(op)](_as_float(a), _as_float(b))
        return "int", result.astype(np.int64)
    if isinstance(node, ast.IfExp):
        test = _vector(node.test, variable, x, budget)[1] != 0
        if test.all():
            return _vector(node.body, variable, x, budget)
        if not test.any():
            return _vector(node.orelse, variable, x, budget)
        body, orelse = _vector(node.body, variable, x, budget), _vector(node.orelse, variable, x, budget)
        if body[0] != orelse[0]:
            return _num(np.where(test, _as_float(body), _as_float(orelse)))
        return body[0], np.where(test, body[1], orelse[1])
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    name = node.func.id
    args = [_vector(a, variable, x, budget) for a in node.args]
    if name == "abs":
        return args[0][0], np.abs(args[0][1])
    if name in ("min", "max"):
        kinds = {k for k, _ in args}
        better = np.less if name == "min" else np.greater
        values = [v for _, v in args] if len(kinds) == 1 else [_as_float(a) for a in args]
        result = values[0]
        for v in values[1:]:  # Python keeps the first of equal values: replace only when strictly better
            result = np.where(better(v, result), v, result)
        return (args[0][0], result) if len(kinds) == 1 else _num(result)
    if name == "sqrt" and not np.any(_as_float(args[0]) < 0):
        return "float", np.sqrt(_as_float(args[0]))
    if name in ("floor", "ceil"):  # int results (Python's math.floor returns an int)
        if args[0][0] == "int":
            return args[0]
        v = args[0][1]
        if not np.all(np.abs(v) <= _EXACT):  # also NaN and inf (Python raises)
            raise _Fallback
        return _int_result((np.floor(v) if name == "floor" else np.ceil(v)).astype(np.int64))
    return _elementwise(FUNCTIONS[name][0], args, budget)


# ------------------------------------------------------------------------------------------------
# the public object
# ------------------------------------------------------------------------------------------------
class _MathNames(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.AST:
        if node.id in CONSTANTS or (node.id in FUNCTIONS and node.id not in _BUILTINS):
            return ast.copy_location(
                ast.Attribute(value=ast.Name(id="math", ctx=ast.Load()), attr=node.id, ctx=ast.Load()), node
            )
        return node


def _fold_constants(node: ast.AST, variable: str) -> None:
    """Compute every variable-free part once, so that its errors are parse errors."""
    if not isinstance(node, ast.expr) or isinstance(node, ast.Constant | ast.Name):
        return
    if not _uses_variable(node, variable):
        try:
            _scalar(node, variable)(0)
        except ExpressionError:
            raise
        except Exception as exc:  # noqa: BLE001 - any arithmetic error of the constant part
            raise ExpressionError(f"{type(exc).__name__}: {exc}", _position(node)) from None
        return
    for child in ast.iter_child_nodes(node):
        _fold_constants(child, variable)


@functools.lru_cache(maxsize=1024)
def _compile(text: str, variable: str) -> tuple[ast.expr, Scalar, int]:
    """The checked tree, its scalar closure and its node count (errors are not cached)."""
    tree = _parse(text)
    _check(tree, variable, 0, [0])
    _fold_constants(tree, variable)
    return tree, _scalar(tree, variable), sum(1 for _ in ast.walk(tree))


class Expression:
    """A checked expression of one variable, callable like the equivalent Python lambda.

    Args:
        text: the expression, e.g. ``"0.95 ** epoch"``.
        variable: the name of its one argument (``"epoch"`` for torch's ``lr_lambda``,
            ``"event"`` for ignite's ``event_index`` callables).

    Raises:
        ExpressionError: the text is outside the grammar or its limits (with the position), or a
            variable-free part fails to compute (e.g. ``1 / 0``, ``2 ** 2 ** 99``).
        TypeError: ``text`` is not a string.
    """

    def __init__(self, text: str, variable: str):
        if not isinstance(variable, str) or not variable.isidentifier():
            raise TypeError(f"Argument variable should be an identifier, but given {variable!r}")
        _compile(text, variable)  # raises on a bad text
        # only plain data in __dict__: torch's LambdaLR.state_dict() copies it (picklable)
        self.text = text
        self.variable = variable

    @property
    def _tree(self) -> ast.expr:
        return _compile(self.text, self.variable)[0]

    @property
    def _fn(self) -> Scalar:
        return _compile(self.text, self.variable)[1]

    @property
    def _nodes(self) -> int:
        return _compile(self.text, self.variable)[2]

    def __call__(self, value: Any) -> Any:
        """The value for one argument, with Python's types and errors (as the lambda)."""
        return _compile(self.text, self.variable)[1](value)

    def array(self, values: Any) -> np.ndarray:
        """``[self(v) for v in values]`` for integer ``values``, vectorised where exact.

        Returns an int64 array when every result is a Python int (or bool), a float64 array
        when every result is a float. Raises what the first failing call raises,
        ``TypeError`` when the results mix ints and floats or an int does not fit in int64, and
        :class:`CostExceeded` beyond :data:`PYTHON_EVALUATIONS`.
        """
        x = np.asarray(values, dtype=np.int64).reshape(-1)
        budget = [PYTHON_EVALUATIONS]
        vector = self._vector(x, budget)
        if vector is not None and vector[0] != "num":  # "num": the types per event are unknown
            return vector[1]
        kinds: set[type] = set()
        out = np.empty(len(x), dtype=object)
        for a, part in self._scalar_chunks(x, budget):
            kinds.update(type(v) for v in part)
            if any(type(v) is not float and abs(v) >= 2**63 for v in part):
                raise TypeError(f"expression {self.text!r} gives an integer too large for an array")
            out[a : a + len(part)] = part
        if kinds <= {float}:
            return out.astype(np.float64)
        if kinds <= {int, bool}:
            return out.astype(np.int64)
        raise TypeError(f"expression {self.text!r} gives results of mixed types")

    def floats(self, values: Any) -> np.ndarray:
        """``[float(self(v)) for v in values]`` as float64 (what ``float * self(v)`` multiplies
        by); raises like :meth:`array` (no ``TypeError``: ints and floats mix here)."""
        x = np.asarray(values, dtype=np.int64).reshape(-1)
        budget = [PYTHON_EVALUATIONS]
        vector = self._vector(x, budget)
        if vector is not None:
            return vector[1].astype(np.float64)
        out = np.empty(len(x), dtype=np.float64)
        for a, part in self._scalar_chunks(x, budget, float):
            out[a : a + len(part)] = part
        return out

    def _scalar_chunks(self, x: np.ndarray, budget: list[int], then: Callable = lambda v: v) -> Any:
        """``(start, [then(self(v)) for v in chunk])`` over ``x`` in chunks (bounded memory),
        event by event (so the first event that fails raises, whichever step fails)."""
        if len(x) * self._nodes > budget[0]:
            raise CostExceeded(f"more than {PYTHON_EVALUATIONS} evaluations in Python")
        fn = self._fn
        for a in range(0, len(x), _CHUNK):
            yield a, [then(fn(v)) for v in x[a : a + _CHUNK].tolist()]

    def _vector(self, x: np.ndarray, budget: list[int]) -> Vector | None:
        """The vectorised results (kind, int64 or float64 values), or None where only the scalar
        loop is exact."""
        if not np.all(np.abs(x) <= _EXACT):
            return None
        try:
            kind, out = _vector(self._tree, self.variable, x, budget)
        except _Fallback:
            return None
        return kind, np.array(np.broadcast_to(out, x.shape), dtype=np.int64 if kind == "int" else np.float64)

    def python(self) -> str:
        """The equivalent Python lambda (functions other than abs/min/max from ``math``)."""
        body = ast.unparse(_MathNames().visit(ast.parse(self.text.strip(), mode="eval")).body)
        return f"lambda {self.variable}: {body}"

    def uses_math(self) -> bool:
        """Whether :meth:`python` needs ``import math``."""
        return "math." in self.python()

    def __repr__(self) -> str:
        return f"Expression({self.text!r}, {self.variable!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and (self.text, self.variable) == (other.text, other.variable)

    def __hash__(self) -> int:
        return hash((self.text, self.variable))

    def __reduce__(self) -> tuple:
        return (Expression, (self.text, self.variable))


def as_callable(value: Any, variable: str) -> Any:
    """A spec's callable argument: an expression text becomes an :class:`Expression` of
    ``variable``; anything else (a Python callable) is returned as it is."""
    return Expression(value, variable) if isinstance(value, str) else value


COSTLY = "expression evaluated in Python over too many events"
"""The decline of closed forms whose expression raised :class:`CostExceeded` (they step)."""
