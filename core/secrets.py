"""API keys: where they come from and keeping them out of everything we write.

Keys are read from FiftyOne secrets (``ctx.secrets``, which falls back to
environment variables for the names declared in fiftyone.yml) or, for plain
SDK use outside an operator, from the environment. They are passed to backends
as a mapping and never stored in params, samples, logs or error messages.
"""

import os
import re

SECRET_NAMES = (
    "OPENAI_API_KEY",
    "REPLICATE_API_TOKEN",
    "STABILITY_API_KEY",
    "HF_TOKEN",
)

# Shapes of keys that providers echo back in error messages (OpenAI prints a
# masked prefix and suffix of a wrong key), redacted even when not ours.
_KEY_PATTERNS = re.compile(
    r"(sk-[A-Za-z0-9_\-*]{4,}|r8_[A-Za-z0-9*]{4,}|hf_[A-Za-z0-9*]{4,}"
    r"|Bearer\s+[^\s'\"]+)"
)


def resolve_secrets(ctx_secrets=None):
    """Returns {name: value} for every known key, from the operator context's
    secrets when given, else from the environment."""
    values = {}
    for name in SECRET_NAMES:
        value = None
        if ctx_secrets is not None:
            try:
                value = ctx_secrets.get(name)
            except Exception:  # a secrets backend hiccup must not crash a form
                value = None
        values[name] = value or os.environ.get(name) or None
    return values


def redact(text, secrets=None):
    """Removes every known key value and anything shaped like a key."""
    text = str(text)
    for value in (secrets or {}).values():
        if value and len(value) >= 4:
            text = text.replace(value, "[redacted]")
    return _KEY_PATTERNS.sub("[redacted]", text)
