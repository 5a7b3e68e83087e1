"""A safe parser for the formulas a user types in the regression lab, such as ``sin(x) + 0.3*x**2``.

The text is parsed with :mod:`ast` and every node is checked against a whitelist: numbers, the declared
variables, the constants ``pi`` and ``e``, ``+ - * / **`` (and unary ``-``/``+``), parentheses, and calls
of the functions in ``FUNCTIONS`` with positional arguments. The checked tree is turned into a chain of
NumPy calls; user text never reaches eval or exec. Everything is computed in float64 with floating-point
errors silenced, so ``9**9**9`` gives inf instead of building a huge integer, and any NaN/inf in the
result comes back as NaN for the caller to report.
"""

from __future__ import annotations

import ast
import numbers
from collections.abc import Callable

import numpy as np

MAX_LENGTH = 200
# A 200-character formula cannot nest much deeper than this; the cap keeps recursion far from Python's limit.
MAX_DEPTH = 100

# name -> (NumPy function, number of arguments)
_FUNCTIONS: dict[str, tuple[Callable[..., np.ndarray], int]] = {
    "sin": (np.sin, 1),
    "cos": (np.cos, 1),
    "tan": (np.tan, 1),
    "arcsin": (np.arcsin, 1),
    "arccos": (np.arccos, 1),
    "arctan": (np.arctan, 1),
    "sinh": (np.sinh, 1),
    "cosh": (np.cosh, 1),
    "tanh": (np.tanh, 1),
    "exp": (np.exp, 1),
    "log": (np.log, 1),
    "sqrt": (np.sqrt, 1),
    "abs": (np.abs, 1),
    "sign": (np.sign, 1),
    "floor": (np.floor, 1),
    "ceil": (np.ceil, 1),
    "minimum": (np.minimum, 2),
    "maximum": (np.maximum, 2),
    "clip": (np.clip, 3),
}
FUNCTIONS = tuple(sorted(_FUNCTIONS))
CONSTANTS = {"pi": np.pi, "e": np.e}

_BINARY_OPERATORS = {
    ast.Add: np.add,
    ast.Sub: np.subtract,
    ast.Mult: np.multiply,
    ast.Div: np.true_divide,
    ast.Pow: np.power,
}
_UNARY_OPERATORS = {ast.USub: np.negative, ast.UAdd: np.positive}

# Plain words for the syntax people most often try; anything else is named by its node type.
_FORBIDDEN_KINDS = {
    ast.Attribute: "attribute access is",
    ast.Subscript: "indexing is",
    ast.Lambda: "lambda functions are",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are",
    ast.List: "lists are",
    ast.Tuple: "tuples are",
    ast.Set: "sets are",
    ast.Dict: "dicts are",
    ast.Compare: "comparisons are",
    ast.BoolOp: "and/or are",
    ast.IfExp: "if-else expressions are",
    ast.NamedExpr: "assignments are",
    ast.Starred: "star arguments are",
    ast.JoinedStr: "f-strings are",
}

_Evaluator = Callable[[dict[str, np.ndarray]], np.ndarray]


class FormulaError(ValueError):
    """A formula that is not allowed or does not parse; ``fragment`` is the offending text, if known.

    ``code`` names the kind of problem and ``details`` holds its particulars (``{"name": "foo"}``), so that an
    interface can word it in its own language; the message is the English wording.
    """

    def __init__(self, message: str, fragment: str | None = None, code: str = "invalid", **details: object):
        super().__init__(message)
        self.fragment = fragment
        self.code = code
        self.details = {"fragment": fragment or "", **details}


class Formula:
    """A checked formula; call it with one array per variable: ``f(x=xs)`` -> float64 ndarray.

    The result has the broadcast shape of the inputs (a constant formula is repeated to that shape);
    values that came out NaN or ±inf are NaN.
    """

    def __init__(self, text: str, variables: tuple[str, ...], evaluate: _Evaluator):
        self.text = text
        self.variables = variables
        self._evaluate = evaluate

    def __call__(self, **arrays: np.ndarray) -> np.ndarray:
        missing = [name for name in self.variables if name not in arrays]
        unknown = [name for name in arrays if name not in self.variables]
        if missing or unknown:
            raise ValueError(
                f"formula variables are {', '.join(self.variables)}; "
                f"missing: {', '.join(missing) or 'none'}, unexpected: {', '.join(unknown) or 'none'}"
            )
        env = {name: np.asarray(values, dtype=np.float64) for name, values in arrays.items()}
        shape = np.broadcast_shapes(*(values.shape for values in env.values()))
        with np.errstate(all="ignore"):
            result = np.broadcast_to(self._evaluate(env), shape).astype(np.float64)
        result[~np.isfinite(result)] = np.nan
        return result

    def __repr__(self) -> str:
        return f"Formula({self.text!r}, variables={self.variables!r})"


def compile_formula(text: str, variables: tuple[str, ...] = ("x",)) -> Formula:
    """Check ``text`` and return a :class:`Formula` of ``variables``.

    Raises FormulaError (a ValueError) naming the part that is not allowed, for: empty or over-long
    text (more than MAX_LENGTH characters), syntax errors, names other than the variables, constants
    and FUNCTIONS, attribute access, indexing, strings, keyword arguments, lambdas, comprehensions,
    comparisons, and nesting deeper than MAX_DEPTH.
    """
    variables = _check_variables(variables)
    if not isinstance(text, str):
        raise FormulaError(f"formula must be text; got {type(text).__name__}", code="not_text")
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            f"formula is too long ({len(text)} characters; at most {MAX_LENGTH})",
            code="too_long",
            length=len(text),
            limit=MAX_LENGTH,
        )
    source = text.strip()
    if not source:
        raise FormulaError("formula is empty", code="empty")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        where = f" at character {error.offset}" if error.offset else ""
        raise FormulaError(
            f"syntax error{where}: {error.msg}", code="syntax", position=error.offset or "?", detail=error.msg
        ) from None
    except (ValueError, RecursionError, MemoryError):
        raise FormulaError("formula cannot be parsed", code="unparsable") from None
    evaluate = _Compiler(source, variables).build(tree.body, depth=0)
    return Formula(source, variables, evaluate)


