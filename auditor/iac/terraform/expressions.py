"""Terraform expressions, evaluated over python-hcl2's parse tree, as far as source can.

python-hcl2 parses; nothing in Python evaluates HCL, so this module does, for what a
pull-request reading can know: literals, variables and locals, ``count``/``each``,
conditionals and operators on known values, string templates, ``for`` expressions, splats
and the functions modules of this pattern use (``merge``, ``lookup``, ``try``, ``concat``,
``format``, ...). A reference to a resource stays a `Reference`, followed later by
address. Anything else (a function only ``plan`` runs, an operator on a value only
``apply`` knows) is `Unknown` with its reason, so a rule that needs it gives ``error``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lark import Token, Tree

from auditor.iac.terraform.model import Concat, Reference
from auditor.iac.values import Unknown


class EvalError(Exception):
    """An expression that fails as Terraform's would (``try`` takes the next one)."""


class ResourceRef:
    """``aws_lb.api`` without an attribute: what ``.dns_name`` applies to."""

    def __init__(self, address: str) -> None:
        self.address = address

    def attr(self, name: str) -> Reference:
        return Reference(self.address, name)


class Lazy:
    """A named scope whose members are evaluated when first read (``local``, ``module.x``)."""

    def __init__(self, name: str, get: Callable[[str], Any]) -> None:
        self.name, self.get = name, get


def _first(node: Tree) -> Any:
    return next(c for c in node.children if isinstance(c, Tree))


def symbolic(value: Any) -> bool:
    return isinstance(value, (Reference, Concat, Unknown, ResourceRef))


def _unknown_in(values: list[Any]) -> Unknown | None:
    for value in values:
        if isinstance(value, Unknown):
            return value
        if symbolic(value):
            return Unknown(f"{value} (known after apply)")
    return None


# ---------------------------------------------------------------- functions


def _fn_lookup(m: Any, key: Any, *default: Any) -> Any:
    if isinstance(m, dict) and key in m:
        return m[key]
    if default:
        return default[0]
    raise EvalError(f"lookup: no key {key!r}")


def _fn_format(spec: str, *args: Any) -> str:
    out, i = "", 0
    parts = iter(range(len(spec)))
    for pos in parts:
        ch = spec[pos]
        if ch == "%" and pos + 1 < len(spec):
            verb = spec[pos + 1]
            next(parts, None)
            if verb == "%":
                out += "%"
                continue
            out += str(args[i]).lower() if isinstance(args[i], bool) else str(args[i])
            i += 1
        else:
            out += ch
    return out


def _flatten(value: Any) -> list:
    out: list = []
    for item in value:
        out += _flatten(item) if isinstance(item, list) else [item]
    return out


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "merge": lambda *maps: {k: v for m in maps if isinstance(m, dict) for k, v in m.items()},
    "concat": lambda *lists: [v for item in lists for v in item],
    "tolist": list, "toset": lambda v: list(dict.fromkeys(v)), "tomap": dict,
    "tostring": lambda v: v if isinstance(v, str) else json.dumps(v),
    "tonumber": lambda v: float(v) if "." in str(v) else int(v),
    "tobool": lambda v: v if isinstance(v, bool) else str(v) == "true",
    "lookup": _fn_lookup, "length": len, "element": lambda lst, i: lst[int(i) % len(lst)],
    "coalesce": lambda *v: next(x for x in v if x not in (None, "")),
    "format": _fn_format, "join": lambda sep, items: sep.join(str(i) for i in items),
    "split": lambda sep, s: s.split(sep), "lower": str.lower, "upper": str.upper,
    "trimspace": str.strip, "replace": lambda s, a, b: s.replace(a, b),
    "jsonencode": lambda v: json.dumps(v, separators=(",", ":")),
    "compact": lambda items: [i for i in items if i not in (None, "")],
    "flatten": _flatten, "distinct": lambda items: list(dict.fromkeys(items)),
    "keys": lambda m: sorted(m), "values": lambda m: [m[k] for k in sorted(m)],
    "contains": lambda items, v: v in items, "sensitive": lambda v: v,
    "nonsensitive": lambda v: v, "one": lambda items: items[0] if items else None,
    "zipmap": lambda k, v: dict(zip(k, v, strict=False)),
    "range": lambda *a: list(range(*[int(x) for x in a])), "max": max, "min": min,
    "abs": abs, "startswith": str.startswith, "endswith": str.endswith,
    "substr": lambda s, o, n: s[int(o):] if int(n) < 0 else s[int(o):int(o) + int(n)],
}


