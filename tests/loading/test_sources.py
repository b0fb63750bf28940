from __future__ import annotations

import io
from pathlib import Path

import pytest

from ecs_operator.loading.sources import Diagnostic, LoadError, Source, expand_paths, parse_text, read_sources


def test_directories_expand_recursively_sorted_and_by_suffix(tmp_path: Path) -> None:
    for name in ["b.yaml", "a.json", "sub/c.yml", "sub/deeper/d.yaml", "notes.txt", "sub/e.md"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in expand_paths([str(tmp_path)])]
    assert found == ["a.json", "b.yaml", "sub/c.yml", "sub/deeper/d.yaml"]


def test_files_and_stdin_are_kept_as_named() -> None:
    assert expand_paths(["x.txt", "-"]) == ["x.txt", "-"]


@pytest.mark.parametrize(
    ("text", "origin", "expected"),
    [
        ("a: 1\n---\nb: 2\n", "f.yaml", [{"a": 1}, {"b": 2}]),
        ("---\n---\na: 1\n---\n", "f.yaml", [{"a": 1}]),
        ('{"a": [1, 2]}', "f.json", [{"a": [1, 2]}]),
        ('  {"a": 1}', "<stdin>", [{"a": 1}]),
        ("", "f.yaml", []),
    ],
)
def test_documents_are_parsed(text: str, origin: str, expected: list[object]) -> None:
    assert parse_text(text, origin) == [Source(origin, data) for data in expected]


@pytest.mark.parametrize(
    ("text", "origin"), [("a: [1\n", "bad.yaml"), ('{"a": }', "bad.json"), ("key: value\n  - x: : y\n", "bad.yml")]
)
def test_parse_errors_name_the_file(text: str, origin: str) -> None:
    with pytest.raises(LoadError) as caught:
        parse_text(text, origin)
    [diagnostic] = caught.value.diagnostics
    assert diagnostic.origin == origin
    assert diagnostic.message.startswith("cannot parse: ")
    assert "\n" not in diagnostic.message


def test_every_unreadable_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("a: [")
    with pytest.raises(LoadError) as caught:
        read_sources([str(tmp_path / "missing.yaml"), str(tmp_path / "bad.yaml")], io.StringIO())
    assert [d.origin for d in caught.value.diagnostics] == [str(tmp_path / "missing.yaml"), str(tmp_path / "bad.yaml")]
    assert "cannot read" in caught.value.diagnostics[0].message


def test_stdin_is_read_once_and_called_stdin() -> None:
    assert read_sources(["-"], io.StringIO("a: 1\n---\nb: 2\n")) == [
        Source("<stdin>", {"a": 1}),
        Source("<stdin>", {"b": 2}),
    ]


@pytest.mark.parametrize(
    ("diagnostic", "text"),
    [
        (Diagnostic("f.yaml", "boom"), "f.yaml: boom"),
        (Diagnostic("f.yaml", "boom", "ECSService/web"), "f.yaml: ECSService/web: boom"),
        (
            Diagnostic("f.yaml", "boom", "ECSService/web", "spec.desiredCount"),
            "f.yaml: ECSService/web: spec.desiredCount: boom",
        ),
        (Diagnostic("f.yaml", "boom", field="spec.x"), "f.yaml: spec.x: boom"),
    ],
)
def test_diagnostic_text(diagnostic: Diagnostic, text: str) -> None:
    assert str(diagnostic) == text
