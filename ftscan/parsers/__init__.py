"""Parsers, one per kind of configuration file. Each turns a file's text into a
:class:`ParsedFile` of facts. (Source code is parsed by its language plug-in,
:mod:`ftscan.languages`.)"""

from __future__ import annotations

from collections.abc import Callable

from ftscan.filekinds import FileKind
from ftscan.lazy import on_first_call
from ftscan.parsers.base import ParsedFile, ParseFailure, StringFact

Parser = Callable[[str], ParsedFile]


def _parser(module: str, name: str) -> Parser:
    """The parser ``ftscan.parsers.module.name``, imported when first used."""
    return on_first_call(f"ftscan.parsers.{module}", name)


PARSERS: dict[FileKind, Parser] = {
    FileKind.ENV: _parser("envfile", "parse_env"),
    FileKind.SHELL: _parser("envfile", "parse_shell"),
    FileKind.YAML: _parser("yaml_", "parse_yaml"),
    FileKind.TERRAFORM: _parser("terraform", "parse_terraform"),
    FileKind.TOML: _parser("toml_", "parse_toml"),
    FileKind.JSON: _parser("json_", "parse_json"),
    FileKind.JSONL: _parser("json_", "parse_jsonl"),
    FileKind.DOCKERFILE: _parser("dockerfile", "parse_dockerfile"),
}
"""File kinds with a parser of their own; every other kind goes through the text pass only."""

__all__ = ["PARSERS", "ParseFailure", "ParsedFile", "Parser", "StringFact"]
