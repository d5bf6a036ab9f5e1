"""A document whose text holds HTML and JavaScript is shown as text — in the chat bubble, the sources
panel and the document page — in headless Chromium: no dialog opens, no element is injected."""

from __future__ import annotations

import shutil

import httpx
import pytest

from qa.assistant import Assistant
from qa.config import load_settings
from qa.index.builder import build_index
from qa.index.store import load_store
from tests.reliability.helpers import SEEDS

pytestmark = [pytest.mark.slow, pytest.mark.browser]

TITLE_PAYLOAD = "<script>window.__xss='title',alert('title')</script>"
SENTENCE_PAYLOAD = "<script>window.__xss='sentence',alert('sentence')</script>"
IMG_PAYLOAD = "<img src=x onerror=window.__xss='img',alert('img')>"
HOSTILE = (
    f"# 雄安新区专题{TITLE_PAYLOAD}\n\n"
    f"雄安新区建设需要{SENTENCE_PAYLOAD}统筹推进交通基础设施互联互通。"
    f"白洋淀生态治理{IMG_PAYLOAD}取得明显成效。\n"
    "雄安新区要承接北京非首都功能疏解。\n"
)
QUESTION = "雄安新区建设需要统筹推进什么？"


@pytest.fixture(scope="module")
def hostile_server(core_index_dir, core_assistant, rel_serve, tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    library = root / "library"
    library.mkdir()
    (library / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    index = shutil.copytree(core_index_dir, root / "index")
    settings = load_settings().with_overrides(index_dir=index)
    build_index(settings, [SEEDS, library], encoder=core_assistant.encoder)
    assistant = Assistant(load_store(index, core_assistant.encoder.fingerprint), core_assistant.encoder, settings)
    assert SENTENCE_PAYLOAD in assistant.canonical_text("hostile")  # the text really carries the markup
    return rel_serve(ui=True, assistant=assistant, index_dir=index)


@pytest.fixture()
def page(browser, hostile_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.base = hostile_server.url
    yield page
    context.close()


def _not_executed(page) -> None:
    page.wait_for_timeout(700)
    assert page.dialogs == []
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
    scripts = page.evaluate("() => [...document.scripts].map(s => s.textContent).join('\\n')")
    assert "__xss" not in scripts


def test_hostile_document_in_the_chat_page_is_text(page) -> None:
    page.goto(page.base + "/")
    box = page.locator("#qa-question textarea, #qa-question input").first
    box.wait_for(timeout=60_000)
    box.fill(QUESTION)
    box.press("Enter")
    bubble = page.locator("#qa-chat .qa-answer").first
    bubble.wait_for(timeout=120_000)
    assert SENTENCE_PAYLOAD in bubble.inner_text()  # the quoted sentence, markup shown as characters
    sources = page.locator("#qa-sources")
    assert SENTENCE_PAYLOAD in sources.inner_text() and TITLE_PAYLOAD in sources.inner_text()
    _not_executed(page)
    page.get_by_label("繁體").check()  # re-rendered in the other script: still text
    page.wait_for_function("() => document.querySelector('#qa-sources')?.innerText.includes('雄安新區')")
    assert SENTENCE_PAYLOAD in page.locator("#qa-sources").inner_text()
    _not_executed(page)


def test_hostile_document_page_is_text(page) -> None:
    text = httpx.get(page.base + "/api/documents/hostile", timeout=30).json()["text"]
    start = text.index("雄安新区建设")
    page.goto(page.base + f"/doc/hostile?start={start}&end={start + 40}")
    assert TITLE_PAYLOAD in page.locator("h1").inner_text()
    assert TITLE_PAYLOAD in page.title()
    body = page.locator(".doc").inner_text()
    assert SENTENCE_PAYLOAD in body and IMG_PAYLOAD in body
    assert page.locator("mark").inner_text().startswith("雄安新区建设")
    _not_executed(page)
