"""The shipped assets: top-level resources/ in the repository, nnviz/resources/<kind>/ in an installed copy."""
from __future__ import annotations

import fnmatch
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from nnviz.resources import KINDS, resource_files, resource_path, resource_root

ROOT = Path(__file__).resolve().parents[1]

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_a_checkout_reads_the_top_level_folder():
    assert resource_root() == ROOT / "resources"
    assert resource_path("icons/nnviz.svg").read_text().lstrip().startswith("<svg")
    assert resource_path("linux/nnviz.desktop").read_text().startswith("[Desktop Entry]")
    with pytest.raises(FileNotFoundError, match="does not ship"):
        resource_path("icons/missing.png")
    with pytest.raises(ValueError, match="unknown resource kind"):
        resource_files("fonts")


def test_every_package_and_every_asset_is_in_the_wheel_list():
    config = _setuptools()
    code = {".".join(p.relative_to(ROOT).parent.parts) for p in (ROOT / "nnviz").rglob("__init__.py")}
    assert code <= set(config["packages"]), f"add {sorted(code - set(config['packages']))} to pyproject.toml"
    for kind in KINDS:
        package = f"nnviz.resources.{kind}"
        assert package in config["packages"] and config["package-dir"][package] == f"resources/{kind}"
        patterns = config["package-data"][package]
        for path in (ROOT / "resources" / kind).iterdir():
            assert any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns), f"{path} would not be installed"


def test_an_installed_copy_finds_them_through_importlib_resources(tmp_path):
    pytest.importorskip("setuptools")
    wheels = tmp_path / "wheels"
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(wheels), str(ROOT)], capture_output=True, text=True, timeout=300,
                           cwd=tmp_path)
    if built.returncode != 0 and "No module named pip" in built.stderr:
        pytest.skip("pip is not available")
    assert built.returncode == 0, built.stderr
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools' scratch folder
    wheel = next(wheels.glob("nnviz-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped = [p.relative_to(ROOT).as_posix() for p in (ROOT / "resources").rglob("*") if p.is_file()]
    for name in shipped:
        assert f"nnviz/{name}" in names, name
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)  # what pip install puts into site-packages
    probe = (
        "import importlib.resources as r, nnviz.resources as nr\n"
        "root = r.files('nnviz') / 'resources'\n"
        "print(root.joinpath('icons/nnviz.svg').is_file(), nr.resource_root() == nr.resource_path('icons').parent,"
        " str(nr.resource_root()).startswith(%r))\n" % str(site)
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert out.stdout.split() == ["True", "True", "True"], out.stderr


def test_the_example_sessions_open():
    from nnviz.session.persist import load_session

    sessions = resource_files("sessions", ".nnviz")
    assert sessions, "resources/sessions ships at least one example"
    for path in sessions:
        state = load_session(path)
        assert state.iteration > 0 and len(state.history) == state.iteration
