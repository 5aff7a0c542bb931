"""The fake's cost model for media renders: one function quotes a project, and both the
estimate endpoints and the balance hold on ``jobRequest`` use it, so a quote always equals the
amount held.

The model [INV-COST-MODEL] (every figure below is invented; the real prices are not public):

* A tier's ``benchmark.sec`` is the render time of one output at the tier's default steps: an
  image at 1024x1024, a 5-second video at the tier's default width and height, a 30-second
  audio track. One step costs ``sec / steps.default`` render seconds (a tier without steps
  counts as one step), scaled by a weight (never below 0.25):

  * image: the output's pixel count relative to 1024x1024;
  * video: the pixel count relative to the tier's default size, times the clip length relative
    to 5 seconds, times 1.25 when a video is an input (v2v, animate, upscale, reference videos);
  * audio: the track length relative to 30 seconds.

* Each image preview adds ``benchmark.secMaxPreviews`` render seconds, a ControlNet adds
  ``secCN``, and ``n`` context images add ``secContext<n>`` (the largest listed one for more).
* One render second costs 0.0004 USD on the fast network and half that on relaxed. Vendor
  models add a fixed fee per output (``feeUSD`` in the catalog's ``serving`` section) or, for
  video, a fee per second of video (``feeUSDPerSecond``).
* One Spark costs 0.01 USD and one SOGNI 0.005 USD.

Only the standard library: this module is imported by the server, but holds no server code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["Quote", "QuoteInput", "dec_str", "estimation_response", "money", "quote"]

USD_PER_RENDER_SEC = Decimal("0.0004")
NETWORK_MULTIPLIER = {"fast": Decimal(1), "relaxed": Decimal("0.5")}
TOKEN_PRICE_USD = {"spark": Decimal("0.01"), "sogni": Decimal("0.005")}
VIDEO_BASE_SECONDS = Decimal(5)
AUDIO_BASE_SECONDS = Decimal(30)
VIDEO_INPUT_FACTOR = Decimal("1.25")
_PLACES = Decimal("0.00000001")


@dataclass(frozen=True)
class QuoteInput:
    """What a price depends on; built from a jobRequest or from an estimate URL."""

    model_id: str
    model_name: str
    tier: dict[str, Any]
    network: str
    token_type: str
    image_count: int
    steps: int
    previews: int
    controlnet: bool
    denoise: Decimal
    width: int
    height: int
    context_images: int = 0
    fee_usd: Decimal = Decimal(0)
    media: str = "image"
    duration: Decimal = Decimal(0)
    """Seconds of video or audio per output (0 for images)."""
    base_size: tuple[int, int] = (1024, 1024)
    """The size ``benchmark.sec`` was measured at (video: the tier's default size)."""
    video_input: bool = False
    fee_usd_per_sec: Decimal = Decimal(0)


@dataclass(frozen=True)
class Quote:
    """One job's and the whole project's price."""

    inp: QuoteInput
    sec_per_step: Decimal
    sec_per_preview: Decimal
    sec_for_cn: Decimal
    weight: Decimal
    job_render_sec: Decimal
    job_usd: Decimal

    @property
    def project_usd(self) -> Decimal:
        return self.job_usd * self.inp.image_count

    def job_cost(self) -> Decimal:
        """One job's price in the request's token."""
        return _in_tokens(self.job_usd, self.inp.token_type)

    def project_cost(self) -> Decimal:
        return _in_tokens(self.project_usd, self.inp.token_type)

    def costs(self, usd: Decimal, render_sec: Decimal) -> dict[str, str]:
        return {
            "costInRenderSec": dec_str(render_sec),
            "costInUSD": dec_str(usd),
            "costInToken": dec_str(_in_tokens(usd, self.inp.token_type)),
            "costInSpark": dec_str(_in_tokens(usd, "spark")),
            "costInSogni": dec_str(_in_tokens(usd, "sogni")),
        }


def _number(spec: Any, key: str, default: float = 0) -> Decimal:
    if isinstance(spec, dict) and isinstance(spec.get(key), (int, float)):
        return Decimal(str(spec[key]))
    return Decimal(str(default))


def quote(inp: QuoteInput) -> Quote:
    benchmark = inp.tier.get("benchmark") or {}
    default_steps = _number(inp.tier.get("steps"), "default", 1) or Decimal(1)
    sec_per_step = _number(benchmark, "sec", 1) / default_steps
    sec_per_preview = _number(benchmark, "secMaxPreviews")
    sec_for_cn = _number(benchmark, "secCN") if inp.controlnet else Decimal(0)
    sec_context = Decimal(0)
    listed = {
        int(key[len("secContext") :]): value
        for key, value in benchmark.items()
        if key.startswith("secContext") and key[len("secContext") :].isdigit()
    }
    if inp.context_images > 0 and listed:
        usable = [n for n in listed if n <= inp.context_images]
        sec_context = Decimal(str(listed[max(usable) if usable else min(listed)]))
    weight = max(Decimal("0.25"), _weight(inp))
    render_sec = (
        sec_per_step * inp.steps * weight
        + sec_per_preview * inp.previews
        + sec_for_cn
        + sec_context
    )
    multiplier = NETWORK_MULTIPLIER.get(inp.network, Decimal(1))
    job_usd = (
        render_sec * USD_PER_RENDER_SEC * multiplier
        + inp.fee_usd
        + inp.fee_usd_per_sec * inp.duration
    )
    return Quote(
        inp=inp,
        sec_per_step=sec_per_step,
        sec_per_preview=sec_per_preview,
        sec_for_cn=sec_for_cn,
        weight=weight,
        job_render_sec=render_sec,
        job_usd=job_usd,
    )


def _weight(inp: QuoteInput) -> Decimal:
    if inp.media == "audio":
        return inp.duration / AUDIO_BASE_SECONDS
    pixels = Decimal(max(inp.width, 1) * max(inp.height, 1))
    base = Decimal(max(inp.base_size[0], 1) * max(inp.base_size[1], 1))
    if inp.media != "video":
        return pixels / base
    weight = pixels / base * inp.duration / VIDEO_BASE_SECONDS
    return weight * VIDEO_INPUT_FACTOR if inp.video_input else weight


def _in_tokens(usd: Decimal, token_type: str) -> Decimal:
    return usd / TOKEN_PRICE_USD.get(token_type, TOKEN_PRICE_USD["sogni"])


def money(value: Decimal) -> Decimal:
    """An amount rounded to the 8 decimal places balances and costs carry."""
    return value.quantize(_PLACES, rounding=ROUND_HALF_UP)


def dec_str(value: Decimal) -> str:
    """A decimal string as the Supernet prints costs: at most 8 places, no exponent."""
    rounded = money(value).normalize()
    return format(rounded, "f") if rounded != 0 else "0"


def estimation_response(
    q: Quote, *, now_ms: int, extra_request: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The ``EstimationResponse`` body of a cost estimate (decimal strings).
    ``extra_request`` joins the ``request`` block (the video and audio parameters)."""
    inp = q.inp
    extra_request = extra_request or {}
    job_render = q.job_render_sec
    render_time = float(job_render.quantize(Decimal("0.01")))
    when = datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc)
    return {
        "request": {
            "model": inp.model_id,
            "name": inp.model_name,
            "imageCount": inp.image_count,
            "stepCount": inp.steps,
            "previewCount": inp.previews,
            "cnEnabled": inp.controlnet,
            "denoiseStrength": dec_str(inp.denoise),
            "time": when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now_ms % 1000:03d}Z",
            **extra_request,
        },
        "rate": {
            "costPerBaseHQRenderInUSD": dec_str(USD_PER_RENDER_SEC * 10),
            # The misspelling is the wire's.
            "tokenMarkePriceUSD": dec_str(TOKEN_PRICE_USD.get(inp.token_type, Decimal(1))),
            "costPerRenderSecUSD": dec_str(USD_PER_RENDER_SEC),
            "costPerRenderSecToken": dec_str(_in_tokens(USD_PER_RENDER_SEC, inp.token_type)),
            "network": inp.network,
            "networkCostMultiplier": dec_str(NETWORK_MULTIPLIER.get(inp.network, Decimal(1))),
        },
        "quote": {
            "model": {
                "weight": dec_str(q.weight),
                "secPerStep": dec_str(q.sec_per_step),
                "secPerPreview": dec_str(q.sec_per_preview),
                "secForCN": dec_str(q.sec_for_cn),
            },
            "job": {
                **q.costs(q.job_usd, job_render),
                "calculatedStepCount": inp.steps,
            },
            "project": q.costs(q.project_usd, job_render * inp.image_count),
        },
        # [INV-ESTIMATE-BENCHMARK] the fake always has "live samples": a fixed 240 renders.
        "benchmark": {
            "estimatedRenderTimeSec": render_time,
            "medianRenderTimeSec": render_time,
            "sampleCount": 240,
            "confidence": 0.9,
            "estimatedWaitTimeSec": 1,
            "estimatedTotalTimeSec": round(render_time + 1, 2),
        },
    }
