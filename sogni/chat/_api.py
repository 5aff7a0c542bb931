"""``client.chat``: socket-native completions, the LLM model list and cost estimates."""

from __future__ import annotations

import concurrent.futures
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

from .._events import check_event
from .._log import get_logger
from .._wire.converter import get_converter
from .._wire.envelope import Frame
from .._wire.fields import OMIT, Omit
from .._wire.js import encode_uri_component, stringify, utf16_length
from ..errors import (
    ChatError,
    ProtocolError,
    SogniError,
    SogniTimeoutError,
    TransportError,
    ValidationError,
    ValidationProblem,
)
from ._executor import ToolExecutor
from ._hosted import HostedAPI
from ._loop import run_tool_loop
from ._models import LLMCostEstimate, LLMModelInfo
from ._params import (
    DEFAULT_CHAT_MODEL,
    LOOP_OPTION_NAMES,
    OPTION_NAMES,
    TASK_PROFILES,
    TOKEN_TYPES,
    Messages,
    build_request,
    check_keywords,
    validate_messages,
    validate_options,
)
from ._runs import RunsAPI
from ._stream import TRANSPORT_LOST_MESSAGE, ChatStream
from ._tools import ToolsAPI, loop_settings
from ._vision import prepare_messages

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._core_protocols import ChatCore, FrameSource, SendingCore
    from ..config import ClientConfig
    from ..projects import ProjectsAPI
    from ._models import ChatCompletionResult
    from ._params import CreateOptions

__all__ = ["ChatAPI", "Completions"]

log = get_logger("sogni.chat")


EVENTS = ("token", "completed", "error", "job_state", "models_updated")
_JSON_FORMATS = ("json_object", "json_schema")
_FALLBACK_MAX_OUTPUT = 4096


class _ModelCache:
    """The ``swarmLLMModels`` map of one client, shared by all its ``with_options`` views."""

    def __init__(self, core: FrameSource) -> None:
        self._core = core
        self._lock = threading.Lock()
        self._models: dict[str, LLMModelInfo] = {}
        self._seen = False
        self.ready = threading.Event()
        core.add_frame_handler("swarmLLMModels", self._on_frame)
        earlier = core.latest_frame("swarmLLMModels")
        if earlier is not None:
            self._apply(earlier, replay=True)

    def _on_frame(self, frame: Frame) -> None:
        self._apply(frame, replay=False)

    def _apply(self, frame: Frame, *, replay: bool) -> None:
        models: dict[str, LLMModelInfo] = {}
        payload = frame.payload if isinstance(frame.payload, dict) else {}
        for model_id, value in payload.items():
            if isinstance(value, int) and not isinstance(value, bool):
                models[model_id] = LLMModelInfo(workers=value)  # the legacy form
                continue
            try:
                models[model_id] = self._core.structure(value, LLMModelInfo)
            except ProtocolError:
                log.debug("Ignored a malformed swarmLLMModels entry")
        with self._lock:
            if replay and self._seen:
                return  # a newer push arrived while this client was starting up
            self._seen = True
            self._models = models
            if models:
                self.ready.set()
            else:
                self.ready.clear()
        if not replay:
            self._core.emit("chat.models_updated", dict(models))

    def snapshot(self) -> dict[str, LLMModelInfo]:
        with self._lock:
            return dict(self._models)

    def get(self, model_id: Any) -> LLMModelInfo | None:
        with self._lock:
            return self._models.get(model_id) if isinstance(model_id, str) else None


