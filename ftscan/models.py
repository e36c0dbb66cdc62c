"""The records ftscan produces: findings, their locations and lifecycle verdicts, and diagnostics.

Every record is a frozen dataclass, so a finding can be hashed, deduplicated and shared between
reporters without anyone mutating it on the way.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from ftscan.bindings import Binding


class Level(enum.IntEnum):
    """How loudly a finding is reported; ordered so that ``Level.ERROR > Level.NOTE``."""

    NOTE = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The SARIF spelling (``note``, ``warning``, ``error``)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Level:
        """Read a level from its SARIF spelling; raises ``ValueError`` for anything else."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown level {text!r} (expected note, warning or error)") from None


class Role(str, enum.Enum):
    """What a reference to a model id does in the code that holds it."""

    DEFINITION = "definition"
    """A literal id in code or configuration: something reads it and sends it to a provider."""
    DYNAMIC = "dynamic"
    """An id assembled at run time from a literal prefix and variables (f-string, ``+``)."""
    MENTION = "mention"
    """An id in a comment, docstring or prose: nothing calls it, but it documents a dependency."""
    USE = "use"
    """A call site that reaches an id through an alias (environment variable, constant, ...)."""
    EXAMPLE = "example"
    """An id out of documentation or a placeholder (``your-org``, ``custom-model-name``): it
    shows the shape of a dependency, but no model of that name serves anyone."""
    TRAINING = "training"
    """Code (or a command, a request, a resource) that creates a fine-tuning job: it stops
    working when the provider ends job creation (OpenAI: 2027-01-06)."""
    TRAINING_DATA = "training-data"
    """A committed file of fine-tuning examples (JSONL in a provider's training format): the
    recipe of a fine-tune, to keep before it can no longer be rebuilt."""


class Status(str, enum.Enum):
    """Where the model's base stands on its shutdown schedule, as of the scan date."""

    RETIRED = "retired"
    """The shutdown date has passed: calls already fail."""
    RETIRING = "retiring"
    """The shutdown date falls inside the warning window."""
    ACTIVE = "active"
    """A shutdown date is known and lies beyond the warning window."""
    DEPRECATED = "deprecated"
    """The provider deprecated the model (or its fine-tuning) but published no shutdown date."""
    UNKNOWN = "unknown"
    """No shutdown date is known for this base model."""


@dataclass(frozen=True, order=True)
class Location:
    """A span in a file. Lines and columns are 1-based; ``end_column`` is exclusive (as in SARIF).

    Columns count Unicode code points, which is what SARIF's ``unicodeCodePoints`` column kind
    means.
    """

    path: str
    """Path relative to the scan root, with forward slashes."""
    start_line: int
    start_column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class FlowStep:
    """A place on the way from a definition to a use, with what happens there."""

    location: Location
    message: str


@dataclass(frozen=True)
class Suppression:
    """Why a finding does not count (SARIF ``suppressions[]``)."""

    kind: str
    """``inSource`` (an ``ftscan: ignore`` comment) or ``external`` (a baseline entry)."""
    justification: str


@dataclass(frozen=True)
class Lifecycle:
    """The lifecycle verdict for one base model on one date."""

    status: Status
    shutdown_date: dt.date | None = None
    """The day the model stops serving, or ``None`` when unknown."""
    days_left: int | None = None
    """Days from the scan date to the shutdown date; zero or negative once it has passed."""
    source: str | None = None
    """Where the shutdown date comes from (a URL)."""
    next_step: str | None = None
    """What to do about it, from the lifecycle data."""
    note: str | None = None
    """A caveat about the date (for example: read only from secondary sources)."""


@dataclass(frozen=True)
class TrainingSite:
    """What a job-creation site says about the fine-tune it makes (resolved where the code
    spells it out, or through names of the same module)."""

    provider: str
    call: str
    """What creates the job, as written: ``client.fine_tuning.jobs.create``, ``curl POST
    /v1/fine_tuning/jobs``, ``resource aws_bedrock_custom_model``."""
    base_model: str | None = None
    training_file: str | None = None
    """A repository path (the file the code uploads), a provider's file id (``file-…``), a
    storage URI, or ``None`` when it cannot be told."""
    validation_file: str | None = None
    suffix: str | None = None
    method: str | None = None
    """``supervised``, ``dpo``, ``reinforcement`` when the code says."""
    hidden: bool = False
    """Some arguments come in a way not followed (``create(**params)``): what is missing may
    be among them."""
    data_files: tuple[str, ...] = ()
    """Training-data files of the repository this site names (linked after the scan)."""
    documented: bool = False
    """A command written in a document (a shell block of a Markdown runbook): what the team
    runs by hand, not code a build or a service runs."""


