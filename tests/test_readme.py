"""README.md is what a partnership's IT team deploys from and a new developer starts with:
its demo users are the ones `seed_demo` makes, and its configuration tables list every
variable settings.py and docker-compose.yml read, with settings.py's own defaults."""

import ast
import re
from pathlib import Path

import pytest

from safeguarding.models import Role

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SETTINGS = ROOT / "safeguarding" / "settings.py"
COMPOSE_FILE = ROOT / "docker-compose.yml"


def _section(title: str) -> str:
    text = README.read_text()
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def _tables(text: str) -> list[list[list[str]]]:
    """The Markdown tables in text: each a list of rows of cells (no header, no rule)."""
    tables: list[list[list[str]]] = []
    rule = re.compile(r"\|[-| :]+\|")
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.startswith("|"):
            continue
        if i + 1 < len(lines) and rule.fullmatch(lines[i + 1]):
            tables.append([])  # a header starts a table
            continue
        if rule.fullmatch(line):
            continue
        tables[-1].append([cell.strip() for cell in line.strip("|").split("|")])
    return tables


def _table(rows: list[list[str]]) -> dict[str, str]:
    """Variable (each `NAME` of the first cell) -> the second cell."""
    return {name: row[1] for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row[0])}


# --- Demo users ------------------------------------------------------------------------


@pytest.mark.django_db
def test_readme_demo_users_are_the_ones_seed_demo_makes():
    from safeguarding.demo import DEMO_PASSWORD, seed_people_and_places
    from safeguarding.models import Membership, User

    section = _section("Demo users")
    assert f"`{DEMO_PASSWORD}`" in section, "README gives another demo password"
    (rows,) = _tables(section)
    readme = {row[0].strip("`"): row[1] for row in rows}
    seeded = [email for email, *_ in seed_people_and_places()]
    assert sorted(readme) == sorted(seeded), (
        f"README lists {sorted(set(readme) - set(seeded))} that seed_demo does not make, "
        f"and not {sorted(set(seeded) - set(readme))} that it does"
    )
    for email, described in readme.items():
        user = User.objects.get(email=email)
        memberships = list(Membership.objects.filter(user=user).select_related())
        if not memberships:
            assert user.is_superuser and described.startswith("Administrator"), email
            continue
        (membership,) = memberships
        assert described.startswith(str(Role(membership.role).label)), (email, described)
        where = membership.partnership.code if membership.partnership else membership.region.name
        assert where in described, f"{email}: README says {described!r}, seeded in {where}"
        if membership.agency:
            agency = re.search(r"\((.+?)\)", described)
            assert agency and membership.agency.name.startswith(agency.group(1)), (
                f"{email}: README says {described!r}, seeded for {membership.agency.name}"
            )
    described_roles = " ".join(readme.values())
    missing = [str(role.label) for role in Role if str(role.label) not in described_roles]
    assert not missing, f"no demo user in README for the roles {missing}"


# --- Configuration ---------------------------------------------------------------------


def _settings_defaults() -> dict[str, ast.expr | None]:
    """Every env.<type>("NAME", default=...) in settings.py: name -> default expression."""
    found: dict[str, ast.expr | None] = {}
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if not (isinstance(owner, ast.Name) and owner.id == "env"):
            continue
        if not (node.args and isinstance(node.args[0], ast.Constant)):
            continue
        default = next((k.value for k in node.keywords if k.arg == "default"), None)
        found[node.args[0].value] = default
    return found


def _words_of_default(node: ast.expr | None) -> list[str]:
    """What the README's default must say for a default written this way in settings.py."""
    if node is None:
        return []
    if isinstance(node, ast.IfExp):
        condition = [n.id for n in ast.walk(node.test) if isinstance(n, ast.Name)]
        return condition + _words_of_default(node.body) + _words_of_default(node.orelse)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]
    if isinstance(node, ast.List | ast.Tuple) and not node.elts:
        return ["none"]
    if isinstance(node, ast.Constant) and node.value == "":
        return ["none"]
    try:
        value = ast.literal_eval(node)
    except ValueError:
        try:  # arithmetic of constants: 30 * 60
            if all(isinstance(n, ast.BinOp | ast.Constant | ast.operator) for n in ast.walk(node)):
                value = eval(compile(ast.Expression(node), "settings", "eval"), {})  # noqa: S307
            else:
                raise ValueError from None
        except ValueError:
            # A path or an f-string: its literal parts ("db.sqlite3", "outbox").
            return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant)]
    if isinstance(value, bool):
        return [str(value).lower()]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _configuration_tables() -> tuple[dict[str, str], dict[str, str]]:
    """The Configuration section's two tables: settings.py's variables, then
    docker-compose.yml's own (variable -> its README default)."""
    tables = [*_tables(_section("Configuration")), [], []]
    return _table(tables[0]), _table(tables[1])


def test_readme_documents_every_setting_with_its_default():
    defaults = _settings_defaults()
    assert "SECRET_KEY" in defaults and "TRUSTED_PROXIES" in defaults, "settings.py not parsed"
    table, _ = _configuration_tables()

    missing = sorted(set(defaults) - set(table))
    assert not missing, f"README's Configuration does not list: {missing}"

    wrong = {}
    for name, node in defaults.items():
        cell = table[name]
        assert cell, f"README gives no default for {name}"
        unsaid = [w for w in _words_of_default(node) if w.lower() not in cell.lower()]
        if unsaid:
            wrong[name] = (cell, unsaid)
    assert not wrong, f"README's defaults disagree with settings.py (cell, missing): {wrong}"


def test_readme_configuration_lists_only_what_is_read():
    table, _ = _configuration_tables()
    stray = sorted(set(table) - set(_settings_defaults()))
    assert not stray, f"README lists as settings variables settings.py does not read: {stray}"


def test_readme_documents_docker_compose_variables_with_their_defaults():
    """${NAME:-default} and ${NAME:?message} (required) of docker-compose.yml."""
    compose = re.findall(r"\$\{([A-Z][A-Z0-9_]*)(?::([-?])([^}]*))?\}", COMPOSE_FILE.read_text())
    _, table = _configuration_tables()
    wrong = {}
    for name, kind, value in compose:
        cell = table.get(name)
        if cell is None:
            wrong[name] = "not in README's docker-compose table"
        elif kind == "-" and f"`{value}`" not in cell:
            wrong[name] = f"README says {cell!r}, docker-compose.yml defaults to {value!r}"
        elif kind == "?" and "required" not in cell:
            wrong[name] = f"README says {cell!r}, docker-compose.yml requires it"
    assert not wrong, wrong
    stray = sorted(set(table) - {name for name, *_ in compose})
    assert not stray, f"README's docker-compose table lists variables it does not read: {stray}"
