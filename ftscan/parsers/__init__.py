"""Format readers, one per format of configuration file. Each turns a file's text into a
:class:`ParsedFile` of facts. A carrier (:mod:`ftscan.carriers`) reads its files with the reader
of their format; source code is parsed by its language plug-in (:mod:`ftscan.languages`)."""

from __future__ import annotations

import enum
from collections.abc import Callable

from ftscan.lazy import on_first_call
from ftscan.parsers.base import ParsedFile, ParseFailure, StringFact

Parser = Callable[[str], ParsedFile]


class Format(enum.Enum):
    """How a file's text is read."""

    CODE = "code"
    """Source of a language plug-in (:mod:`ftscan.languages`): its language parses it."""
    ENV = "env"
    YAML = "yaml"
    HCL = "hcl"
    """HashiCorp configuration language: Terraform's ``.tf``, ``.tfvars``, ``.hcl``."""
    TOML = "toml"
    JSON = "json"
    JSONL = "jsonl"
    DOCKERFILE = "dockerfile"
    SHELL = "shell"
    PROSE = "prose"
    """Markdown, reStructuredText, plain text: every id in them is a mention."""
    DATA = "data"
    """Tables of records (CSV, TSV): evaluation results, logs of runs. An id in a row records
    which model produced it; it is a mention (a results file with 12,000 rows of ids is not
    12,000 places that call a model)."""
    SOURCE = "source"
    """Other code (Go, Java, Ruby, ...): the text pass, with comments as mentions."""
    REPORT = "report"
    """One of ftscan's own reports (told by its content, :func:`ftscan.reporters.is_own_report`,
    never by its name alone: see :attr:`ftscan.filekinds.FileKind.may_be_report`): every id in
    it is a mention."""


def _parser(module: str, name: str) -> Parser:
    """The parser ``ftscan.parsers.module.name``, imported when first used."""
    return on_first_call(f"ftscan.parsers.{module}", name)


PARSERS: dict[Format, Parser] = {
    Format.ENV: _parser("envfile", "parse_env"),
    Format.SHELL: _parser("envfile", "parse_shell"),
    Format.HCL: _parser("terraform", "parse_terraform"),
    Format.TOML: _parser("toml_", "parse_toml"),
    Format.JSON: _parser("json_", "parse_json"),
    Format.JSONL: _parser("json_", "parse_jsonl"),
    Format.DOCKERFILE: _parser("dockerfile", "parse_dockerfile"),
}
"""Formats with a reader of their own (and YAML, whose reader,
:func:`ftscan.parsers.yaml_.parse_yaml`, is told by the carriers where variables are:
:func:`ftscan.carriers.reader`); every other format goes through the text pass only."""

__all__ = ["PARSERS", "Format", "ParseFailure", "ParsedFile", "Parser", "StringFact"]