def _check_variables(variables: tuple[str, ...]) -> tuple[str, ...]:
    if isinstance(variables, str):
        variables = (variables,)
    variables = tuple(variables)
    for name in variables:
        if not isinstance(name, str) or not name.isidentifier() or "__" in name:
            raise ValueError(f"variable name {name!r} is not valid; use a plain identifier such as 'x'")
        if name in _FUNCTIONS or name in CONSTANTS:
            raise ValueError(f"variable name {name!r} is not valid; it is a function or constant name")
    if len(set(variables)) != len(variables):
        raise ValueError(f"variables={variables!r} is not valid; list each variable once")
    return variables


class _Compiler:
    """Turns a whitelisted AST into nested closures over NumPy functions."""

    def __init__(self, source: str, variables: tuple[str, ...]):
        self.source = source
        self.variables = variables

    def build(self, node: ast.AST, depth: int) -> _Evaluator:
        if depth > MAX_DEPTH:
            raise FormulaError(
                f"formula is nested too deeply (more than {MAX_DEPTH} levels)", code="too_deep", limit=MAX_DEPTH
            )
        if isinstance(node, ast.Constant):
            return self._constant(node)
        if isinstance(node, ast.Name):
            return self._name(node)
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY_OPERATORS:
            operator = _UNARY_OPERATORS[type(node.op)]
            operand = self.build(node.operand, depth + 1)
            return lambda env: operator(operand(env))
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        raise self._forbidden(node)

    def _constant(self, node: ast.Constant) -> _Evaluator:
        value = node.value
        if isinstance(value, str | bytes):
            raise FormulaError(f"strings are not allowed: {self._text(node)}", self._text(node), code="string")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise FormulaError(f"only real numbers are allowed: {self._text(node)}", self._text(node), code="not_real")
        try:
            number = np.float64(value)
        except OverflowError:
            number = np.float64(np.inf)
        return lambda env: number

    def _name(self, node: ast.Name) -> _Evaluator:
        name = node.id
        self._reject_dunder(name)
        if name in self.variables:
            return lambda env: env[name]
        if name in CONSTANTS:
            value = np.float64(CONSTANTS[name])
            return lambda env: value
        if name in _FUNCTIONS:
            raise FormulaError(
                f"function {name!r} needs arguments, e.g. {name}(x)", name, code="needs_arguments", name=name
            )
        raise FormulaError(
            f"unknown name {name!r}; use the variables ({', '.join(self.variables)}), "
            f"the constants ({', '.join(CONSTANTS)}) or a function",
            name,
            code="unknown_name",
            name=name,
            variables=", ".join(self.variables),
            constants=", ".join(CONSTANTS),
        )

    def _binary(self, node: ast.BinOp, depth: int) -> _Evaluator:
        operator = _BINARY_OPERATORS.get(type(node.op))
        if operator is None:
            symbol = self._text(node)
            if isinstance(node.op, ast.BitXor):
                raise FormulaError(f"'^' is not a power here; write ** instead: {symbol}", symbol, code="caret")
            raise FormulaError(f"only + - * / ** are allowed between terms: {symbol}", symbol, code="operator")
        left = self.build(node.left, depth + 1)
        right = self.build(node.right, depth + 1)
        return lambda env: operator(left(env), right(env))

    def _call(self, node: ast.Call, depth: int) -> _Evaluator:
        if not isinstance(node.func, ast.Name):
            raise self._forbidden(node.func)
        name = node.func.id
        self._reject_dunder(name)
        if name in self.variables or name in CONSTANTS:
            raise FormulaError(
                f"{name!r} is not a function; write {name}*(...) to multiply", name, code="not_a_function", name=name
            )
        if name not in _FUNCTIONS:
            raise FormulaError(
                f"unknown function {name!r}; choose one of: {', '.join(FUNCTIONS)}",
                name,
                code="unknown_function",
                name=name,
                functions=", ".join(FUNCTIONS),
            )
        if node.keywords:
            raise FormulaError(
                f"keyword arguments are not allowed: {self._text(node)}", self._text(node), code="keywords"
            )
        function, n_args = _FUNCTIONS[name]
        if len(node.args) != n_args:
            raise FormulaError(
                f"{name} takes {n_args} argument{'s' if n_args > 1 else ''}, got {len(node.args)}: {self._text(node)}",
                self._text(node),
                code="arity",
                name=name,
                expected=n_args,
                got=len(node.args),
            )
        arguments = [self.build(argument, depth + 1) for argument in node.args]
        return lambda env: function(*(argument(env) for argument in arguments))

    def _reject_dunder(self, name: str) -> None:
        if "__" in name:
            raise FormulaError(
                f"names with double underscores are not allowed: {name!r}", name, code="dunder", name=name
            )

    def _forbidden(self, node: ast.AST) -> FormulaError:
        kind = _FORBIDDEN_KINDS.get(type(node), f"{type(node).__name__} expressions are")
        fragment = self._text(node)
        return FormulaError(f"{kind} not allowed: {fragment}", fragment, code="forbidden", kind=kind)

    def _text(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.source, node) or type(node).__name__
