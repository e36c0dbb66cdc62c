"""GitHub's primaryLocationLineHash: the test vectors of github/codeql-action."""

from __future__ import annotations

import random

import pytest

from ftscan.fingerprint import LineHasher, line_hashes

CLEAN = ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
         "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["c129715d7a2bc9a3:1"]),
        (" a\nb\n  \t\tc\n d",
         ["271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1"]),
        (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End",
         ["8b7cf3e952e7aeb2:1", "b1ae1287ec4718d9:1", "bff680108adb0fcc:1", "c6805c5e1288b612:1",
          "b86d3392aea1be30:1", "e6ceba753e1a442:1"]),
        (" hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n", CLEAN),
        (" hello; \t\nworld!!!\r\r\r  \t\tGreetings\r End\r", CLEAN),
        (" hello; \t\r\nworld!!!\r\n\r\n\r\n  \t\tGreetings\r\n End\r\n", CLEAN),
        (" hello; \t\nworld!!!\r\n\n\r  \t\tGreetings\r End\r\n", CLEAN),
        ("Lorem ipsum dolor sit amet.\n" * 10,
         ["a7f2ff13bc495cf2:1", "a7f2ff13bc495cf2:2", "a7f2ff13bc495cf2:3", "a7f2ff13bc495cf2:4",
          "a7f2ff13bc495cf2:5", "a7f2ff13bc495cf2:6", "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1",
          "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1"]),
    ],
)
def test_matches_codeql_action_vectors(text: str, expected: list[str]) -> None:
    hashes = line_hashes(text)
    assert [hashes[i] for i in sorted(hashes)] == expected


def _reference(text: str) -> dict[int, str]:
    """A line-for-line transliteration of codeql-action's ``hash()`` (``src/fingerprints.ts``):
    the window kept by hand, one character at a time."""
    block, mod, mask = 100, 37, (1 << 64) - 1
    first_mod = pow(mod, block, 1 << 64)
    window, line_numbers = [0] * block, [-1] * block
    hashes: dict[int, str] = {}
    counts: dict[str, int] = {}
    hash_value = index = line_number = 0
    line_start, prev_cr = True, False
    data = text.encode("utf-16-le", errors="surrogatepass")
    units = [data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2)]

    def output() -> None:
        value = format(hash_value, "x")
        counts[value] = counts.get(value, 0) + 1
        hashes[line_numbers[index]] = f"{value}:{counts[value]}"
        line_numbers[index] = -1

    for current in [*units, 65535, *([None] * block)]:
        if current is None:  # after the end: flush every line still in the window
            if line_numbers[index] != -1:
                output()
            current = 0
        else:
            if current in (32, 9) or (prev_cr and current == 10):
                prev_cr = False
                continue
            current, prev_cr = (10, True) if current == 13 else (current, False)
            if line_numbers[index] != -1:
                output()
            if line_start:
                line_start, line_number = False, line_number + 1
                line_numbers[index] = line_number
            line_start = current == 10
        begin, window[index] = window[index], current
        hash_value = (mod * hash_value + current - first_mod * begin) & mask
        index = (index + 1) % block
    return hashes


def test_matches_the_reference_algorithm_on_fuzzed_text() -> None:
    """Line endings of every kind, blank and whitespace-only lines, astral characters, lone
    surrogates, lines longer than the window and files shorter than it."""
    rnd = random.Random(20261123)
    pieces = ["a", "b", " ", "\t", "\r", "\n", "\r\n", "é", "😀", "\ud800", "x" * 60, "\n\n"]
    for _ in range(1500):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 80)))
        assert line_hashes(text) == _reference(text), repr(text)


@pytest.mark.parametrize("short_lines", [0, 10**9], ids=["dot-products", "prefix-sums"])
def test_both_ways_of_hashing_agree_with_the_reference(short_lines: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from ftscan import fingerprint

    monkeypatch.setattr(fingerprint, "_SHORT_LINES", short_lines)
    rnd = random.Random(7)
    alphabet = "ab \t\r\n\U0001f600é:"
    for _ in range(300):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randrange(0, 400)))
        assert line_hashes(text) == _reference(text), repr(text)
        upto = rnd.randrange(1, 5)
        partial = line_hashes(text, upto)
        assert partial == {k: v for k, v in _reference(text).items() if k <= upto}


