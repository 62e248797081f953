"""botocore's data files parsed once per test process (test speed only).

moto resets boto3's default session for every test, and each new botocore session parses
its JSON data files again (the endpoint rules, each service's model): about half a
second per test that uses AWS, most of a test's setup. ``install()`` keeps what
``JSONFileLoader.load_file`` parsed, by path, for every later session of the process; botocore
already hands the same parsed objects to every client of one session (its loader's
instance cache), so sharing them across sessions changes nothing but the time. Only
``tests/conftest.py`` installs it.
"""

from __future__ import annotations

from typing import Any

_MARK = "_tradekitt_process_cache"


def install() -> None:
    from botocore.loaders import JSONFileLoader

    if getattr(JSONFileLoader.load_file, _MARK, False):
        return
    original = JSONFileLoader.load_file
    parsed: dict[str, Any] = {}

    def load_file(self: JSONFileLoader, file_path: str) -> Any:
        if file_path not in parsed:
            data = original(self, file_path)
            if data is None:
                return None  # not cached: a file may appear later
            parsed[file_path] = data
        return parsed[file_path]

    load_file.__doc__ = original.__doc__
    setattr(load_file, _MARK, True)
    JSONFileLoader.load_file = load_file
