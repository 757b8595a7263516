"""A non-editable ``pip install .`` into a clean virtualenv ships everything and loads every plugin.

The clean environment sees the already-installed dependencies through a ``.pth`` file (so the
test needs no network) but gets GovCat itself only from the built distribution.
"""
from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import textwrap
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# ckan/__init__.py puts its own directory first on sys.path, where ckan/types shadows the
# standard library's ``types`` unless that is imported first (a normal venv's site hooks do).
CHECK = textwrap.dedent("""
    import types, typing, functools
    import json, sys
    from importlib import metadata, resources
    from ckan.cli import load_config
    from ckan.common import config
    config.update(load_config(sys.argv[1]))
    import ckan.plugins as p
    import ckanext.govcat, ckanext.govcat.harvesters
    names = sorted(ep.name for ep in metadata.entry_points(group="ckan.plugins")
                   if ep.value.startswith("ckanext.govcat"))
    p.load(*names)
    package = resources.files("ckanext.govcat")
    print(json.dumps({
        "plugins": names,
        "loaded": [n for n in names if p.plugin_loaded(n)],
        "package_file": ckanext.govcat.__file__,
        "userdict": resources.files("ckanext.govcat.schemas").joinpath("search/userdict.txt").is_file(),
        "migrations": sorted(d.name for d in package.joinpath("migration").iterdir()
                             if d.joinpath("alembic.ini").is_file()),
        "declarations": package.joinpath("search", "config_declaration.yaml").is_file(),
    }))
""")


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("clean-venv")
    venv.EnvBuilder(with_pip=False).create(root)
    site = next((root / "lib").glob("python*/site-packages"))
    (site / "_govcat_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(root / "bin" / "python"), "install",
         "--quiet", "--no-deps", "--no-build-isolation", str(REPO)],
        check=True, cwd=root,
    )
    return root


def test_installed_distribution_loads_every_plugin(clean_env: Path) -> None:
    ini = str(REPO / "config" / "test.ini")
    done = subprocess.run([str(clean_env / "bin" / "python"), "-c", CHECK, ini],
                          capture_output=True, text=True, cwd=clean_env)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    report = json.loads(out.strip().splitlines()[-1])
    assert "govcat_search" in report["plugins"]
    assert report["loaded"] == report["plugins"]
    assert str(clean_env) in report["package_file"], "imported from the source tree, not the install"
    assert report["userdict"] and report["declarations"]
    assert "govcat_search" in report["migrations"]
