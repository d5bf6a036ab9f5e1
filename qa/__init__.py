"""Extractive, cited question answering over Chinese policy documents."""

from qa.answer.contract import Answer

__all__ = ["Answer", "Assistant"]


def __getattr__(name: str):
    # Lazy: importing `qa` must not load torch (the CLI's help and the docs commands stay fast).
    if name == "Assistant":
        from qa.assistant import Assistant

        return Assistant
    raise AttributeError(name)
