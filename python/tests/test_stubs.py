"""The extension module's stubs name exactly what the module has, with the
same parameters (a stub that drifts from the module fails here)."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from govsim import _govsim

STUB = Path(__file__).resolve().parents[1] / "govsim" / "_govsim.pyi"


def stub_names() -> dict[str, ast.AST]:
    tree = ast.parse(STUB.read_text())
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names[node.target.id] = node
    return names


def test_the_stubs_name_exactly_the_modules_public_names():
    public = {n for n in dir(_govsim) if not n.startswith("_")} | {"__version__"}
    assert set(stub_names()) == public


def test_each_functions_parameters_match_its_stub():
    for name, node in stub_names().items():
        if not isinstance(node, ast.FunctionDef):
            continue
        signature = inspect.signature(getattr(_govsim, name))
        assert [a.arg for a in node.args.args] == list(signature.parameters), name


def test_each_class_member_is_in_the_stub():
    for name in ["Scenario", "LiveRun"]:
        node = stub_names()[name]
        members = {n.name for n in node.body if isinstance(n, ast.FunctionDef)} - {"__new__"}
        public = {n for n in dir(getattr(_govsim, name)) if not n.startswith("_")}
        assert members == public, name


def test_every_public_name_has_a_docstring():
    import govsim
    import govsim.ema

    for module in (govsim, govsim.ema, _govsim):
        names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
        for name in names:
            value = getattr(module, name)
            if callable(value) or inspect.isclass(value):
                assert (value.__doc__ or "").strip(), f"{module.__name__}.{name} has no docstring"
        for cls in (govsim.Scenario, govsim.LiveRun, govsim.RunResult, govsim.AnalysisResult):
            for member in (n for n in dir(cls) if not n.startswith("_")):
                static = inspect.getattr_static(cls, member)
                # Dataclass fields are described in their class's docstring.
                if callable(static) or isinstance(static, property) or type(static).__name__.endswith("descriptor"):
                    assert (getattr(cls, member).__doc__ or "").strip(), f"{cls.__name__}.{member}"
