"""The service's words use one typography (ADR 0027 addendum, session 24): the curly
apostrophe (’) and "email". This reads every string a person may be shown, in the
apps' Python (not docstrings) and in their templates (not template comments), and fails
on a straight apostrophe inside a word or on "e-mail"."""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("safeguarding", "lcspr", "notifications", "rapid_reviews", "templates")
STRAIGHT = re.compile(r"[A-Za-z]'[A-Za-z]|[a-z]s'[\s.,:;)]")
E_MAIL = re.compile(r"(?<![A-Za-z/.@_-])[eE]-mail")
QUOTED = re.compile(r"(?<![A-Za-z])'")  # a quoted code literal ('x'): not prose
COMMENTS = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)
TAGS = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
TRANSLATED = re.compile(r'\{%\s*(?:translate|trans)\s+"([^"]*)"')


def _files(suffixes):
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*")):
            if path.suffix in suffixes and "migrations" not in path.parts:
                yield path


def _docstrings(tree) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                lines.add(first.value.lineno)
    return lines


def _python_words(path: Path):
    source = path.read_text()
    docstrings = _docstrings(ast.parse(source))
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.STRING or token.start[0] in docstrings:
            continue
        body = token.string.lstrip("rRbBfFuU")
        if body.startswith("'") or token.string[:2].lower() in ("b'", 'b"'):
            continue  # a single-quoted literal is code, and bytes are not words
        body = body.strip('"')
        yield token.start[0], body


def _template_words(path: Path):
    text = COMMENTS.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text())
    for number, line in enumerate(text.splitlines(), 1):
        words = TAGS.sub(" ", line)
        yield number, words
        for translated in TRANSLATED.findall(line):
            yield number, translated


def _problems(words) -> list[str]:
    found = []
    for number, text in words:
        if E_MAIL.search(text):
            found.append(f"{number}: e-mail: {text.strip()[:90]}")
        elif STRAIGHT.search(text) and not QUOTED.search(STRAIGHT.sub("", text)):
            found.append(f"{number}: straight apostrophe: {text.strip()[:90]}")
    return found


@pytest.mark.parametrize("path", list(_files({".py"})), ids=lambda p: str(p.relative_to(ROOT)))
def test_python_strings_use_the_services_typography(path):
    assert _problems(_python_words(path)) == []


@pytest.mark.parametrize(
    "path", list(_files({".html", ".txt"})), ids=lambda p: str(p.relative_to(ROOT))
)
def test_templates_use_the_services_typography(path):
    assert _problems(_template_words(path)) == []


def test_the_check_finds_what_it_is_for():
    """It would fail on the words it guards against, and not on code or curly words."""
    assert _problems([(1, "Enter the child's name")]) and _problems([(1, "We e-mail you")])
    assert _problems([(1, "the partners' response")])
    assert not _problems([(1, "Enter the child’s name; we email you")])
    assert not _problems([(1, "{% url 'lcspr:detail' pk %}"), (2, "x == 'status'")])
