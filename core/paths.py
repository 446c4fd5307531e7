"""Files a run reads and folders it writes, checked before anything is sent.

On a FiftyOne server that several people use, ``MULTIGEN_ALLOWED_DIRS``
(folders separated by ``:``) confines prompts files, wildcards folders and
output folders to those folders; unset, any path the server can reach is
allowed.
"""

import os

ALLOWED_DIRS_VAR = "MULTIGEN_ALLOWED_DIRS"


def allowed_dirs():
    value = os.environ.get(ALLOWED_DIRS_VAR) or ""
    return [os.path.realpath(os.path.expanduser(d)) for d in value.split(os.pathsep) if d]


def _confined(path, what):
    allowed = allowed_dirs()
    if allowed and not any(path == d or path.startswith(d + os.sep) for d in allowed):
        raise ValueError(f"{what} must be inside {', '.join(allowed)} "
                         f"({ALLOWED_DIRS_VAR} on this server); got {path}")
    return path


def readable_file(path):
    """The real path of a file to read; raises ``ValueError`` saying why not."""
    path = os.path.expanduser(str(path))
    if not os.path.isabs(path):
        raise ValueError(f"give the prompts file as an absolute path on the server; got {path}")
    path = _confined(os.path.realpath(path), "the prompts file")
    if not os.path.isfile(path):
        raise ValueError(f"no prompts file at {path}")
    return path


def readable_folder(path, what="the wildcards folder"):
    """The real path of a folder to read from; raises ``ValueError`` saying why not."""
    path = os.path.expanduser(str(path))
    if not os.path.isabs(path):
        raise ValueError(f"give {what} as an absolute path on the server; got {path}")
    path = _confined(os.path.realpath(path), what)
    if not os.path.isdir(path):
        raise ValueError(f"no folder at {path}")
    return path


def output_folder(path):
    """The real path of a folder outputs can be written to (created later,
    when the first file is); raises ``ValueError`` saying why not, before
    any provider is paid."""
    path = os.path.expanduser(str(path))
    if not os.path.isabs(path):
        raise ValueError("give the output folder as an absolute path on the server "
                         f"(a relative one would depend on where FiftyOne runs); got {path}")
    path = _confined(os.path.realpath(path), "the output folder")
    existing = path
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ValueError(f"the output folder {path} is inside a file ({existing})")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"the output folder {path} cannot be written "
                         f"({existing} is not writable by the FiftyOne server)")
    return path


def ensure_writable(folder):
    """Creates ``folder`` and proves a file can be written there (a check
    of permissions alone passes for root on /proc); raises ``ValueError``
    before any provider is called."""
    try:
        os.makedirs(folder, exist_ok=True)
        probe = os.path.join(folder, f".multigen-probe-{os.getpid()}")
        with open(probe, "wb"):
            pass
        os.remove(probe)
    except OSError as e:
        raise ValueError(f"the output folder {folder} cannot be written: "
                         f"{e.strerror or e}") from None
