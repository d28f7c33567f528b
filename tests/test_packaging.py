"""Packaging: licence files for the code and for the data the package ships, in the repo and
in the wheel; project metadata."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

# What ships under which licence: (licence file, SPDX id it states, files it covers).
LICENSED = [
    ("LICENSE", "MIT", ["emoji_alpha/__init__.py"]),
    ("emoji_alpha/liif/trained/LICENSE.md", "CC-BY-SA-4.0", ["emoji_alpha/liif/trained/emoji-rgb.pt",
                                                             "emoji_alpha/liif/trained/emoji-rgba.pt"]),
    ("emoji_alpha/samples/LICENSE.md", "CC-BY-4.0", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "emoji_alpha" / "samples").glob("*.png"))),
]
LICENCE_WORDS = {"MIT": "MIT License", "CC-BY-SA-4.0": "creativecommons.org/licenses/by-sa/4.0",
                 "CC-BY-4.0": "creativecommons.org/licenses/by/4.0"}


@pytest.mark.parametrize(("licence_file", "spdx", "covered"), LICENSED)
def test_every_licence_is_in_the_repo_and_declared(licence_file: str, spdx: str, covered: list[str]) -> None:
    text = (ROOT / licence_file).read_text()
    assert LICENCE_WORDS[spdx] in text
    assert licence_file in PYPROJECT["license-files"]
    assert spdx in PYPROJECT["license"].split(" AND ")
    assert covered and all((ROOT / path).is_file() for path in covered)


def test_weights_licence_repeats_the_base_models_notice() -> None:
    text = (ROOT / "emoji_alpha/liif/trained/LICENSE.md").read_text()
    assert "BSD 3-Clause License" in text and "Copyright (c) 2020, Yinbo Chen" in text
    assert "BSD-3-Clause" in PYPROJECT["license"].split(" AND ")


def test_project_metadata() -> None:
    assert PYPROJECT["urls"] and all(url.startswith("https://") for url in PYPROJECT["urls"].values())
    classifiers = PYPROJECT["classifiers"]
    assert any(c.startswith("Development Status ::") for c in classifiers)
    assert not any(c.startswith("License ::") for c in classifiers)  # PEP 639: the expression says it


@pytest.mark.slow
def test_wheel_holds_the_licences_and_the_data(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT / "emoji_alpha", source / "emoji_alpha", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(tmp_path / "dist"), str(source)], capture_output=True, text=True, timeout=300)
    if done.returncode != 0 and "No module named" in done.stderr:
        pytest.skip(f"cannot build here: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stderr
    [wheel] = (tmp_path / "dist").glob("emoji_alpha-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        [metadata] = [n for n in names if n.endswith(".dist-info/METADATA")]
        fields = Parser().parsestr(archive.read(metadata).decode())
    info = metadata.rsplit("/", 1)[0]
    for licence_file, _spdx, covered in LICENSED:
        assert f"{info}/licenses/{licence_file}" in names, licence_file
        assert set(covered) <= names, licence_file  # and what it covers ships too
    assert {"emoji_alpha/liif/trained/LICENSE.md", "emoji_alpha/samples/LICENSE.md"} <= names  # beside the data too
    assert fields["License-Expression"] == PYPROJECT["license"]
    assert sorted(fields.get_all("License-File")) == sorted(PYPROJECT["license-files"])
    assert len(fields.get_all("Project-URL")) == len(PYPROJECT["urls"])
