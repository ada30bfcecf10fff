"""The shape of the code: the apps' layers hold (import-linter), and every app is in the contract."""

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
