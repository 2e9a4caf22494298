"""The plugin imports hypothesis past pytest's assert-rewriting hook (suite/plugin.py, ``import_unrewritten``)."""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec
from pathlib import Path

import pytest

from suite.plugin import import_unrewritten


class AssertionRewritingHook:
    """Stands in for pytest's hook (found by its class name): records every module it is asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        """Record the name and leave the import to the other finders."""
        self.asked.append(name)
        return None


def test_the_named_packages_are_imported_without_the_rewriting_hook(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook is never asked for the packages, and is back in front of the other finders afterwards."""
    (tmp_path / "thirdparty_pkg").mkdir()
    (tmp_path / "thirdparty_pkg" / "__init__.py").write_text("from thirdparty_pkg import inner\n")
    (tmp_path / "thirdparty_pkg" / "inner.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    hook = AssertionRewritingHook()
    monkeypatch.setattr(sys, "meta_path", [hook, *sys.meta_path])
    for name in ("thirdparty_pkg", "thirdparty_pkg.inner"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    import_unrewritten(("thirdparty_pkg",))
    assert sys.modules["thirdparty_pkg"].inner.VALUE == 1
    assert hook.asked == []
    assert sys.meta_path[0] is hook

    (tmp_path / "thirdparty_pkg" / "later.py").write_text("VALUE = 2\n")
    monkeypatch.delitem(sys.modules, "thirdparty_pkg.later", raising=False)
    __import__("thirdparty_pkg.later")
    assert hook.asked == ["thirdparty_pkg.later"]  # imports after it are the hook's again


def test_packages_already_imported_are_left_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked self-test run finds hypothesis imported (rewritten, by the zygote): the hook is not even moved."""
    hook = AssertionRewritingHook()
    finders = [hook, *sys.meta_path]
    monkeypatch.setattr(sys, "meta_path", finders)
    import_unrewritten(("sys", "os"))
    assert sys.meta_path is finders and sys.meta_path[0] is hook and hook.asked == []
