"""`--demo-size N`: a large account of recorded interviews, six word-timed answers each, in two languages."""

from __future__ import annotations

import pytest

from hireflix_sandbox import large_demo
from hireflix_sandbox.app import SandboxConfig
from hireflix_sandbox.app import create_app
from hireflix_sandbox.app import runtime_of


def test_demo_size_adds_recorded_interviews_with_six_timed_answers_in_two_languages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(large_demo, "PER_POSITION", 5)  # 200 in real use; fewer keeps the test fast
    store = runtime_of(create_app(SandboxConfig(demo_size=8))).store
    bench = [p for p in store.positions() if "bench" in p.tags]
    assert sorted(len(store.interviews(p.id)) for p in bench) == [3, 5]
    assert {p.language for p in bench} == {"en", "es"}
    for position in bench:
        interview = store.interviews(position.id)[0]
        assert interview.completed
        answers = store.answers(interview.id)
        assert len(answers) == large_demo.QUESTIONS
        for answer in answers:
            assert answer.language_code == position.language
            assert 150 <= len(answer.text or "") <= 2500
            starts = [w["start"] for w in answer.words]
            assert [w["text"] for w in answer.words] == (answer.text or "").split(" ")
            assert starts == sorted(starts)
            assert answer.duration > starts[-1]