def test_only_the_wanted_lines_are_kept_with_the_same_values() -> None:
    """A file with findings on a few lines: those lines' hashes (with their ``:N``, which
    counts equal lines above) and nothing else, whatever the lines' lengths."""
    rng = random.Random(7)
    for _ in range(60):
        lines = [rng.choice(["x = 1", "", "  y\t= 2", "z" * rng.randint(0, 150), "\U0001f600a",
                             "same", "same"]) for _ in range(rng.randint(1, 300))]
        text = rng.choice(["\n", "\r\n"]).join(lines)
        full = line_hashes(text)
        wanted = set(rng.sample(range(1, len(lines) + 3), min(4, len(lines))))
        assert line_hashes(text, wanted=wanted) == {n: full[n] for n in wanted if n in full}
        hasher = LineHasher(text, wanted={min(wanted)})
        for n in sorted(wanted, reverse=True):  # asked beyond what was announced
            assert hasher.hash_for(n) == full.get(n)


def test_a_file_read_in_pieces_hashes_as_if_read_whole() -> None:
    """The hashes of a file too large to hold, from its text given a piece at a time (a CR
    and its LF in different pieces, equal lines far apart, astral characters, the end of the
    file inside a window), are those of the whole text."""
    from ftscan.fingerprint import streamed_line_hashes

    rnd = random.Random(27)
    alphabet = ["a", "b", " ", "\t", "\r", "\n", "\r\n", "é", "😀", "\ud800", "x" * 60,
                "same line\n"]
    for _ in range(400):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 400)))
        cuts = sorted(rnd.sample(range(len(text) + 1), min(len(text) + 1, rnd.randint(0, 9))))
        pieces = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        full = line_hashes(text)
        wanted = set(rnd.sample(range(1, len(full) + 2), min(len(full), rnd.randint(1, 6))))
        assert streamed_line_hashes(lambda pieces=pieces: iter(pieces), wanted) == {
            n: full[n] for n in wanted if n in full}, repr(text)


def test_every_sarif_result_carries_githubs_line_hash(tmp_path) -> None:  # noqa: ANN001
    """Job-creation sites (FT201), training data (FT250), ids in files read in pieces, in a
    table folded or not, and a large file of training data: each result has its
    ``primaryLocationLineHash``, the one GitHub's upload computes for its line."""
    import json

    from conftest import run_scan, write

    from ftscan.reporters import sarif

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    ft = "ft:gpt-4o-mini-2024-07-18:acme:triage:AbCd1234"
    chat = '{"messages": [{"role": "user", "content": "hi %d"}, ' \
           '{"role": "assistant", "content": "billing"}]}\n'
    write(repo, "train.py", "from openai import OpenAI\nclient = OpenAI()\n"
          "job = client.fine_tuning.jobs.create(training_file='file-abc', "
          "model='gpt-4o-mini-2024-07-18', suffix='triage')\n")
    write(repo, "data/small.jsonl", "".join(chat % i for i in range(5)))
    write(repo, "data/large.jsonl", "".join(chat % i for i in range(3000)))
    write(repo, "results/eval.csv", "q,model\n" + "".join(
        f"q{i},{ft}\n" if i % 7 else "same,row\n" for i in range(20000)))
    write(repo, "big.env", "# filler\n" * 20000 + f"MODEL={ft}\nOTHER={ft}\n")
    result = run_scan(repo, max_file_size=50_000)
    rule_ids = {f.rule_id for f in result.findings}
    assert {"FT001", "FT201", "FT250"} <= rule_ids
    assert {f.location.path for f in result.findings} == {
        "train.py", "data/small.jsonl", "data/large.jsonl", "results/eval.csv", "big.env"}
    for item in json.loads(sarif.render(result))["runs"][0]["results"]:
        location = item["locations"][0]["physicalLocation"]
        path, line = location["artifactLocation"]["uri"], location["region"]["startLine"]
        text = (repo / path).read_text(encoding="utf-8")
        assert item["partialFingerprints"] == {
            "primaryLocationLineHash": line_hashes(text)[line]}, (item["ruleId"], path, line)


def test_a_line_hash_that_runs_out_of_time_leaves_ftscans_own(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    """Hashing a file read in pieces reads it twice more, within the file's budget: when that
    runs out the finding stays, and its SARIF result still has a partial fingerprint,
    ftscan's own (GitHub's upload adds its line hash where it can read the file)."""
    import json

    from conftest import run_scan, write

    from ftscan.budget import OverBudget
    from ftscan.pipeline import largefile
    from ftscan.reporters import sarif

    def too_slow(*args: object) -> dict[int, str]:
        raise OverBudget(20)

    monkeypatch.setattr(largefile, "streamed_line_hashes", too_slow)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "big.env", "# filler\n" * 20000 + "M=ft:gpt-4o-mini-2024-07-18:acme:r:AbCd1234\n")
    result = run_scan(repo, max_file_size=50_000)
    (finding,) = result.findings
    (item,) = json.loads(sarif.render(result))["runs"][0]["results"]
    assert item["partialFingerprints"] == {"ftscan/v1": finding.fingerprint}
