"""The interview card (MCP Apps) in headless Chromium, bridged to the real server over the SDK client.

Each test opens get_interview in the test host (tests/browser/host.py): the card's page is the `ui://`
resource the server serves, the host side is the official library's AppBridge, and every tool the card
calls runs on the real server against the sandbox. Screenshots and measurements go to
build/card-screenshots/ (git-ignored).
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser
from playwright.async_api import Frame
from playwright.async_api import expect

from hireflix_sandbox.embedded import RunningSandbox
from hireflix_sandbox.store import AnswerRecord
from hireflix_sandbox.store import InterviewRecord
from tests.browser.host import Card
from tests.browser.host import open_card
from tests.browser.host import write_record

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(90)]

SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def _sentences(words: list[dict[str, Any]]) -> list[tuple[float, str]]:
    """An answer's sentences with the time their first word starts (what the card should show)."""
    out: list[tuple[float, str]] = []
    current: list[dict[str, Any]] = []
    for word in words:
        current.append(word)
        if SENTENCE_END.search(word["text"]):
            out.append((current[0]["start"], " ".join(w["text"] for w in current)))
            current = []
    if current:
        out.append((current[0]["start"], " ".join(w["text"] for w in current)))
    return out


def _recorded(sandbox: RunningSandbox, status: str | None = None) -> InterviewRecord:
    """A recorded interview (every question answered); with status="to_evaluate", one neither marked
    nor shared."""
    for record in sandbox.store.all_interviews():
        answers = sandbox.store.answers(record.id)
        if record.status != "completed" or len(answers) != len(sandbox.store.questions(record.position_id)):
            continue
        if status == "to_evaluate" and (record.finalist or record.archived or record.share_url):
            continue
        return record
    raise AssertionError("no recorded demo interview")


def _answers_by_question(sandbox: RunningSandbox, record: InterviewRecord) -> list[AnswerRecord]:
    by_question = {a.question_id: a for a in sandbox.store.answers(record.id)}
    return [by_question[q.id] for q in sandbox.store.questions(record.position_id)]


async def _current_time(frame: Frame, question: int) -> float:
    value = await frame.evaluate(
        f"document.querySelector('[data-question=\"{question}\"] video').currentTime"
    )
    return float(value)


async def _lit(frame: Frame, question: int) -> str | None:
    value = await frame.evaluate(
        f"document.querySelector('[data-question=\"{question}\"] .s.now')?.textContent ?? null"
    )
    return None if value is None else str(value)


def _assert_only_declared_origins(card: Card) -> None:
    declared = {card.host_origin, card.frame_origin, *card.csp.get("resourceDomains", [])}
    assert card.requests, "the page made no requests at all"
    assert card.origins() <= declared, card.origins() - declared
    assert not card.violations, card.violations


async def test_card_shows_the_candidate_every_answer_and_follows_the_video(
    sandbox: RunningSandbox, built: tuple[Path, Path], browser: Browser
) -> None:
    record = _recorded(sandbox)
    position = sandbox.store.position(record.position_id)
    assert position is not None
    answers = _answers_by_question(sandbox, record)
    async with open_card(browser, built, sandbox, record.id, width=760) as card:
        frame = card.frame
        assert await frame.text_content("h1") == record.full_name
        assert position.name in (await frame.text_content(".meta") or "")
        assert await frame.get_attribute(".status", "data-status") == json.loads(card.result_text())["status"]

        sections = frame.locator("section.qa")
        assert await sections.count() == len(answers)
        for index, answer in enumerate(answers, start=1):
            section = sections.nth(index - 1)
            video = section.locator("video")
            src = await video.get_attribute("src") or ""
            assert src.startswith(sandbox.base_url + "/media/")
            assert answer.id in src
            assert (await video.get_attribute("poster") or "").endswith(f"{answer.id}.jpg")
            shown = await section.locator(".s").all_text_contents()
            assert shown == [text for _, text in _sentences(answer.words)]

        # The sentence being spoken is lit as the video moves; a click on a sentence seeks there.
        first = _sentences(answers[0].words)
        assert len(first) >= 2
        start, text = first[1]
        lit = frame.locator('[data-question="1"] .s.now')
        await frame.evaluate(
            f"document.querySelector('[data-question=\"1\"] video').currentTime = {start + 0.2}"
        )
        await expect(lit).to_have_text(text)
        assert await _lit(frame, 1) == text
        last_start, last_text = first[-1]
        await frame.locator('[data-question="1"] .s').last.click()
        await expect(lit).to_have_text(last_text)
        assert abs(await _current_time(frame, 1) - last_start) < 0.05
        # Keyboard: a sentence takes the focus, Enter seeks to it.
        await frame.locator('[data-question="1"] .s').first.press("Enter")
        await expect(lit).to_have_text(first[0][1])
        assert abs(await _current_time(frame, 1) - first[0][0]) < 0.05

        header_ms, answers_ms = await card.paint_times_ms()
        await card.screenshot("light-wide")
        await card.page.evaluate("window.setHostTheme('dark')")
        await expect(frame.locator("html")).to_have_attribute("data-theme", "dark")
        background = await frame.evaluate("getComputedStyle(document.body).backgroundColor")
        assert _luminance(background) < 0.2, background
        await card.screenshot("dark-wide")
        _assert_only_declared_origins(card)
        write_record(
            "wide",
            {
                "first_paint_ms": {"header": round(header_ms, 1), "answers": round(answers_ms, 1)},
                "requests": sorted(set(card.requests)),
                "declared_origins": card.csp.get("resourceDomains", []),
                "tool_calls": card.tool_calls,
            },
        )
        assert 0 < header_ms < 2000, header_ms


