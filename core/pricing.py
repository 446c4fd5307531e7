"""What hosted models cost: prices declared once, as dated data with their
source, beside each backend declaration (``Replicate(..., price=...)``).

A price knows two things:

- :meth:`Price.reported`: the cost of one provider call from the usage the
  provider reported on it (OpenAI's ``usage`` token counts, Replicate's
  ``metrics.predict_time``), or None when the price is not billed by usage;
- :meth:`Price.estimate`: the cost of outputs before they are made, from the
  options (a flat price per image, a published price per quality and size,
  a rate per second of video at the chosen resolution times its duration),
  or None when it cannot be known beforehand (billed by the second of
  hardware).

Every :class:`Cost` says whether the provider reported what it is computed
from (``reported``) and how (``basis``, a short sentence). A backend that
declares no price has an unknown cost: the form and the leaderboard say so,
never a guess. Sources and dates: docs/providers-research.md section 11.
"""

from dataclasses import dataclass, field
from typing import Dict, Tuple, Union

AUTO = "auto"


@dataclass(frozen=True)
class Cost:
    """What one output cost, in US dollars."""

    usd: float
    reported: bool
    basis: str

    def to_dict(self):
        return {"usd": round(self.usd, 10), "reported": self.reported, "basis": self.basis}


def usd(amount):
    """Dollars as people read them: $0.003, $0.065, $1.20, $12.34."""
    if amount == 0:
        return "$0"
    if amount >= 1:
        return f"${amount:,.2f}"
    text = f"{amount:.6f}".rstrip("0")
    return "$" + (text if len(text.split(".")[1]) >= 2 else f"{amount:.2f}")


@dataclass(frozen=True)
class Price:
    """Base of the price kinds. ``checked``: the date (YYYY-MM-DD) the price
    was read at ``source`` (a URL)."""

    checked: str = ""
    source: str = ""

    def describe(self):
        """One line for the form and the README's price table."""
        raise NotImplementedError

    def estimate(self, options, count=1):
        """The :class:`Cost` of ``count`` outputs with ``options``, or None
        when it cannot be known before they are made."""
        return None

    def reported(self, usage, count=1):
        """The :class:`Cost` of *each* of the ``count`` outputs of one call
        from the usage the provider reported for it, or None."""
        return None


@dataclass(frozen=True)
class PerOutput(Price):
    """A flat price per output (image, video, mesh)."""

    usd: float = 0.0
    unit: str = "image"

    def describe(self):
        return f"{usd(self.usd)} per {self.unit}"

    def estimate(self, options, count=1):
        return Cost(self.usd * count, False,
                    f"{count} {self.unit}{'s' if count != 1 else ''} at {usd(self.usd)} each")


@dataclass(frozen=True)
class Credits(Price):
    """A provider that bills credits per output (Stability AI: 1 credit =
    $0.01)."""

    credits: float = 0.0
    usd_per_credit: float = 0.01
    unit: str = "image"

    @property
    def usd(self):
        return self.credits * self.usd_per_credit

    def describe(self):
        return f"{self.credits:g} credits ({usd(self.usd)}) per {self.unit}"

    def estimate(self, options, count=1):
        return Cost(self.usd * count, False,
                    f"{self.credits * count:g} credits at {usd(self.usd_per_credit)}")


