"""Parsers, one per file kind. Each turns a file's text into a :class:`ParsedFile` of facts."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from ftscan.filekinds import FileKind
from ftscan.parsers.base import ParsedFile, ParseFailure, StringFact

Parser = Callable[[str], ParsedFile]


def _on_first_use(module: str, name: str) -> Parser:
    """The parser ``module.name``, imported when first called: a scan answered from the cache
    (or one with no Python candidate) never pays for importing libcst or lark."""

    def parse(text: str) -> ParsedFile:
        parser: Parser = getattr(importlib.import_module(f"ftscan.parsers.{module}"), name)
        return parser(text)

    parse.__name__ = name
    return parse


PARSERS: dict[FileKind, Parser] = {
    FileKind.PYTHON: _on_first_use("python", "parse_python"),
    FileKind.NOTEBOOK: _on_first_use("notebook", "parse_notebook"),
    FileKind.ENV: _on_first_use("envfile", "parse_env"),
    FileKind.SHELL: _on_first_use("envfile", "parse_shell"),
    FileKind.YAML: _on_first_use("yaml_", "parse_yaml"),
    FileKind.TERRAFORM: _on_first_use("terraform", "parse_terraform"),
    FileKind.TOML: _on_first_use("toml_", "parse_toml"),
    FileKind.JSON: _on_first_use("json_", "parse_json"),
    FileKind.JSONL: _on_first_use("json_", "parse_jsonl"),
    FileKind.DOCKERFILE: _on_first_use("dockerfile", "parse_dockerfile"),
}
"""File kinds with a parser of their own; every other kind goes through the text pass only."""

__all__ = ["PARSERS", "ParseFailure", "ParsedFile", "Parser", "StringFact"]
