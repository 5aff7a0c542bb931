"""The control plane of the fake's LLM service (a part of
:class:`~sogni.testing.FakeSupernet`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__all__ = ["LlmControl"]


class LlmControl:
    """Mixed into ``FakeSupernet``: every method is thread-safe and returns once the change is
    in effect on the server loop."""

    if TYPE_CHECKING:  # FakeSupernet's own
        _llm: Any

        @property
        def rest_url(self) -> str: ...

        def call(self, fn: Callable[[], Any], timeout: float = 10) -> Any: ...

    def llm_pause(self, after_tokens: int = 0) -> None:
        """Hold every LLM job (running and new) once it has sent ``after_tokens`` ``jobTokens``
        frames, until :meth:`llm_resume`."""
        self.call(lambda: self._llm.set_hold(after_tokens))

    def llm_resume(self) -> None:
        self.call(lambda: self._llm.set_hold(None))

    def llm_wait_held(self, *, timeout: float = 10.0) -> list[str]:
        """Block until at least one LLM job is held by :meth:`llm_pause`; their ids."""
        result: list[str] = self.call(lambda: self._llm.wait_held(timeout), timeout=timeout + 5)
        return result

    def llm_forget_jobs(self) -> int:
        """End every LLM job without a word, as a server that lost them (e.g. a crash):
        they are no longer announced in ``activeLLMJobIDs``. Returns how many."""
        count: int = self.call(lambda: self._llm.forget())
        return count

    def llm_announce_jobs(self, announce: bool = True) -> None:
        """With ``False``, ``authenticated`` carries no ``activeLLMJobIDs`` (an older server)."""

        def apply() -> None:
            self._llm.announce_jobs = announce

        self.call(apply)

    def llm_jobs(self) -> list[dict[str, Any]]:
        """The LLM jobs in flight: ``job_id``, ``model``, ``app_id``, ``tokens_sent``, ``held``."""
        jobs: list[dict[str, Any]] = self.call(lambda: self._llm.snapshot())
        return jobs

    def put_vision_image(
        self,
        name: str,
        data: bytes = b"",
        *,
        content_type: str = "image/png",
        redirect_to: str | None = None,
    ) -> str:
        """Serve ``data`` at ``<rest_url>/_fake/vision/<name>`` (or a redirect to
        ``redirect_to``); returns the URL. For vision tests of trusted-URL inlining."""

        def apply() -> None:
            self._llm.media[name] = (data, content_type, redirect_to)

        self.call(apply)
        return f"{self.rest_url}/_fake/vision/{name}"
