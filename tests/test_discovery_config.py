"""Which files a scan reads (ignore files, excludes) and which config applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, new_git_repo, run_scan, write

from ftscan.config import ConfigError, discover, load_config, parse_size

FT = "ft:gpt-4o-mini-2024-07-18:acme:ranker:AbCd1234"


@pytest.fixture(params=["walked", "git-listed"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Each case twice: in a folder that only looks like a repository (the walk applies the
    ignore rules) and in a real git repository (git lists the files, ftscan adds its own)."""
    if request.param == "git-listed":
        git(tmp_path, "init", "-q")
    else:
        (tmp_path / ".git" / "info").mkdir(parents=True)
    return tmp_path


def _paths(root: Path, **options: object) -> list[str]:
    return sorted({f.location.path for f in run_scan(root, **options).findings})


def test_gitignore_nested_negation_info_exclude_and_ftscanignore(repo: Path) -> None:
    for rel in ["keep.env", "logs/a.env", "logs/important.env", "svc/secret.env",
                "svc/sub/x.env", "scratch/y.env", "generated/z.env", "svc/generated/w.env"]:
        write(repo, rel, f"M={FT}\n")
    write(repo, ".gitignore", "logs/*\n!logs/important.env\n")
    write(repo, "svc/.gitignore", "secret.env\nsub/\n")
    write(repo, ".git/info/exclude", "scratch/\n")
    write(repo, ".ftscanignore", "/generated/\n")
    assert _paths(repo) == ["keep.env", "logs/important.env", "svc/generated/w.env"]
    assert len(_paths(repo, use_ignore_files=False)) == 8


def test_deeper_ignore_file_wins(repo: Path) -> None:
    write(repo, ".gitignore", "*.env\n")
    write(repo, "svc/.gitignore", "!keep.env\n")
    write(repo, "svc/keep.env", f"M={FT}\n")
    write(repo, "svc/drop.env", f"M={FT}\n")
    assert _paths(repo) == ["svc/keep.env"]


def test_scanning_a_subfolder_honours_ignores_above_it(repo: Path) -> None:
    write(repo, ".gitignore", "gen/\n")
    write(repo, "svc/gen/a.env", f"M={FT}\n")
    write(repo, "svc/b.env", f"M={FT}\n")
    result = run_scan(repo / "svc")
    assert result.root == repo
    assert sorted(f.location.path for f in result.findings) == ["svc/b.env"]


def test_explicit_files_are_scanned_even_if_ignored(repo: Path) -> None:
    write(repo, ".gitignore", "*.env\n")
    target = write(repo, "a.env", f"M={FT}\n")
    assert [f.location.path for f in run_scan(target).findings] == ["a.env"]


def test_config_exclude_fail_on_and_rules(repo: Path) -> None:
    write(repo, "pyproject.toml", """
[project]
name = "x"

[tool.ftscan]
exclude = ["tests/"]
fail-on = "error"
max-file-size = "1KiB"
warning-window-days = 10
""")
    write(repo, "tests/t.env", f"M={FT}\n")
    write(repo, "src/a.env", f"M={FT}\n")
    write(repo, "src/big.env", f"M={FT}\n" + "#" * 2000)
    result = run_scan(repo)
    # the size limit keeps the parser off big.env; its id is found by the piecewise text pass
    assert [f.location.path for f in result.findings] == ["src/a.env", "src/big.env"]
    assert result.findings[1].kind == "text of a large file (read without a parser)"
    assert result.settings.fail_on == "error"
    assert result.summary.skipped == {}
    assert result.findings[0].level.label == "warning"  # 53 days left, window 10 days
    assert not result.failed()


def test_options_override_config(repo: Path) -> None:
    write(repo, ".ftscan.toml", 'fail-on = "never"\n')
    write(repo, "a.env", f"M={FT}\n")
    assert not run_scan(repo).failed()
    assert run_scan(repo, fail_on="warning").failed()


def test_discovery_prefers_dedicated_file_and_skips_pyproject_without_table(repo: Path) -> None:
    write(repo, "pyproject.toml", '[tool.ftscan]\nfail-on = "note"\n')
    write(repo, "svc/pyproject.toml", '[project]\nname = "svc"\n')
    write(repo, "svc/deep/.ftscan.toml", 'fail-on = "error"\n')
    assert discover(repo / "svc") == (repo / "pyproject.toml").resolve()
    assert discover(repo / "svc" / "deep") == (repo / "svc" / "deep" / ".ftscan.toml").resolve()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[tool.ftscan]\nfail-on = "sometimes"\n', "'tool.ftscan.fail-on' must be one of"),
        ("[tool.ftscan]\nexclude = \"tests\"\n", "'tool.ftscan.exclude' must be a list"),
        ("[tool.ftscan]\nmax-file-size = \"big\"\n", "'tool.ftscan.max-file-size'"),
        ("[tool.ftscan]\nwarning-window-days = -1\n", "'tool.ftscan.warning-window-days'"),
        ("[tool.ftscan\n", "invalid TOML"),
    ],
)
def test_bad_config_names_file_and_key(repo: Path, text: str, message: str) -> None:
    path = write(repo, "pyproject.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value) and message in str(info.value)


@pytest.mark.parametrize(("text", "size"), [("2MB", 2_000_000), ("512KiB", 524_288),
                                            ("1048576", 1_048_576), (300, 300)])
def test_sizes(text: str | int, size: int) -> None:
    assert parse_size(text) == size


def test_progress_is_reported_with_the_total(repo: Path) -> None:
    for i in range(450):
        write(repo, f"src/f{i}.txt", "nothing here\n")
    calls: list[tuple[int, int]] = []
    run_scan(repo, progress=lambda done, total, elapsed: calls.append((done, total)))
    assert calls == [(200, 450), (400, 450)]


def test_a_process_pool_gives_the_same_result(tmp_path: Path) -> None:
    import shutil

    from conftest import FIXTURES

    repo = tmp_path / "alias-repo"
    shutil.copytree(FIXTURES / "alias-repo", repo)
    (repo / ".git").mkdir()
    for i in range(70):  # enough files for the pool to be used
        write(repo, f"filler/f{i}.txt", "nothing\n")
    single = run_scan(repo, jobs=1)
    pooled = run_scan(repo, jobs=2)
    assert pooled.findings == single.findings
    assert pooled.diagnostics == single.diagnostics
    assert pooled.summary.files_read == single.summary.files_read


def test_a_repository_inside_the_repository_is_left_to_its_own_scan(
        repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A vendored checkout (a ``.git`` folder) and a submodule (a ``.git`` file) are
    repositories of their own, as git sees them: the outer scan does not report their files,
    a scan of either does."""
    write(repo, "app.env", f"M={FT}\n")
    new_git_repo(repo / "vendor" / "lib")
    write(repo, "vendor/lib/lib.env", f"M={FT}\n")
    module_git = new_git_repo(tmp_path_factory.mktemp("modules") / "sub") / ".git"
    write(repo, "modules/sub/.git", f"gitdir: {module_git}\n")
    write(repo, "modules/sub/sub.env", f"M={FT}\n")
    write(repo, "modules/not-a-repo/git.env", f"M={FT}\n")
    assert _paths(repo) == ["app.env", "modules/not-a-repo/git.env"]
    assert _paths(repo / "vendor" / "lib") == ["lib.env"]
    assert _paths(repo / "modules" / "sub") == ["sub.env"]
