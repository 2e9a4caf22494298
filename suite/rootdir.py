"""Keep pytest's rootdir where the test paths are when an option value is a path.

pytest settles its rootdir and ini file before it loads plugins, so at that
moment it does not know that ``--report-dir /tmp/x`` or ``--backend ../b.py``
take a value: it reads ``/tmp/x`` as a test path, and the rootdir, the ini file
(with its ``testpaths``) and the test ids all follow it. Once the suite's
options are known, this hook settles them again from the real test paths, just
as pytest would have with ``--report-dir=/tmp/x``.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, parser: pytest.Parser, args: list[str]) -> None:
    """Settle rootdir, ini file and confcutdir again, with option values no longer taken for test paths."""
    namespace = early_config.known_args_namespace
    if namespace.rootdir or namespace.inifilename:
        return  # the user chose; respect it
    try:
        from _pytest.config.findpaths import determine_setup

        rootpath, inipath, inicfg, ignored = determine_setup(
            inifile=None,
            override_ini=namespace.override_ini,
            args=namespace.file_or_dir,
            rootdir_cmd_arg=None,
            invocation_dir=early_config.invocation_params.dir,
        )
    except (ImportError, TypeError, ValueError):
        return  # another pytest: keep what it settled rather than guess at its internals
    if rootpath == early_config.rootpath:
        return
    old_default_cutdir = str(early_config.inipath.parent if early_config.inipath else early_config.rootpath)
    early_config._rootpath = rootpath
    early_config._inipath = inipath
    early_config._inicfg = inicfg
    early_config._ignored_config_files = ignored
    early_config._inicache.clear()
    parser.extra_info["rootdir"] = str(rootpath)
    parser.extra_info["inifile"] = str(inipath)
    if namespace.confcutdir == old_default_cutdir:
        namespace.confcutdir = str(inipath.parent if inipath else rootpath)