@dataclass(frozen=True)
class ByOptions(Price):
    """A price read from a table keyed by some of the model's own options:
    Replicate's official video models bill each second of output video at a
    rate set by its resolution, mode or sound (or a flat price per video at
    each resolution).

    - ``by``: the names of the options (their Param names in the catalog)
      whose values pick the rate, e.g. ``("resolution",)``; empty: one rate;
    - ``rates``: their values, in ``by``'s order, -> US dollars;
    - ``seconds``: billed per second of output video: the name of the option
      holding the length (``"duration"``), or the fixed length in seconds of
      every output of a model that has no such option (only where its schema
      or page states it); None: ``rates`` is the price of one output;
    - ``labels``: how ``describe`` names a yes/no option
      (``{"generate_audio": "audio"}`` reads "audio on", "audio off").

    A combination of options with no published rate has no estimate (its
    cost reads "unknown", never a guess)."""

    by: Tuple[str, ...] = ()
    rates: Dict[Tuple, float] = field(default_factory=dict)
    seconds: Union[str, float, None] = None
    unit: str = "video"
    labels: Dict[str, str] = field(default_factory=dict)

    def __hash__(self):  # frozen with dicts: hash what identifies it
        return hash((self.by, tuple(sorted(self.rates.items(), key=repr)), self.seconds,
                     self.source))

    @property
    def per_second(self):
        return self.seconds is not None

    def describe(self):
        what = "per second of video" if self.per_second else f"per {self.unit}"
        if not self.by:
            (rate,) = self.rates.values()
            fixed = (f" ({self.seconds:g} s each)" if self.per_second
                     and not isinstance(self.seconds, str) else "")
            return f"{usd(rate)} {what}{fixed}"
        tiers = ", ".join(f"{self._words(key)} {usd(rate)}" for key, rate in self.rates.items())
        return f"{what}: {tiers}"

    def estimate(self, options, count=1):
        key = tuple(options.get(name) for name in self.by)
        rate = self.rates.get(key)
        if rate is None:
            return None
        plural = "s" if count != 1 else ""
        detail = f" ({self._words(key)})" if self.by else ""
        if not self.per_second:
            return Cost(rate * count, False,
                        f"{count} {self.unit}{plural} at {usd(rate)} each{detail}")
        length = (options.get(self.seconds) if isinstance(self.seconds, str)
                  else self.seconds)
        if length is None:
            return None
        return Cost(rate * float(length) * count, False,
                    f"{count} video{plural} of {float(length):g} s at {usd(rate)}/s{detail}")

    def _words(self, key):
        """The options' values as people read them: "1080p, audio on"."""
        words = []
        for name, value in zip(self.by, key):
            if isinstance(value, bool):
                words.append(f"{self.labels.get(name, name)} {'on' if value else 'off'}")
            else:
                words.append(str(value))
        return ", ".join(words)


@dataclass(frozen=True)
class Hardware(Price):
    """Billed by the second of the hardware the model runs on (Replicate's
    community models): reported from the prediction's ``predict_time``;
    unknown beforehand."""

    hardware: str = ""
    usd_per_s: float = 0.0

    def describe(self):
        return f"{usd(self.usd_per_s)}/s of {self.hardware} (billed by the second)"

    def reported(self, usage, count=1):
        seconds = (usage or {}).get("predict_time")
        if seconds is None:
            return None
        share = f" (1/{count} of the prediction)" if count > 1 else ""
        return Cost(float(seconds) * self.usd_per_s / count, True,
                    f"{float(seconds):.2f} s of {self.hardware} at "
                    f"{usd(self.usd_per_s)}/s{share}")


@dataclass(frozen=True)
class Tokens(Price):
    """OpenAI's GPT Image models: US dollars per million tokens (text in,
    image in, image out), reported from the response's ``usage``.
    ``per_image`` holds OpenAI's published price of one image by
    (quality, size), for estimates; a model without one has no estimate."""

    text_in: float = 0.0
    image_in: float = 0.0
    image_out: float = 0.0
    per_image: Dict[Tuple[str, str], float] = field(default_factory=dict)

    def __hash__(self):  # frozen with a dict: hash what identifies it
        return hash((self.text_in, self.image_in, self.image_out, self.source))

    def describe(self):
        return (f"${self.image_out:g}/1M image output tokens, ${self.image_in:g}/1M image "
                f"and ${self.text_in:g}/1M text input tokens" + (" (per image: " + _range(self.per_image) + ")"
                                        if self.per_image else ""))

    def reported(self, usage, count=1):
        if not usage:
            return None
        details_in = usage.get("input_tokens_details") or {}
        details_out = usage.get("output_tokens_details") or {}
        text = details_in.get("text_tokens", usage.get("input_tokens", 0) or 0) or 0
        image_in = details_in.get("image_tokens", 0) or 0
        out = details_out.get("image_tokens", usage.get("output_tokens", 0)) or 0
        total = (text * self.text_in + image_in * self.image_in + out * self.image_out) / 1e6
        share = f", 1/{count} of the call" if count > 1 else ""
        return Cost(total / count, True,
                    f"{out:,} output tokens at ${self.image_out:g}/1M + {text + image_in:,} "
                    f"input tokens{share}")

    def estimate(self, options, count=1):
        if not self.per_image:
            return None
        quality = options.get("quality") or AUTO
        size = options.get("size") or AUTO
        matches = [price for (q, s), price in self.per_image.items()
                   if quality in (q, AUTO) and size in (s, AUTO)]
        if not matches:
            return None
        each = max(matches)  # auto: the most it can cost
        guess = " (auto: the most it can cost)" if AUTO in (quality, size) else ""
        return Cost(each * count, False,
                    f"{count} image{'s' if count != 1 else ''} at {usd(each)}{guess}")


