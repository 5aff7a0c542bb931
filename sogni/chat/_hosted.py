"""``client.chat.hosted``: chat completions over REST, where the service may run the Sogni tools
itself, and its synchronous composition tools.

``POST /v1/chat/completions`` takes the socket request's options under their REST names (all
snake_case but ``billingMode``); it does not stream. ``POST /v1/creative-agent/tools/execute``
runs one composition tool (``enhance_prompt``, ``compose_script`` ...) without a model round.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from .._wire.fields import OMIT, Omit
from ..errors import ValidationProblem
from ._params import (
    DEFAULT_CHAT_MODEL,
    OPTION_NAMES,
    Messages,
    check_keywords,
    sogni_tools_mode,
    validate_messages,
    validate_options,
)
from ._rest_common import AttributionInput, attribution_headers, check_attribution, raise_problems
from ._run_models import HostedChatCompletion, HostedToolResult
from ._vision import prepare_messages

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core_protocols import ChatCore
    from ..config import ClientConfig
    from ._api import _ModelCache
    from ._params import ChatCompletionOptions

__all__ = ["HOSTED_TIMEOUT", "HostedAPI"]

HOSTED_TIMEOUT = 300.0
"""Seconds a hosted call may take by default (the service runs tools before it answers)."""

# The body's keys in the order the service's own client writes them, with the option each
# comes from (the same name unless said).
_BODY_OPTIONS = (
    "max_tokens",
    "temperature",
    "top_p",
    "top_k",
    "min_p",
    "repetition_penalty",
    "frequency_penalty",
    "presence_penalty",
    "stop",
    "token_type",
    "billing_mode",
    "tools",
    "tool_choice",
    "sogni_tools",
    "sogni_tool_execution",
    "task_profile",
    "media_references",
    "api_media_references",
    "safe_content_filter",
    "think",
    "response_format",
)
_TOOL_TOKEN_TYPES = ("sogni", "spark", "auto")


class HostedAPI:
    """``client.chat.hosted``: one REST call per answer; the service can run the Sogni tools
    the model calls (``sogni_tool_execution=True``) before it answers."""

    def __init__(self, core: ChatCore, config: ClientConfig, models: _ModelCache) -> None:
        self._core = core
        self._config = config
        self._models = models

    def create(
        self,
        *,
        messages: Messages,
        stream: bool | Omit = OMIT,
        media_references: list[Any] | None = None,
        api_media_references: list[Any] | None = None,
        attribution: AttributionInput | None = None,
        **options: Unpack[ChatCompletionOptions],
    ) -> HostedChatCompletion:
        """Ask for one completion over REST (``POST /v1/chat/completions``).

        Takes the options of ``chat.completions.create`` (``model`` defaults to
        ``DEFAULT_CHAT_MODEL``), sent under their REST names; images in ``messages`` are
        checked and inlined as for socket chat. ``sogni_tools`` (``True``,
        ``"creative-tools"``, ``"creative-agent"``; ``"rich"`` is sent as
        ``"creative-tools"``) adds the hosted Sogni tools; with ``sogni_tool_execution=True``
        the service runs the ones the model calls, and the answer lists them in
        ``sogni_tool_results`` (exactly as sent). ``media_references`` and
        ``api_media_references`` are passed through; ``attribution`` becomes the
        ``X-Sogni-*`` headers. It does not stream: ``stream=True`` raises ``ValidationError``
        before anything is sent. ``timeout`` defaults to 300 seconds.
        """
        check_keywords(options, OPTION_NAMES, "create")
        self._core.check()
        given: dict[str, Any] = {"model": DEFAULT_CHAT_MODEL, **options}
        problems = validate_options(given, self._models.get(given["model"]))
        if stream is True:
            problems.append(
                ValidationProblem(
                    "stream",
                    "hosted chat does not stream: use chat.completions.create(stream=True)",
                )
            )
        elif not isinstance(stream, Omit) and stream is not False:
            problems.append(
                ValidationProblem("stream", "must be False (hosted chat never streams)")
            )
        for name, value in (
            ("media_references", media_references),
            ("api_media_references", api_media_references),
        ):
            if value is not None and not isinstance(value, list):
                problems.append(ValidationProblem(name, "must be a list"))
        chosen = check_attribution(attribution, problems)
        message_problems = validate_messages(messages)
        raise_problems(problems + message_problems)
        prepared = prepare_messages(
            messages,
            self._config,
            downscale=bool(given.get("downscale_images")),
        )
        if media_references is not None:
            given["media_references"] = media_references
        if api_media_references is not None:
            given["api_media_references"] = api_media_references
        app_source = given.get("app_source") or self._config.app_source
        body = _body(given["model"], prepared, app_source, given)
        headers = attribution_headers(app_source, chosen, str(uuid.uuid4()).upper())
        data = self._core.rest.request(
            "POST",
            "/v1/chat/completions",
            json_body=body,
            headers=headers,
            config=self._call_config(given.get("timeout")),
        )
        return HostedChatCompletion.from_wire(data)

    def execute_tool(
        self,
        tool: str,
        arguments: Mapping[str, Any],
        *,
        app_source: str | None = None,
        token_type: Literal["sogni", "spark", "auto"] | None = None,
        safe_content_filter: bool | None = None,
        attribution: AttributionInput | None = None,
        timeout: float | None = None,
    ) -> HostedToolResult:
        """Run one synchronous hosted tool with no model round
        (``POST /v1/creative-agent/tools/execute``): ``enhance_prompt``, ``compose_script``,
        ``compose_lyrics``, ``compose_instrumental``, ``compose_workflow`` or
        ``compose_workflow_template``, with its exact JSON ``arguments``. Returns the tool's
        ``result`` as the service sent it."""
        self._core.check()
        problems: list[ValidationProblem] = []
        if not isinstance(tool, str) or not tool.strip():
            problems.append(ValidationProblem("tool", "must be a tool name"))
        if not isinstance(arguments, Mapping):
            problems.append(
                ValidationProblem("arguments", "must be a dict of the tool's arguments")
            )
        if token_type is not None and token_type not in _TOOL_TOKEN_TYPES:
            problems.append(ValidationProblem("token_type", "must be 'sogni', 'spark' or 'auto'"))
        if safe_content_filter is not None and not isinstance(safe_content_filter, bool):
            problems.append(ValidationProblem("safe_content_filter", "must be True or False"))
        if app_source is not None and not isinstance(app_source, str):
            problems.append(ValidationProblem("app_source", "must be a string"))
        if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
            problems.append(ValidationProblem("timeout", "must be a positive number of seconds"))
        chosen = check_attribution(attribution, problems)
        raise_problems(problems)
        source = app_source or self._config.app_source
        body: dict[str, Any] = {"tool": tool, "arguments": dict(arguments)}
        if source:
            body["app_source"] = source
        if token_type is not None:
            body["token_type"] = token_type
        if safe_content_filter is not None:
            body["safe_content_filter"] = safe_content_filter
        data = self._core.rest.request(
            "POST",
            "/v1/creative-agent/tools/execute",
            json_body=body,
            headers=attribution_headers(source, chosen, str(uuid.uuid4()).upper()),
            config=self._call_config(timeout),
        )
        return HostedToolResult.from_wire(data)

    def _call_config(self, timeout: float | None) -> ClientConfig:
        return self._config.with_options(timeout=HOSTED_TIMEOUT if timeout is None else timeout)


def _body(
    model: str, messages: list[Any], app_source: str | None, options: Mapping[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": messages}
    if app_source:
        body["app_source"] = app_source
    for name in _BODY_OPTIONS:
        if name not in options:
            continue
        value = options[name]
        if name == "billing_mode":
            if value:  # the one camelCase key, sent only when set
                body["billingMode"] = value
        elif name == "sogni_tools":
            body["sogni_tools"] = sogni_tools_mode(value)
        elif name == "think":
            body["chat_template_kwargs"] = {"enable_thinking": value}
        elif name == "response_format":
            if value:
                body["response_format"] = value
        else:
            body[name] = value
    return body
