"""Parsers, one per file kind. Each turns a file's text into a :class:`ParsedFile` of facts."""

from __future__ import annotations

from collections.abc import Callable

from ftscan.filekinds import FileKind
from ftscan.parsers.base import ParsedFile, ParseFailure, StringFact
from ftscan.parsers.dockerfile import parse_dockerfile
from ftscan.parsers.envfile import parse_env, parse_shell
from ftscan.parsers.json_ import parse_json, parse_jsonl
from ftscan.parsers.notebook import parse_notebook
from ftscan.parsers.python import parse_python
from ftscan.parsers.terraform import parse_terraform
from ftscan.parsers.toml_ import parse_toml
from ftscan.parsers.yaml_ import parse_yaml

Parser = Callable[[str], ParsedFile]

PARSERS: dict[FileKind, Parser] = {
    FileKind.PYTHON: parse_python,
    FileKind.NOTEBOOK: parse_notebook,
    FileKind.ENV: parse_env,
    FileKind.SHELL: parse_shell,
    FileKind.YAML: parse_yaml,
    FileKind.TERRAFORM: parse_terraform,
    FileKind.TOML: parse_toml,
    FileKind.JSON: parse_json,
    FileKind.JSONL: parse_jsonl,
    FileKind.DOCKERFILE: parse_dockerfile,
}
"""File kinds with a parser of their own; every other kind goes through the text pass only."""

__all__ = ["PARSERS", "ParseFailure", "ParsedFile", "Parser", "StringFact"]
