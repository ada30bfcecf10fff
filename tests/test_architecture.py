"""The shape of the code: the apps' layers hold (import-linter), every app is in the contract, and
only the access policy looks at roles."""

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def contract() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def test_every_project_app_is_in_the_layers_contract():
    ours = {a.name for a in apps.get_app_configs() if Path(a.path).parent == ROOT}
    layered = {name.strip() for layer in contract()["contracts"][0]["layers"] for name in layer.split("|")}
    assert ours <= layered
    assert set(contract()["root_packages"]) == layered


def test_the_layers_contract_lists_no_exceptions():
    [layers] = contract()["contracts"]
    assert layers["type"] == "layers"
    assert "ignore_imports" not in layers
    assert "unmatched_ignore_imports_alerting" not in layers


def test_the_apps_keep_their_layers():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


# --- The access policy is the one place that looks at roles ---------------------------------------

POLICY = ROOT / "accounts" / "policy.py"
APP_DIRS = (
    "accounts",
    "board",
    "cadres",
    "cases",
    "config",
    "core",
    "demo",
    "kelurahan",
    "reports",
    "training",
)
QUERY_METHODS = {
    "filter",
    "exclude",
    "get",
    "get_or_create",
    "update_or_create",
    "Q",
    "annotate",
    "aggregate",
}
TEMPLATE_ROLE_TEST = re.compile(r"{%[^%]*\b(if|elif)\b[^%]*\brole\b[^%]*%}")


def _is_role(node) -> bool:
    """``x.role``, ``role``, or ``Role.X``."""
    if isinstance(node, ast.Attribute):
        return node.attr == "role" or (isinstance(node.value, ast.Name) and node.value.id == "Role")
    return isinstance(node, ast.Name) and node.id == "role"


def _names_a_role(node) -> bool:
    """A literal role: ``Role.X``, a string, or a list or tuple of them (not a value a user chose)."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return any(_names_a_role(n) for n in node.elts)
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role"
    )


def role_tests_in(path: Path) -> list[str]:
    """Comparisons of a role, and queries filtered by a given role, in one Python file. (The
    admin's user list filtered by the role the admin picked is a search, not a role test.)"""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Compare) and any(_is_role(n) for n in [node.left, *node.comparators]):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} compares a role")
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in QUERY_METHODS and any(
                k.arg
                and (k.arg == "role" or k.arg.startswith("role__") or "__role" in k.arg)
                and _names_a_role(k.value)
                for k in node.keywords
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} filters by role")
    return found


def app_python_files():
    for app in APP_DIRS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts and path != POLICY:
                yield path


def test_no_code_outside_the_policy_tests_a_role():
    found = [line for path in app_python_files() for line in role_tests_in(path)]
    assert found == []


def test_no_template_tests_a_role():
    templates = [*(ROOT / "templates").rglob("*.html")]
    for app in APP_DIRS:
        templates += (ROOT / app).rglob("templates/**/*.html")
    found = [str(t.relative_to(ROOT)) for t in templates if TEMPLATE_ROLE_TEST.search(t.read_text())]
    assert found == []


def test_the_role_check_finds_what_it_looks_for(tmp_path):
    sample = ROOT / "tests" / "_role_sample.py"
    sample.write_text(
        "if user.role == Role.KADER: pass\n"
        "if role in (Role.ADMIN,): pass\n"
        "User.objects.filter(role=Role.KPAD, is_active=True)\n"
        "Q(users__role='kader')\n"
        "users.filter(role=form.cleaned_data['role'])\n"  # the admin's search by the role picked
        "User(username='x', role=Role.ADMIN)\n"  # naming a role when creating a user is not a test
    )
    try:
        assert [line.split(" ", 1)[1] for line in role_tests_in(sample)] == [
            "compares a role",
            "compares a role",
            "filters by role",
            "filters by role",
        ]
    finally:
        sample.unlink()