async def test_scoring_commenting_and_shortlisting_change_the_sandbox_and_the_card(
    sandbox: RunningSandbox, built: tuple[Path, Path], browser: Browser
) -> None:
    record = _recorded(sandbox, status="to_evaluate")
    comment = "Clear answers; invite to a second round."
    async with open_card(browser, built, sandbox, record.id, theme="dark", width=360) as card:
        frame = card.frame
        await card.screenshot("dark-narrow")
        await frame.select_option("select", "4.5")
        await expect(frame.locator(".message")).to_contain_text("4.5")
        stored = sandbox.store.interview(record.id)
        assert stored is not None
        assert stored.score == 4.5

        await frame.get_by_text("Comments (").click()  # the comments open from their summary
        await frame.fill("textarea", comment)
        await frame.get_by_role("button", name="Add comment").click()
        await expect(frame.locator(".message")).to_contain_text("Comment added")
        assert comment in [c.value for c in sandbox.store.comments(record.id)]
        assert any(comment in t for t in await frame.locator(".comments li").all_text_contents())
        assert await frame.input_value("textarea") == ""

        await frame.get_by_role("button", name="Shortlist").click()
        await expect(frame.locator(".status")).to_have_attribute("data-status", "shortlisted")
        stored = sandbox.store.interview(record.id)
        assert stored is not None
        assert stored.finalist is not None
        assert stored.archived is None
        assert await frame.get_attribute("button[aria-pressed='true']", "aria-pressed") == "true"
        assert await frame.get_by_role("button", name="Shortlist").is_disabled()
        assert "to_evaluate to shortlisted" in (await frame.text_content(".message") or "")
        assert card.tool_calls[-3:] == ["score_interview", "comment_on_interview", "set_interview_status"]

        # Sharing publicly needs the user's confirmation, as share_interview asks for it: the card shows the
        # tool's preview and never sends a confirmation token of its own.
        await frame.get_by_role("button", name="Share recording…").click()
        await expect(frame.locator(".message")).to_contain_text("Nothing was shared")
        shown = await frame.text_content(".message") or ""
        assert "Create a public link to the interview of" in shown
        assert "confirmation_token" not in shown  # the tool's words for the model are not shown here
        assert card.arguments[-1] == {"interview_id": record.id}
        stored = sandbox.store.interview(record.id)
        assert stored is not None
        assert stored.share_url is None

        await card.page.evaluate("window.setHostTheme('light')")
        await expect(frame.locator("html")).to_have_attribute("data-theme", "light")
        await card.screenshot("light-narrow")
        _assert_only_declared_origins(card)


async def test_hostile_transcript_and_name_render_as_inert_text(
    sandbox: RunningSandbox, built: tuple[Path, Path], browser: Browser
) -> None:
    record = _recorded(sandbox)
    hostile_name = "<img src=x onerror=window.pwned=1>Eve\u202e"
    sandbox.store.save(dataclasses.replace(record, first_name=hostile_name, last_name=None))
    answer = _answers_by_question(sandbox, record)[0]
    hostile = ["<script>window.pwned=2</script>", "Zero\u200bwidth", "bidi\u202eevil.", "<b>bold</b>", "end."]
    words = [{"text": w, "start": i * 1.0, "end": i * 1.0 + 0.8} for i, w in enumerate(hostile)]
    sandbox.store.save(dataclasses.replace(answer, words=words, text=" ".join(hostile)))
    async with open_card(browser, built, sandbox, record.id) as card:
        frame = card.frame
        assert await frame.evaluate("window.pwned") is None
        assert await frame.locator("script:not([type=module]), img, b, iframe").count() == 0
        # The server's sanitiser already took out bidi controls and zero-width characters.
        assert await frame.text_content("h1") == "<img src=x onerror=window.pwned=1>Eve"
        sentences = await frame.locator('[data-question="1"] .s').all_text_contents()
        assert sentences == ["<script>window.pwned=2</script> Zerowidth bidievil.", "<b>bold</b> end."]
        assert await card.page.evaluate("window.pwned") is None
        _assert_only_declared_origins(card)


def _luminance(css_color: str) -> float:
    red, green, blue = (int(v) for v in re.findall(r"\d+", css_color)[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255