def _range(table):
    low, high = min(table.values()), max(table.values())
    return f"{usd(low)} to {usd(high)}"


def cost_of(item, output):
    """The cost of one output of work item ``item``: what the backend
    computed from reported usage, else the estimate from its declared
    price, else None (a local run, or a price nobody could confirm)."""
    if output.cost is not None:
        return output.cost
    price = getattr(item.choice.backend, "price", None)
    if price is None:
        return None
    estimate = price.estimate(item.choice.options, 1)
    return estimate.to_dict() if estimate is not None else None


def combined(steps):
    """The cost of an output made by several calls (a chain's image step,
    then its mesh step): ``steps`` is [(name, backend, options, output)].
    None when no step is hosted, or when a hosted step's cost is unknown
    (a partial sum would read as the whole)."""
    parts = []
    for name, backend, options, output in steps:
        if not is_hosted(backend):
            continue
        cost = output.cost
        if cost is None and backend.price is not None:
            estimate = backend.price.estimate(options, 1)
            cost = estimate.to_dict() if estimate is not None else None
        if cost is None:
            return None
        parts.append((name, cost))
    if not parts:
        return None
    return Cost(sum(c["usd"] for _, c in parts), all(c["reported"] for _, c in parts),
                "; ".join(f"{name}: {c['basis']}" for name, c in parts)).to_dict()


@dataclass
class Estimate:
    """What a run is expected to cost before it starts.

    ``usd``: the sum over outputs whose cost can be estimated; ``unknown``:
    labels of the models whose cost cannot (no confirmed price, or billed by
    the second); ``by_model``: model id -> dollars."""

    usd: float = 0.0
    unknown: list = field(default_factory=list)
    by_model: dict = field(default_factory=dict)

    @property
    def text(self):
        parts = []
        if self.by_model:
            parts.append(f"estimated cost {usd(self.usd)}")
        if self.unknown:
            parts.append("cost unknown for " + ", ".join(self.unknown))
        return "; ".join(parts)

    def to_dict(self):
        return {"usd": round(self.usd, 10), "unknown": list(self.unknown),
                "by_model": {k: round(v, 10) for k, v in self.by_model.items()}}


def estimate_items(items, times=1):
    """The :class:`Estimate` of running work items (``times``: sources each
    prompt runs on). Local backends cost nothing and are left out."""
    result = Estimate()
    for item in items:
        backend = item.choice.backend
        label = item.choice.model.label
        if getattr(backend, "priced_by_steps", False):  # a chain of other models
            note = f"{label} (its steps' costs add up as it runs)"
            if note not in result.unknown:
                result.unknown.append(note)
            continue
        if not is_hosted(backend):
            continue
        price = getattr(backend, "price", None)
        cost = price.estimate(item.choice.options, item.job.count) if price else None
        if cost is None:
            note = (f"{label} (billed by the second)" if isinstance(price, Hardware)
                    else f"{label} (price unknown)" if price is None
                    else f"{label} (no published price for these options)"
                    if isinstance(price, ByOptions)
                    else f"{label} (no published price per output)")
            if note not in result.unknown:
                result.unknown.append(note)
            continue
        result.usd += cost.usd * times
        model_id = item.choice.model.id
        result.by_model[model_id] = result.by_model.get(model_id, 0.0) + cost.usd * times
    return result


def is_hosted(backend):
    """Whether running ``backend`` is paid to a provider (local runs cost
    nothing here)."""
    from .backends.hosted import HostedBackend

    return isinstance(backend, HostedBackend)