class Completions:
    """``client.chat.completions``."""

    def __init__(
        self,
        core: SendingCore,
        config: ClientConfig,
        models: _ModelCache,
        executor: ToolExecutor | None = None,
    ) -> None:
        self._core = core
        self._config = config
        self._models = models
        self._executor = executor

    @overload
    def create(
        self,
        *,
        messages: Messages,
        stream: Literal[True],
        **options: Unpack[CreateOptions],
    ) -> ChatStream: ...

    @overload
    def create(
        self,
        *,
        messages: Messages,
        stream: Literal[False] = ...,
        **options: Unpack[CreateOptions],
    ) -> ChatCompletionResult: ...

    @overload
    def create(
        self,
        *,
        messages: Messages,
        stream: bool,
        **options: Unpack[CreateOptions],
    ) -> ChatStream | ChatCompletionResult: ...

    def create(
        self, *, messages: Messages, stream: bool | Omit = OMIT, **options: Any
    ) -> ChatStream | ChatCompletionResult:
        """Send a chat completion over the socket.

        ``messages`` are OpenAI-style dicts (roles ``system``, ``user``, ``assistant``,
        ``tool``; content a string or a list of ``text``/``image_url`` parts). Image parts may
        hold a ``pathlib.Path``, PNG/JPEG bytes, a binary file object, a ``data:`` URI or a
        trusted Sogni/S3 HTTPS URL; a string is never read as a file path (see
        :func:`sogni.chat.image_part`). ``model`` defaults to ``DEFAULT_CHAT_MODEL``. The other
        options are sent as the wire names them (``max_tokens``, ``tool_choice``,
        ``response_format`` as given; ``token_type`` → ``tokenType``, ``task_profile`` →
        ``taskProfile``, ``think`` → ``chat_template_kwargs.enable_thinking``); only what you
        pass is sent.

        Without ``stream`` it waits and returns a :class:`ChatCompletionResult`; with
        ``stream=True`` it returns a :class:`ChatStream` once the request is on the socket.
        ``timeout`` (default ``config.timeouts.chat``) bounds the whole request; when it passes
        (or you close a stream early) the SDK stops waiting, but the released protocol cannot
        cancel an LLM job, so the server may still finish and bill it.

        ``sogni_tools`` (``True``, ``"creative-tools"``, ``"creative-agent"``; ``"rich"`` is sent
        as ``"creative-tools"``) and ``sogni_tool_execution`` are forwarded for servers that add
        and run the hosted Sogni tools themselves.

        With ``auto_execute_tools=True`` the call runs the tool loop (see ``chat.tools.run``):
        Sogni platform calls run as projects, others go to ``on_tool_call(call)`` (on this
        thread; its return value is the tool's content), for at most ``max_tool_rounds``
        (default 5) rounds; ``on_tool_progress(call, progress)`` runs on the callback worker.
        The answer carries ``tool_history``; when rounds run out, :class:`ToolLoopError` does.
        It cannot stream: ``stream=True`` with it raises ``ValidationError`` before sending.
        """
        if LOOP_OPTION_NAMES & options.keys():
            return self._create_with_tools(messages, stream, options)
        return self._plain(messages, stream, options)

    def _create_with_tools(
        self, messages: Messages, stream: bool | Omit, options: dict[str, Any]
    ) -> ChatStream | ChatCompletionResult:
        check_keywords(options, OPTION_NAMES | LOOP_OPTION_NAMES, "create")
        loop = {name: options.pop(name) for name in LOOP_OPTION_NAMES if name in options}
        auto = loop.pop("auto_execute_tools", False)
        problems: list[ValidationProblem] = []
        if not isinstance(auto, bool):
            problems.append(ValidationProblem("auto_execute_tools", "must be True or False"))
        elif not auto:
            problems += [
                ValidationProblem(name, "is used only with auto_execute_tools=True")
                for name in loop
            ]
        elif stream is True:
            problems.append(
                ValidationProblem(
                    "stream",
                    "cannot be True with auto_execute_tools=True (the tool loop waits for each "
                    "answer); call chat.tools.execute_all() from your own streaming loop",
                )
            )
        if problems:
            raise ValidationError(problems)
        if not auto:
            return self._plain(messages, stream, options)
        settings = loop_settings(
            None,
            loop.get("max_tool_rounds", 5),
            loop.get("on_tool_call"),
            loop.get("on_tool_progress"),
            {"tools": None, **options},  # the tools may come from the server (sogni_tools)
            name="max_tool_rounds",
        )
        if self._executor is None:
            raise TypeError("this Completions has no tool executor")
        return run_tool_loop(self, self._executor, messages, options, settings)

    def _plain(
        self, messages: Messages, stream: bool | Omit, options: dict[str, Any]
    ) -> ChatStream | ChatCompletionResult:
        chat_stream = self._start(messages=messages, stream=stream, **options)
        if stream is True:
            return chat_stream
        try:
            return chat_stream.wait()
        finally:
            chat_stream.close()

    def _start(self, *, messages: Messages, stream: bool | Omit, **options: Any) -> ChatStream:
        """Validate, prepare and send; the returned stream follows the job (shared by the
        sync API and the asyncio shim, which awaits the stream instead of blocking)."""
        check_keywords(options, OPTION_NAMES | {"messages", "stream"}, "create")
        self._core.check()
        config = self._config
        started = config.clock()
        options = {"model": DEFAULT_CHAT_MODEL, **options}
        problems = validate_options(options, self._models.get(options["model"]))
        if not isinstance(stream, (bool, Omit)):
            problems.append(ValidationProblem("stream", "must be True or False"))
        message_problems = validate_messages(messages)
        if message_problems:
            raise ValidationError(problems + message_problems)
        prepared = prepare_messages(
            messages, config, downscale=bool(options.get("downscale_images")), problems=problems
        )
        job_id = str(uuid.uuid4()).upper()
        request = build_request(
            job_id, prepared, options, stream=stream, default_app_source=config.app_source
        )
        body = get_converter().unstructure(request)
        response_format = options.get("response_format", {}).get("type")
        deadline = started + options.get("timeout", config.timeouts.chat)
        chat_stream = ChatStream(
            self._core,
            config,
            job_id,
            deadline=deadline,
            response_format=response_format if response_format in _JSON_FORMATS else None,
        )
        self._send(chat_stream, body, deadline)
        return chat_stream

    def _send(self, chat_stream: ChatStream, body: dict[str, Any], deadline: float) -> None:
        """Register the job, put the request on the socket, and wait until it was written."""
        core, job_id = self._core, chat_stream.job_id
        core.registry.add(job_id, chat_stream)
        try:
            future = core.send("llmJobRequest", body)
        except BaseException:
            core.registry.remove(job_id, chat_stream)
            raise
        chat_stream._set_send_future(future)
        try:
            future.result(max(0.0, deadline - self._config.clock()))
        except TransportError as exc:  # the transport could not write it (not a deadline here)
            chat_stream.close()
            # Nothing reached the server, so nothing was charged: safe to send again.
            raise ChatError(
                f"transport_lost: {TRANSPORT_LOST_MESSAGE} ({exc})",
                error_type="transport_lost",
                job_id=job_id,
            ) from exc
        except SogniError:
            chat_stream.close()
            raise
        except concurrent.futures.TimeoutError:  # the request's own deadline passed first
            _fail_future(future)
            chat_stream.close()
            raise SogniTimeoutError(
                f"the chat request could not be sent before its deadline (job {job_id})"
            ) from None
        except BaseException:
            chat_stream.close()
            raise