@dataclass(frozen=True)
class TrainingData:
    """A file of fine-tuning examples."""

    format: str
    """``OpenAI chat``, ``OpenAI preference (DPO)``, ``prompt/completion``, ``Gemini
    contents``, ``Bedrock conversation``."""
    examples: int
    """Records in the file (lines of a JSONL file, elements of a JSON array)."""
    sampled: int
    """Records read to recognise the format."""
    used_by: tuple[str, ...] = ()
    """Job-creation sites (``path:line``) that name this file."""


@dataclass(frozen=True, order=True)
class Commit:
    """A commit of the scanned repository."""

    sha: str
    """Its full id (40 hex digits)."""
    time: int
    """Its committer date, in seconds since the epoch (when it landed on its branch)."""

    @property
    def day(self) -> dt.date:
        """The committer date's day (UTC)."""
        return self.moment.date()

    @property
    def moment(self) -> dt.datetime:
        """The committer date (UTC)."""
        return dt.datetime.fromtimestamp(self.time, dt.timezone.utc)

    @property
    def stamp(self) -> str:
        """The committer date as reports write it: ``2024-05-01T09:30:00Z``."""
        return self.moment.strftime(_STAMP)

    @classmethod
    def read(cls, sha: str, stamp: str) -> Commit:
        """A commit as a report names it (:attr:`stamp`); ``ValueError`` for anything else."""
        if not (40 <= len(sha) <= 64 and all(c in "0123456789abcdef" for c in sha)):
            raise ValueError(f"{sha!r} is not a commit id")
        moment = dt.datetime.strptime(stamp, _STAMP).replace(tzinfo=dt.timezone.utc)
        return cls(sha, int(moment.timestamp()))


_STAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class PastSite:
    """Where an id that no file of the scanned tree holds was seen in the repository's history
    (:mod:`ftscan.history`): the detection's location is where it was last seen."""

    last: Commit
    """The newest commit that held it."""
    first: Commit
    """The oldest commit that held it."""
    removed: Commit | None = None
    """The first commit after :attr:`last` that no longer held it; ``None`` when a branch tip
    still holds it (a branch not merged)."""
    versions: int = 1
    """How many versions of files (distinct blobs) held the id at this path."""


@dataclass(frozen=True)
class Lines:
    """The lines of a table of records (a CSV of results, a JSONL of requests) that hold one
    id, when its findings there are folded into one (:mod:`ftscan.pipeline.folding`)."""

    count: int
    """How many lines of the file hold the id."""
    first: tuple[int, ...]
    """The first few of them, in order (the finding's own line first)."""


@dataclass(frozen=True)
class Reach:
    """How a use reaches model ids, as the alias phase found it: what the verdict needs to pick
    the most urgent of them and word the finding."""

    definitions: tuple[Detection, ...]
    """The definitions that reach the use, one per model id."""
    note: str | None = None
    """What the site adds to the message (``the literal default is a plain model ...``)."""
    low_confidence: str | None = None
    """Why the link is weak, when it is (a binding in another service, placeholders only)."""
    occurrence: int = 0
    """How many uses of the same name came before this one in its file (its fingerprint)."""


