"""The shape of the code, as issue 9 measures it: the largest modules and functions of layers/ and
functions/, and how many collaborators each use case takes. `python -m scripts.code_shape`."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_FUNCTION_LINES = 40


@dataclass(frozen=True)
class Measure:
    lines: int
    where: str


def _sources(root: Path) -> list[Path]:
    return sorted(path for folder in ("layers", "functions") for path in (root / folder).rglob("*.py"))


def modules(root: Path = ROOT) -> list[Measure]:
    found = [Measure(len(p.read_text().splitlines()), str(p.relative_to(root))) for p in _sources(root)]
    return sorted(found, key=lambda m: m.lines, reverse=True)


def functions(root: Path = ROOT) -> list[Measure]:
    found = []
    for path in _sources(root):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                found.append(Measure(lines, f"{path.relative_to(root)}:{node.name}"))
    return sorted(found, key=lambda m: m.lines, reverse=True)


def collaborators(root: Path = ROOT) -> dict[str, list[str]]:
    """Each use case class of `ameli/service` and the keyword arguments of its constructor."""
    found: dict[str, list[str]] = {}
    for path in sorted((root / "layers/shared/ameli/service").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        found[node.name] = [a.arg for a in item.args.kwonlyargs + item.args.args[1:]]
    return found


if __name__ == "__main__":
    print("largest modules (lines):")
    for measure in modules()[:6]:
        print(f"  {measure.lines:4d}  {measure.where}")
    print("largest functions (lines):")
    for measure in functions()[:6]:
        print(f"  {measure.lines:4d}  {measure.where}")
    print(f"functions over {MAX_FUNCTION_LINES} lines: {sum(m.lines > MAX_FUNCTION_LINES for m in functions())}")
    print("use cases (collaborators):")
    for name, arguments in collaborators().items():
        print(f"  {name}: {len(arguments)} ({', '.join(arguments)})")