# ---------------------------------------------------------------- evaluator


class Evaluator:
    """Evaluates expression trees in a scope: name -> value (``var``, ``local``, ...)."""

    def __init__(self, lookup: Callable[[str], Any]) -> None:
        self.lookup = lookup  # a root name (var, aws_lb, each) -> its value

    def with_names(self, names: dict[str, Any]) -> Evaluator:
        outer = self.lookup
        return Evaluator(lambda name: names[name] if name in names else outer(name))

    # entry point
    def eval(self, node: Any) -> Any:
        if isinstance(node, Token):
            return self._token(node)
        handler = getattr(self, "_" + node.data, None)
        if handler is None:
            return Unknown(f"a {node.data.replace('_', ' ')} expression (evaluated by "
                           "terraform plan)")
        return handler(node)

    @staticmethod
    def _kids(node: Tree) -> list[Any]:
        return [c for c in node.children if not (isinstance(c, Tree)
                                                 and c.data == "new_line_or_comment")]

    def _token(self, token: Token) -> Any:
        return str(token)

    # ------------------------------------------------------------ terms

    def _expr_term(self, node: Tree) -> Any:
        inner = [c for c in self._kids(node) if isinstance(c, Tree)]
        return self.eval(inner[0]) if inner else None

    def _int_lit(self, node: Tree) -> Any:
        return int(str(node.children[0]))

    def _float_lit(self, node: Tree) -> Any:
        return float(str(node.children[0]))

    def _literal_value(self, node: Tree) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _identifier(self, node: Tree) -> Any:
        return self.lookup(str(node.children[0]))

    def _string(self, node: Tree) -> Any:
        parts: list[Any] = []
        children = [c for c in node.children if isinstance(c, Tree)]
        skipping: list[bool] = []
        for part in children:
            inner = part.children[0] if part.children else ""
            if isinstance(inner, Tree) and inner.data == "interpolation":
                if not any(skipping):
                    parts.append(self.eval(_first(inner)))
            elif isinstance(inner, Tree) and inner.data == "template_if_start":
                cond = self.eval(_first(inner))
                if symbolic(cond):
                    return Unknown("a string template with %{if} on a value known after "
                                   "apply")
                skipping.append(not cond)
            elif isinstance(inner, Tree) and inner.data == "template_else":
                skipping[-1] = not skipping[-1]
            elif isinstance(inner, Tree) and inner.data == "template_endif":
                skipping.pop()
            elif isinstance(inner, Tree):
                return Unknown("a string template with %{for} (evaluated by terraform plan)")
            elif not any(skipping):
                parts.append(_unescape(str(inner)))
        return _join(parts)

    def _heredoc_template(self, node: Tree) -> Any:
        text = str(node.children[0])
        body = text.split("\n", 1)[1].rsplit("\n", 1)[0] if "\n" in text else ""
        return Unknown("a heredoc with interpolation") if "${" in body else body + "\n"

    _heredoc_template_trim = _heredoc_template

    def _tuple(self, node: Tree) -> Any:
        return [self.eval(c) for c in self._kids(node) if isinstance(c, Tree)]

    def _object(self, node: Tree) -> Any:
        out: dict[str, Any] = {}
        for elem in (c for c in node.children if isinstance(c, Tree)
                     and c.data == "object_elem"):
            key_node, value_node = [c for c in elem.children if isinstance(c, Tree)]
            key = self._key(key_node)
            if symbolic(key):
                return Unknown("an object with a key known after apply")
            out[str(key)] = self.eval(value_node)
        return out

    def _key(self, node: Tree) -> Any:
        inner = [c for c in node.children if isinstance(c, Tree)]
        term = inner[0] if inner else node
        bare = [c for c in term.children if isinstance(c, Tree)] if term.data == \
            "expr_term" else []
        if bare and bare[0].data == "identifier":  # { Name = ... }: a bare word
            return str(bare[0].children[0])
        return self.eval(term) if inner else str(node.children[0])

    # ------------------------------------------------------------ access

    def _get_attr_expr_term(self, node: Tree) -> Any:
        base_node, attr = [c for c in node.children if isinstance(c, Tree)]
        return self.attr(self.eval(base_node), str(attr.children[-1].children[0])
                         if isinstance(attr.children[-1], Tree) else str(attr.children[-1]))

    def attr(self, base: Any, name: str) -> Any:
        if isinstance(base, Lazy):
            return base.get(name)
        if isinstance(base, ResourceRef):
            return base.attr(name)
        if isinstance(base, Reference):
            return Reference(base.address, base.attribute, base.path + (name,))
        if isinstance(base, Unknown):
            return base
        if isinstance(base, dict):
            if name not in base:
                raise EvalError(f"no attribute {name}")
            return base[name]
        if isinstance(base, Concat):
            return Unknown(f"{name} of a value known after apply")
        raise EvalError(f"no attribute {name} on {type(base).__name__}")

    def _index_expr_term(self, node: Tree) -> Any:
        base_node, index = [c for c in node.children if isinstance(c, Tree)]
        if index.data == "short_index":
            key: Any = int(str(index.children[-1]))
        else:
            key = self.eval(_first(index))
        return self.index(self.eval(base_node), key)

    def index(self, base: Any, key: Any) -> Any:
        if symbolic(key):
            return Unknown(f"an index known after apply ({key})")
        if isinstance(base, Reference):
            return Reference(base.address, base.attribute, base.path + (key,))
        if isinstance(base, Unknown):
            return base
        if isinstance(base, list):
            if not isinstance(key, (int, float)) or int(key) >= len(base):
                raise EvalError(f"index {key!r} out of range")
            return base[int(key)]
        if isinstance(base, dict):
            if str(key) not in base:
                raise EvalError(f"no key {key!r}")
            return base[str(key)]
        raise EvalError(f"cannot index {type(base).__name__}")

    def _full_splat_expr_term(self, node: Tree) -> Any:
        base_node, splat = [c for c in node.children if isinstance(c, Tree)]
        base = self.eval(base_node)
        if isinstance(base, Unknown):
            return base
        items = base if isinstance(base, list) else list(base.values()) \
            if isinstance(base, dict) else [base]
        out = []
        for item in items:
            for step in (c for c in splat.children if isinstance(c, Tree)):
                if step.data == "get_attr":
                    item = self.attr(item, str(step.children[-1].children[0]))
                else:
                    item = self.index(item, self.eval(_first(step)))
            out.append(item)
        return out

    _attr_splat_expr_term = _full_splat_expr_term

    # ------------------------------------------------------------ operators

    def _conditional(self, node: Tree) -> Any:
        cond, yes, no = [c for c in self._kids(node) if isinstance(c, Tree)]
        test = self.eval(cond)
        if symbolic(test):
            return Unknown(f"a condition on a value known after apply ({test})")
        return self.eval(yes) if test else self.eval(no)

    def _unary_op(self, node: Tree) -> Any:
        op = str(node.children[0])
        value = self.eval(node.children[1])
        if symbolic(value):
            return Unknown(f"{op} of a value known after apply")
        return (not value) if op == "!" else -value

    def _binary_op(self, node: Tree) -> Any:
        left_node, term = [c for c in self._kids(node) if isinstance(c, Tree)]
        op = str(term.children[0].children[0])
        right_node = next(c for c in term.children[1:] if isinstance(c, Tree)
                          and c.data != "new_line_or_comment")
        left = self.eval(left_node)
        if (op == "&&" and left is False) or (op == "||" and left is True):
            return left
        right = self.eval(right_node)
        unknown = _unknown_in([left, right])
        if unknown is not None:
            if op in ("==", "!=") and isinstance(left, Reference) and left == right:
                return op == "=="
            return unknown
        return BINARY[op](left, right)

    def _function_call(self, node: Tree) -> Any:
        name = str(node.children[0].children[0])
        args_node = next((c for c in node.children if isinstance(c, Tree)
                          and c.data == "arguments"), None)
        arg_nodes = [c for c in args_node.children if isinstance(c, Tree)
                     and c.data != "new_line_or_comment"] if args_node else []
        if name in ("try", "can"):
            return self._try(arg_nodes, name)
        args = [self.eval(a) for a in arg_nodes]
        function = FUNCTIONS.get(name)
        if function is None:
            return Unknown(f"{name}() (evaluated by terraform plan)")
        if name in ("merge", "concat") and any(isinstance(a, Unknown) for a in args):
            return next(a for a in args if isinstance(a, Unknown))
        unknown = _unknown_in(args) if name not in ("sensitive", "nonsensitive", "tolist",
                                                    "concat", "merge", "toset",
                                                    "coalesce", "lookup", "element",
                                                    "one") else None
        if unknown is not None:
            return unknown
        try:
            return function(*args)
        except (TypeError, ValueError, KeyError, IndexError, StopIteration,
                AttributeError) as exc:
            raise EvalError(f"{name}(): {exc}") from exc

    def _try(self, arg_nodes: list[Tree], name: str) -> Any:
        for arg in arg_nodes:
            try:
                value = self.eval(arg)
            except EvalError:
                continue
            return True if name == "can" else value
        if name == "can":
            return False
        raise EvalError("try(): no argument succeeded")

    def _for_tuple_expr(self, node: Tree) -> Any:
        return self._for(node, as_object=False)

    def _for_object_expr(self, node: Tree) -> Any:
        return self._for(node, as_object=True)

    def _for(self, node: Tree, as_object: bool) -> Any:
        parts = [c for c in self._kids(node) if isinstance(c, Tree)]
        intro, rest = parts[0], parts[1:]
        names = [str(c.children[0]) for c in intro.children if isinstance(c, Tree)
                 and c.data == "identifier"]
        collection = self.eval(next(c for c in intro.children if isinstance(c, Tree)
                                    and c.data != "identifier"))
        if symbolic(collection):
            return Unknown(f"a for expression over a value known after apply ({collection})")
        cond = rest[-1] if rest and rest[-1].data == "for_cond" else None
        body = rest[:-1] if cond is not None else rest
        items = collection.items() if isinstance(collection, dict) else enumerate(collection)
        out_list, out_map = [], {}
        for key, value in items:
            bound = dict(zip(names, [key, value] if len(names) == 2 else [value],
                             strict=False))
            inner = self.with_names(bound)
            if cond is not None:
                test = inner.eval(_first(cond))
                if symbolic(test):
                    return Unknown("a for expression filtered on a value known after apply")
                if not test:
                    continue
            if as_object:
                out_map[str(inner.eval(body[0]))] = inner.eval(body[1])
            else:
                out_list.append(inner.eval(body[0]))
        return out_map if as_object else out_list


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(a: Any, b: Any) -> bool:
        try:
            return op(a, b)
        except TypeError as exc:
            raise EvalError(str(exc)) from exc
    return check


BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b,
    "&&": lambda a, b: bool(a and b), "||": lambda a, b: bool(a or b),
    "<": _compare(lambda a, b: a < b), ">": _compare(lambda a, b: a > b),
    "<=": _compare(lambda a, b: a <= b), ">=": _compare(lambda a, b: a >= b),
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
    "/": lambda a, b: a / b, "%": lambda a, b: a % b,
}


def _unescape(text: str) -> str:
    return (text.replace('\\"', '"').replace("\\n", "\n").replace("\\t", "\t")
            .replace("$${", "${").replace("%%{", "%{").replace("\\\\", "\\"))


def _join(parts: list[Any]) -> Any:
    if len(parts) == 1 and not isinstance(parts[0], str):
        return parts[0]  # "${aws_lb.api.dns_name}": the value itself, not a string of it
    if any(isinstance(p, Unknown) for p in parts):
        return next(p for p in parts if isinstance(p, Unknown))
    if any(symbolic(p) for p in parts):
        return Concat(tuple(p for p in parts if p != ""))
    return "".join(str(p).lower() if isinstance(p, bool) else "" if p is None else str(p)
                   for p in parts)