@dataclass(frozen=True, kw_only=True)
class Detection:
    """What a scan detects: a reference to a model id, a job-creation site or a file of
    training data, where it is and what holds it, before any verdict.

    Everything here follows from the repository's files and the rules alone, so it is what the
    cache and the replay keep. How urgent it is (the base model's shutdown on the scan date,
    the level, the message) is decided once, at the end, by :mod:`ftscan.verdicts`, which turns
    each detection into a :class:`Finding`."""

    rule_id: str
    role: Role
    location: Location
    model_id: str
    """The exact id, without any gateway prefix such as ``openai/``. For a use, one of the ids
    it reaches (the verdict names the most urgent)."""
    provider: str
    base_model: str | None
    kind: str
    """What holds the id, in words: ``Python string literal``, ``environment variable``, ..."""
    context: str | None = None
    """The name the id is bound to where known, as reports show it: a config key path, an env
    var, a constant (``binding.display()``)."""
    fingerprint: str = ""
    """ftscan's line-independent identity: rule, path, model id, context and occurrence (for a
    use, given by the verdict: it names the most urgent id)."""
    line_hash: str | None = None
    """GitHub's ``primaryLocationLineHash`` for the finding's first line."""
    parts: tuple[tuple[str, str], ...] = field(default=())
    """Further named parts of the id (org, suffix, job id, ...), for inventories."""
    model_ids: tuple[str, ...] = ()
    """For a use: every id it reaches (staging and production may differ), most urgent first
    once judged."""
    definitions: tuple[FlowStep, ...] = ()
    """For a use: the definitions that reach it."""
    flows: tuple[tuple[FlowStep, ...], ...] = ()
    """For a use: one path per definition, definition first and the use last."""
    confidence: str = "high"
    """``low`` when the link rests on a binding in another service."""
    component: str | None = None
    """The deployment unit the parser saw around a definition (workload, compose service,
    Terraform resource)."""
    owners: tuple[str, ...] = ()
    """Owners of the file, as written in CODEOWNERS (or a Backstage ``spec.owner``)."""
    service: str | None = None
    """The service or component the finding belongs to."""
    repository: str | None = None
    """The repository (scanned root) holding the finding."""
    suppression: Suppression | None = None
    """Set when an inline comment or the baseline accepts the finding; it is still reported,
    but no longer counts towards the exit code."""
    binding: Binding | None = None
    """The typed name the id is bound to (an env var, a Terraform variable, a config key), for
    following it to the code that reads it."""
    outside: str | None = None
    """For a use of a model set outside the repository (rule kind ``outside``, no
    ``model_id``): what holds it, ``env OPENAI_FINETUNED_MODEL``, ``secret FT_MODEL``, or the
    fine-tuning job read at run time."""
    training: TrainingSite | None = None
    """For a ``training`` detection: the job it creates."""
    training_data: TrainingData | None = None
    """For a ``training-data`` detection: the file's format and size."""
    reach: Reach | None = None
    """For a use of ids defined in the repository: the definitions that reach it."""
    lines: Lines | None = None
    """In a table of records, when the id is on more than one line: all of them, folded into
    this one finding (on the first)."""
    history: PastSite | None = None
    """Set for an id found only in the repository's past commits (``scan --history``): the
    location is where it was last seen, in a file that may be gone."""

    @property
    def in_head(self) -> bool:
        """Is the detection in the scanned tree (not only in its history)?"""
        return self.history is None

    @property
    def shown_id(self) -> str:
        """The model id; for a model set outside the repository, what holds it; for a
        training site or data file, what it is."""
        if self.model_id:
            return self.model_id
        if self.outside is not None:
            return f"set outside the repository: {self.outside}"
        if self.training is not None:
            site = self.training
            what = f"fine-tuning job on {site.base_model or 'an unknown base'}"
            return what + (f", suffix {site.suffix}" if site.suffix else "")
        if self.training_data is not None:
            data = self.training_data
            return f"training data ({data.format}, {data.examples} examples)"
        return self.model_id


@dataclass(frozen=True, kw_only=True)
class Finding(Detection):
    """A detection judged for a scan date (:mod:`ftscan.verdicts`): how urgent it is and the
    sentence that says so."""

    level: Level
    lifecycle: Lifecycle
    message: str
    """A full sentence: the id, what kind of reference it is, and the base model's shutdown date."""
    new: bool | None = None
    """In a diff-aware run: is the finding on a line the change adds or edits? ``None`` in a
    run of the whole repository."""


@dataclass(frozen=True)
class BaselineEntry:
    """One finding a baseline accepts, as its file writes it (``ftscan baseline``)."""

    fingerprint: str
    rule_id: str
    path: str
    model_id: str
    role: str
    context: str | None = None
    reason: str | None = None
    owner: str | None = None

    def to_json(self) -> dict[str, object]:
        """The entry as written in the file (optional fields only when set)."""
        optional = {"context": self.context, "reason": self.reason, "owner": self.owner}
        return {
            "fingerprint": self.fingerprint, "ruleId": self.rule_id, "path": self.path,
            "modelId": self.model_id, "role": self.role,
            **{key: value for key, value in optional.items() if value is not None},
        }


class Severity(str, enum.Enum):
    """How serious a diagnostic (a problem ftscan had with its input) is."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class Diagnostic:
    """A problem with the input that did not stop the scan: a file ftscan could not fully read."""

    path: str
    message: str
    severity: Severity = Severity.WARNING
    line: int | None = None
    repository: str | None = None
    """In a sweep of several repositories, the one whose file it is (``path`` is relative to
    it, ``.`` for the repository itself)."""

    def render(self) -> str:
        """The one-line form printed on stderr: ``path:line: severity: message``, the path
        prefixed with its repository in a sweep (``svc-a/cfg/.env:3: warning: ...``)."""
        path = self.path
        if self.repository is not None:
            path = self.repository if path == "." else f"{self.repository}/{path}"
        where = f"{path}:{self.line}" if self.line else path
        return f"{where}: {self.severity.value}: {self.message}"
