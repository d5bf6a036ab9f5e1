"""The chat page: a Gradio Blocks app mounted at ``/`` of the API's FastAPI app.

Scripts can call the assistant through Gradio too; the ``/ask`` endpoint takes a question and
optional earlier questions and returns the answer contract (``qa.answer.contract.Answer``) as a dict::

    from gradio_client import Client
    client = Client("http://127.0.0.1:7860/")      # with keys: headers={"Authorization": "Bearer <key>"}
    answer = client.predict("推动区域间联动融合发展面临哪些难点？", api_name="/ask")
    answer["sentences"][0]["text"], answer["citations"][0]["doc_id"]
"""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr
from fastapi import FastAPI

from qa.answer.contract import Answer
from qa.api.auth import client_identity
from qa.api.errors import ApiError
from qa.api.ratelimit import RateLimiter
from qa.api.runner import ModelRunner
from qa.api.schemas import MAX_HISTORY
from qa.assistant import QuestionError
from qa.config import Settings
from qa.ui import render
from qa.ui.docpage import document_router
from qa.ui.signin import Sessions, SignInRedirect, signin_router
from qa.ui.style import CSS, JS

EXAMPLES = [
    "推动区域间联动融合发展面临哪些难点？",
    "內涵式發展的關鍵特徵是什麼？",
    "What are the practical paths for improving the regional coordinated development mechanism?",
]


class ChatHandlers:
    """The page's event handlers; they run in Gradio's worker threads."""

    def __init__(self, get_runner: Callable[[], ModelRunner], limiter: RateLimiter, auth_on: bool) -> None:
        self.get_runner, self.limiter, self.auth_on = get_runner, limiter, auth_on

    def _answer(self, question: str, history: list[str], request: gr.Request | None) -> Answer:
        http = getattr(request, "request", None)
        caller = client_identity(http, self.auth_on) if http is not None else "ui:unknown"
        try:
            self.limiter.check(caller)
            runner = self.get_runner()
            return runner.run(runner.assistant.ask, question, history=history[-MAX_HISTORY:] or None)
        except (QuestionError, ApiError) as exc:
            raise gr.Error(str(exc)) from exc

    def respond(
        self, question: str, turns: list[dict], script: str, request: gr.Request
    ) -> tuple[str, list[dict], str, list[dict]]:
        """Answer the typed question in the context of the earlier ones."""
        question = (question or "").strip()
        if not question:
            return "", render.chat_messages(turns, script), render.latest_sources(turns, script), turns
        answer = self._answer(question, [t["question"] for t in turns], request)
        turns = [*turns, {"question": question, "answer": answer.model_dump()}]
        return "", render.chat_messages(turns, script), render.latest_sources(turns, script), turns

    @staticmethod
    def redisplay(turns: list[dict], script: str) -> tuple[list[dict], str]:
        """Re-render the conversation in another script (display only)."""
        return render.chat_messages(turns, script), render.latest_sources(turns, script)

    @staticmethod
    def clear() -> tuple[list[dict], list[dict], str, str]:
        """Start a new conversation (follow-ups no longer refer to the old one)."""
        return [], [], render.sources_panel(None, 0, "original"), ""

    def ask(self, question: str, history: list[str] | None = None, request: gr.Request | None = None) -> dict:
        """Answer ``question`` (earlier questions in ``history``, oldest first); returns the Answer contract."""
        return self._answer(question, list(history or []), request).model_dump()


def build_chat(handlers: ChatHandlers, settings: Settings) -> gr.Blocks:
    """The Blocks layout: chat and controls on the left, sources on the right (stacked on phones)."""
    with gr.Blocks(title="qa · 区域协调发展问答") as demo:
        gr.Markdown("### 区域协调发展政策问答 · Cited answers from the policy library")
        turns = gr.State([])
        with gr.Row(elem_id="qa-main", equal_height=False):
            with gr.Column(scale=3, min_width=320, elem_id="qa-chat-col"):
                chatbot = gr.Chatbot(
                    label="对话 / Chat", height=520, elem_id="qa-chat", feedback_options=None, buttons=["copy"]
                )
                with gr.Row():
                    question = gr.Textbox(
                        placeholder="输入问题，按 Enter 发送 / Type a question and press Enter",
                        show_label=False,
                        lines=1,
                        max_lines=1,
                        max_length=settings.max_question_chars,
                        autofocus=True,
                        scale=5,
                        elem_id="qa-question",
                    )
                    send = gr.Button("发送 / Ask", variant="primary", scale=1, min_width=90, elem_id="qa-send")
                with gr.Row():
                    script = gr.Radio(
                        [(label, key) for key, label in render.SCRIPTS.items()],
                        value="original",
                        label="引文显示 / Quote script",
                        elem_id="qa-script",
                    )
                    clear = gr.Button("新对话 / New chat", size="sm", scale=0, min_width=120)
                gr.Examples([[q] for q in EXAMPLES], inputs=[question], label="示例问题 / Example questions")
            with gr.Column(scale=2, min_width=300, elem_id="qa-sources-col"):
                sources = gr.HTML(render.sources_panel(None, 0, "original"), elem_id="qa-sources", js_on_load=None)

        ask_io = {
            "fn": handlers.respond,
            "inputs": [question, turns, script],
            "outputs": [question, chatbot, sources, turns],
            "api_visibility": "private",
            "concurrency_id": "model",
        }
        question.submit(**ask_io)
        send.click(**ask_io)
        script.change(handlers.redisplay, [turns, script], [chatbot, sources], api_visibility="private")
        clear.click(handlers.clear, outputs=[turns, chatbot, sources, question], api_visibility="private")
        gr.api(handlers.ask, api_name="ask", concurrency_id="model")
    return demo


def mount_ui(app: FastAPI, settings: Settings) -> None:
    """Add the document viewer, sign-in (when keys are configured) and the chat page to ``app``."""
    keys, limiter = app.state.keys, app.state.limiter
    sessions = Sessions(keys)

    def get_runner() -> ModelRunner:
        return app.state.runner

    app.include_router(document_router(get_runner, sessions.user))
    if keys.enabled:
        app.include_router(signin_router(sessions, limiter))
        app.add_middleware(SignInRedirect, sessions=sessions)
    demo = build_chat(ChatHandlers(get_runner, limiter, keys.enabled), settings)
    gr.mount_gradio_app(
        app,
        demo,
        path="/",
        auth_dependency=sessions.user if keys.enabled else None,
        ssr_mode=False,
        css=CSS,
        js=JS,
        footer_links=["api"],
    )