def _fail_future(future: concurrent.futures.Future[int]) -> None:
    """Fail a queued frame's future: the transport then drops the frame instead of sending it
    late (no effect if it was written meanwhile)."""
    try:
        future.set_exception(SogniTimeoutError("the chat request's deadline passed"))
    except concurrent.futures.InvalidStateError:
        pass  # written meanwhile


class ChatAPI:
    """``client.chat``: LLM chat over the socket, hosted chat, durable runs.

    ``completions.create(...)`` sends a chat job; ``tools.execute(...)`` runs a Sogni platform
    tool call as a project; ``tools.run(...)`` runs the tool-calling loop; ``hosted.create(...)``
    asks for a completion over REST, where the service may run the Sogni tools itself;
    ``runs.create(...)`` starts a durable run that the service executes; ``models`` /
    ``wait_for_models()`` give the LLMs the network offers now; ``estimate_cost(...)`` prices a
    request before sending it.
    """

    def __init__(
        self,
        core: ChatCore,
        config: ClientConfig,
        projects: Callable[[], ProjectsAPI],
    ) -> None:
        self._core = core
        self._config = config
        self._models = core.extension("chat.models", _ModelCache)
        executor = ToolExecutor(projects, config, core.callbacks)
        self.completions = Completions(core, config, self._models, executor)
        self.tools = ToolsAPI(self.completions, executor)
        self.hosted = HostedAPI(core, config, self._models)
        self.runs = RunsAPI(core, config)

    @property
    def models(self) -> dict[str, LLMModelInfo]:
        """The LLMs available now (pushed by the server as ``swarmLLMModels``)."""
        return self._models.snapshot()

    def wait_for_models(self, timeout: float | None = None) -> dict[str, LLMModelInfo]:
        """The LLM list, waiting up to ``timeout`` (default ``timeouts.wait_for_models``) for
        the server to push it."""
        self._core.check()
        limit = self._config.timeouts.wait_for_models if timeout is None else timeout
        if not self._models.ready.wait(limit):
            raise SogniTimeoutError(f"no LLM model list arrived within {limit:g}s")
        return self._models.snapshot()

    def on(self, event: str, fn: Callable[[Any], Any]) -> Callable[[], None]:
        """Listen to chat events (``fn`` runs on the callback worker): ``token``
        (:class:`ChatCompletionChunk`), ``completed`` (:class:`ChatCompletionResult`),
        ``error`` (the :class:`SogniError` that ended a job), ``job_state``
        (:class:`ChatJobState`), ``models_updated`` (dict of :class:`LLMModelInfo`).
        Returns a function that removes the listener."""
        name = check_event(event, EVENTS, owner="chat")
        return self._core.on("chat." + name, fn)

    def estimate_cost(
        self,
        *,
        messages: Messages,
        model: str = DEFAULT_CHAT_MODEL,
        max_tokens: int | None = None,
        token_type: Literal["sogni", "spark"] = "sogni",
        think: bool | None = None,
        task_profile: Literal["general", "coding", "reasoning"] | None = None,
        downscale_images: bool = False,
    ) -> LLMCostEstimate:
        """Price a request before sending it. Input tokens are counted the
        way the server counts them; output tokens are ``max_tokens``, else the model's
        default (its complex-thinking default for ``think`` with ``coding``/``reasoning``)."""
        self._core.check()
        options: dict[str, Any] = {"model": model}
        if max_tokens is not None:
            options["max_tokens"] = max_tokens
        if think is not None:
            options["think"] = think
        problems = validate_options(options, None)
        if token_type not in TOKEN_TYPES:
            problems.append(ValidationProblem("token_type", "must be 'sogni' or 'spark'"))
        if task_profile is not None and task_profile not in TASK_PROFILES:
            problems.append(
                ValidationProblem("task_profile", "must be 'general', 'coding' or 'reasoning'")
            )
        message_problems = validate_messages(messages)
        if message_problems:
            raise ValidationError(problems + message_problems)
        prepared = prepare_messages(
            messages, self._config, downscale=downscale_images, problems=problems
        )
        input_tokens = _estimated_input_tokens(prepared)
        output_tokens = max_tokens or self._default_output_tokens(model, think, task_profile)
        segments = (token_type, model, input_tokens, output_tokens)
        path = "/api/v1/job-llm/estimate/" + "/".join(
            encode_uri_component(str(s)) for s in segments
        )
        data = self._core.rest.request("GET", path, origin="socket", config=self._config)
        quote_data = data.get("quote") if isinstance(data, dict) else None
        return self._core.structure(quote_data, LLMCostEstimate)

    def _default_output_tokens(self, model: str, think: bool | None, profile: str | None) -> int:
        info = self._models.get(model)
        limits = info.max_output_tokens if info is not None else None
        if limits is None:
            return _FALLBACK_MAX_OUTPUT
        complex_thinking = think is True and profile in ("coding", "reasoning")
        for value in (
            limits.thinking_complex_default if complex_thinking else None,
            limits.default,
        ):
            if value is not None:
                return int(value)
        return _FALLBACK_MAX_OUTPUT


def _estimated_input_tokens(messages: list[Any]) -> int:
    """ceil(len(JSON.stringify(messages)) / 4) with images replaced by a placeholder, the
    length counted in UTF-16 code units as JavaScript does."""
    stripped = []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            content = [_placeholder(part) for part in content]
            message = {**message, "content": content}
        stripped.append(message)
    units = utf16_length(stringify(stripped))
    return -(-units // 4)


def _placeholder(part: Any) -> Any:
    if not (isinstance(part, Mapping) and part.get("type") == "image_url"):
        return part
    image: dict[str, Any] = {"url": "[image]"}
    detail = part["image_url"].get("detail")
    if detail:
        image["detail"] = detail
    return {"type": "image_url", "image_url": image}
