"""The chat page in headless Chromium against a real ``qa serve``: answer, citations, abstention, XSS."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.answer.contract import ABSTAIN_MESSAGE

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "eval" / "screenshots"
WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
ANSWERABLE = "推动区域间联动融合发展面临哪些难点？"
UNANSWERABLE = "2023年粤港澳大湾区的常住人口是多少？"
HOSTILE = "<script>alert(1)</script>区域协调发展是什么？"


@pytest.fixture()
def page(browser, qa_server):
    context = browser.new_context(viewport=WIDE)
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(qa_server + "/")
    page.locator("#qa-question textarea, #qa-question input").first.wait_for(timeout=30_000)
    yield page
    context.close()


def ask(page, question: str) -> None:
    """Type the question and press Enter; wait until its answer bubble is on screen."""
    bots = page.locator("#qa-chat .qa-answer")
    before = bots.count()
    box = page.locator("#qa-question textarea, #qa-question input").first
    box.fill(question)
    box.press("Enter")
    bots.nth(before).wait_for(timeout=60_000)


def test_answer_with_citations_and_highlighted_source(page) -> None:
    ask(page, ANSWERABLE)
    marker = page.locator("#qa-chat a.qa-cite", has_text="[1]").first
    marker.wait_for()
    source = page.locator("#qa-sources #src-1-1")
    assert source.is_visible()
    assert source.locator("mark").first.inner_text().strip()
    assert "open in document" in source.inner_text()
    page.mouse.wheel(0, -2000)
    marker.click()
    page.wait_for_timeout(800)
    assert source.evaluate("e => { const r = e.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }")
    assert len(page.context.pages) == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat-wide.png"))
    page.set_viewport_size(PHONE)
    sources_box = page.locator("#qa-sources-col").bounding_box()
    chat_box = page.locator("#qa-chat-col").bounding_box()
    assert sources_box["y"] >= chat_box["y"] + chat_box["height"] - 1, "sources should stack under the chat"
    page.screenshot(path=str(SCREENSHOTS / "chat-phone.png"), full_page=True)


def test_document_link_opens_scrolled_to_the_quote(page) -> None:
    ask(page, ANSWERABLE)
    href = page.locator("#qa-sources #src-1-1 a[href^='/doc/']").get_attribute("href")
    page.goto(page.url.rstrip("/") + href)
    mark = page.locator("mark[id^='c-']")
    assert mark.is_visible() and mark.inner_text().strip()
    assert mark.evaluate("m => m.getBoundingClientRect().top >= 0 && m.getBoundingClientRect().top < innerHeight")


@pytest.mark.parametrize("question", [UNANSWERABLE, "今天天气怎么样？"])
def test_unanswerable_question_abstains(page, question: str) -> None:
    ask(page, question)
    bubble = page.locator("#qa-chat .qa-answer").last
    assert ABSTAIN_MESSAGE in bubble.inner_text()
    assert "你可能想读" in page.locator("#qa-sources").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "chat-abstain.png"))


def test_script_in_a_question_is_shown_as_text(page) -> None:
    ask(page, HOSTILE)
    assert page.get_by_text("<script>alert(1)</script>", exact=False).first.is_visible()
    page.wait_for_timeout(500)
    assert page.dialogs == []


def test_traditional_toggle_changes_quotes_only_for_display(page) -> None:
    ask(page, ANSWERABLE)
    page.get_by_label("繁體").check()
    page.wait_for_function("() => document.querySelector('#qa-sources mark')?.innerText.includes('區域')")
    page.get_by_label("简体").check()
    page.wait_for_function("() => document.querySelector('#qa-sources mark')?.innerText.includes('区域')")
