"""Write files into a Hugging Face hub cache laid out exactly as ``huggingface_hub`` does.

Tests use this to put tiny random-weight models under the *real* repo ids (for example
``"stabilityai/sdxl-turbo"``), so that the plugin's unchanged loading code::

    PipelineClass.from_pretrained("stabilityai/sdxl-turbo", torch_dtype=torch.float32)
    hf_hub_download("ByteDance/SDXL-Lightning", "sdxl_lightning_4step_unet.safetensors")

finds them offline. Layout written for a repo ``org/name`` (same as huggingface_hub 2.x)::

    <cache_dir>/models--org--name/
        refs/main                          # the commit id (40 hex chars, no newline)
        blobs/<etag>                       # file contents; etag = sha256 for LFS-like files, git sha1 otherwise
        snapshots/<commit>/<path>          # relative symlinks to ../../blobs/<etag> (copies if no symlinks)
        trees/<commit>.json                # cached tree listing (huggingface_hub >= 2 reads it, e.g. diffusers'
                                           # ``get_cached_repo_tree`` when offline); harmless for older versions

This module never imports ``huggingface_hub`` (nor torch), so a test can fill a cache and
set the environment *before* huggingface_hub is first imported.

How to make loading use the cache (checked with huggingface_hub 2.4, diffusers 0.42, transformers 5.24):

* Environment before ``huggingface_hub.constants`` is first imported (a subprocess, a fresh
  interpreter, or conftest.py before anything imports diffusers/transformers):
  ``os.environ.update(hub_env(cache_dir))``. huggingface_hub reads ``HF_HUB_CACHE`` and
  ``HF_HUB_OFFLINE`` once, when ``huggingface_hub.constants`` is imported (``import diffusers``,
  ``import transformers`` or ``from huggingface_hub import constants`` do it; a bare
  ``import huggingface_hub`` is lazy and does not). Setting them in ``os.environ`` later has no
  effect: ``hf_hub_download`` then looks in ``~/.cache/huggingface/hub``, tries the network
  (5 retries, about 23 s without DNS) and raises ``LocalEntryNotFoundError: An error happened
  while trying to locate the file on the Hub and we cannot find the requested files in the
  local cache...``.
* After import (same process, e.g. pytest after other tests imported diffusers):
  ``use_hub_cache(cache_dir, monkeypatch)`` sets the env vars AND patches the already
  imported module constants (``huggingface_hub.constants.HF_HUB_CACHE`` / ``HF_HUB_OFFLINE``,
  plus the copies that diffusers imported by name). hf_hub_download, snapshot_download,
  transformers' cached_file and diffusers' from_pretrained read
  ``huggingface_hub.constants.HF_HUB_CACHE`` / ``is_offline_mode()`` at call time, so this works.
* Or pass ``cache_dir=`` explicitly to ``from_pretrained`` / ``hf_hub_download``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Callable, Mapping, Union

__all__ = [
    "fake_commit",
    "hub_env",
    "repo_storage_folder",
    "save_file_to_hub_cache",
    "save_to_hub_cache",
    "snapshot_path",
    "use_hub_cache",
]

PathLike = Union[str, os.PathLike]

# Files that real hub repos store through git LFS (their blob name in the cache is the sha256).
_LFS_SUFFIXES = (
    ".safetensors",
    ".bin",
    ".pt",
    ".pth",
    ".ckpt",
    ".onnx",
    ".msgpack",
    ".model",
    ".h5",
    ".gguf",
    ".npz",
)
_LFS_MIN_SIZE = 10 * 1024 * 1024
TREE_CACHE_FORMAT_VERSION = 1


def repo_storage_folder(cache_dir: PathLike, repo_id: str, repo_type: str = "model") -> Path:
    """``<cache_dir>/models--org--name`` (same naming as ``huggingface_hub.file_download.repo_folder_name``)."""
    parts = [f"{repo_type}s", *repo_id.split("/")]
    return Path(cache_dir) / "--".join(parts)


def fake_commit(repo_id: str) -> str:
    """A deterministic fake 40-hex commit id for ``repo_id``."""
    return hashlib.sha1(f"multigen-tiny:{repo_id}".encode()).hexdigest()


def snapshot_path(cache_dir: PathLike, repo_id: str, repo_type: str = "model") -> Path | None:
    """Snapshot folder that ``refs/main`` points to, or None if the repo is not cached."""
    storage = repo_storage_folder(cache_dir, repo_id, repo_type)
    ref = storage / "refs" / "main"
    if not ref.is_file():
        return None
    return storage / "snapshots" / ref.read_text().strip()


def _git_blob_sha1(data: bytes) -> str:
    h = hashlib.sha1()
    h.update(f"blob {len(data)}\0".encode())
    h.update(data)
    return h.hexdigest()


def _is_lfs(filename: str, size: int) -> bool:
    return filename.lower().endswith(_LFS_SUFFIXES) or size >= _LFS_MIN_SIZE


def _link_or_copy(blob: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if dst.is_symlink() or dst.exists():
        dst.unlink()
    try:
        os.symlink(os.path.relpath(blob, dst.parent), dst)
    except (OSError, NotImplementedError):  # no symlinks (e.g. Windows without dev mode): copy, as hf does
        shutil.copyfile(blob, dst)


def _read_tree(storage: Path, commit: str) -> dict:
    path = storage / "trees" / f"{commit}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format_version") == TREE_CACHE_FORMAT_VERSION:
            return dict(data["files"])
    except (OSError, ValueError, KeyError):
        pass
    return {}


def _write_tree(storage: Path, commit: str, files: dict) -> None:
    path = storage / "trees" / f"{commit}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format_version": TREE_CACHE_FORMAT_VERSION, "files": {k: files[k] for k in sorted(files)}}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    # huggingface_hub keeps parsed tree listings in memory, keyed by file path: drop a stale entry.
    tree_mod = sys.modules.get("huggingface_hub._tree_cache")
    if tree_mod is not None:
        cache = getattr(tree_mod, "_IN_MEMORY_TREE_CACHE", None)
        lock = getattr(tree_mod, "_IN_MEMORY_TREE_CACHE_LOCK", None)
        if isinstance(cache, dict):
            if lock is not None:
                with lock:
                    for key in [k for k in cache if os.path.abspath(k) == os.path.abspath(path)]:
                        del cache[key]
            else:
                cache.pop(str(path), None)


def _add_files(
    cache_dir: PathLike,
    repo_id: str,
    files: Mapping[str, Union[bytes, PathLike]],
    *,
    commit: str | None,
    repo_type: str,
    move: bool = False,
) -> Path:
    storage = repo_storage_folder(cache_dir, repo_id, repo_type)
    ref = storage / "refs" / "main"
    if commit is None:
        commit = ref.read_text().strip() if ref.is_file() else fake_commit(repo_id)
    if len(commit) != 40 or any(c not in "0123456789abcdef" for c in commit):
        raise ValueError(f"commit must be 40 lowercase hex characters, got {commit!r}")

    snapshot = storage / "snapshots" / commit
    blobs = storage / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    snapshot.mkdir(parents=True, exist_ok=True)
    tree = _read_tree(storage, commit)

    for rel, source in files.items():
        rel = str(rel).replace(os.sep, "/").lstrip("/")
        if not rel or ".." in rel.split("/"):
            raise ValueError(f"bad repo file name {rel!r}")
        data = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else Path(source).read_bytes()
        blob_id = _git_blob_sha1(data)
        entry = {"size": len(data), "blob_id": blob_id}
        if _is_lfs(rel, len(data)):
            etag = hashlib.sha256(data).hexdigest()
            entry["lfs_sha256"] = etag
            entry["lfs_size"] = len(data)
        else:
            etag = blob_id
        blob = blobs / etag
        if not blob.exists():
            if move and not isinstance(source, (bytes, bytearray, memoryview)):
                shutil.move(os.fspath(source), blob)
            else:
                tmp = blob.with_name(etag + ".incomplete")
                tmp.write_bytes(data)
                os.replace(tmp, blob)
        _link_or_copy(blob, snapshot.joinpath(*rel.split("/")))
        tree[rel] = entry

    _write_tree(storage, commit, tree)
    ref.parent.mkdir(parents=True, exist_ok=True)
    ref.write_text(commit)  # hf writes the bare commit id, no newline
    return snapshot


def save_to_hub_cache(
    cache_dir: PathLike,
    repo_id: str,
    save_fn_or_folder: Union[Callable[[str], object], PathLike],
    *,
    commit: str | None = None,
    repo_type: str = "model",
) -> Path:
    """Put a whole repo into the hub cache; return its snapshot folder.

    ``save_fn_or_folder`` is either a folder whose files become the repo's files, or a
    callable taking a fresh empty folder path (e.g. ``pipe.save_pretrained``) that writes them.
    Files are added to the repo's current snapshot (``refs/main``), so several calls (or
    :func:`save_file_to_hub_cache`) can build one repo. The commit id defaults to the existing
    ``refs/main`` or a deterministic fake one.
    """
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp_root = None
    if callable(save_fn_or_folder):
        tmp_root = tempfile.mkdtemp(prefix=".tmp-save-", dir=cache_dir)
        save_fn_or_folder(tmp_root)
        folder = Path(tmp_root)
    else:
        folder = Path(save_fn_or_folder)
        if not folder.is_dir():
            raise NotADirectoryError(folder)
    try:
        files = {
            p.relative_to(folder).as_posix(): p
            for p in sorted(folder.rglob("*"))
            if p.is_file() and ".cache" not in p.relative_to(folder).parts
        }
        if not files:
            raise ValueError(f"nothing to save for {repo_id!r} (empty folder {folder})")
        return _add_files(cache_dir, repo_id, files, commit=commit, repo_type=repo_type, move=tmp_root is not None)
    finally:
        if tmp_root is not None:
            shutil.rmtree(tmp_root, ignore_errors=True)


def save_file_to_hub_cache(
    cache_dir: PathLike,
    repo_id: str,
    filename: str,
    data_bytes_or_path: Union[bytes, PathLike],
    *,
    commit: str | None = None,
    repo_type: str = "model",
) -> Path:
    """Put one file (``bytes`` or a local file path) into the repo's current snapshot.

    Returns the snapshot path of the file, which is what ``hf_hub_download(repo_id, filename)``
    then returns offline.
    """
    snapshot = _add_files(
        cache_dir, repo_id, {filename: data_bytes_or_path}, commit=commit, repo_type=repo_type
    )
    return snapshot.joinpath(*filename.split("/"))


def hub_env(cache_dir: PathLike) -> dict[str, str]:
    """Environment variables that make huggingface_hub/transformers/diffusers use ``cache_dir``
    offline and never touch the network. Must be in the environment before huggingface_hub is
    first imported (or use :func:`use_hub_cache` afterwards)."""
    cache_dir = os.path.abspath(os.fspath(cache_dir))
    return {
        "HF_HUB_CACHE": cache_dir,
        "HUGGINGFACE_HUB_CACHE": cache_dir,  # legacy name, still honoured as a fallback
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",  # legacy alias of HF_HUB_OFFLINE
        "HF_DATASETS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_UPDATE_CHECK": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "DISABLE_TELEMETRY": "1",
        "DO_NOT_TRACK": "1",
    }


# Module attributes that hold import-time copies of the env settings.
_RUNTIME_CONSTANTS = (
    ("huggingface_hub.constants", "HF_HUB_CACHE", "cache"),
    ("huggingface_hub.constants", "HUGGINGFACE_HUB_CACHE", "cache"),
    ("huggingface_hub.constants", "HF_HUB_OFFLINE", True),
    ("huggingface_hub.constants", "HF_HUB_DISABLE_TELEMETRY", True),
    ("diffusers.utils.hub_utils", "HF_HUB_OFFLINE", True),
    ("diffusers.utils.hub_utils", "HF_HUB_DISABLE_TELEMETRY", True),
    ("diffusers.loaders.lora_base", "HF_HUB_OFFLINE", True),
    ("diffusers.models.attention_dispatch", "HF_HUB_OFFLINE", True),
)


def use_hub_cache(cache_dir: PathLike, monkeypatch=None) -> dict[str, str]:
    """Point an already running interpreter at ``cache_dir``, offline.

    Sets :func:`hub_env` in ``os.environ`` and patches the import-time copies in modules that
    are already imported (``huggingface_hub.constants.HF_HUB_CACHE``/``HF_HUB_OFFLINE`` and the
    names diffusers imported from it). With a pytest ``monkeypatch`` everything is undone after
    the test; without one the changes stay. Returns the env dict.
    """
    env = hub_env(cache_dir)
    for key, value in env.items():
        if monkeypatch is not None:
            monkeypatch.setenv(key, value)
        else:
            os.environ[key] = value
    for module_name, attr, value in _RUNTIME_CONSTANTS:
        module = sys.modules.get(module_name)
        if module is None or not hasattr(module, attr):
            continue
        new = env["HF_HUB_CACHE"] if value == "cache" else value
        if monkeypatch is not None:
            monkeypatch.setattr(module, attr, new)
        else:
            setattr(module, attr, new)
    return env


def install_built(cache_dir, builders, repo_ids, kind):
    """Builds the tiny pipelines of ``repo_ids`` with ``builders`` (repo id
    -> function returning a pipeline) and writes each into the hub cache
    under its repo id. Returns ``{repo_id: snapshot Path}``."""
    out = {}
    for repo_id in repo_ids:
        if repo_id not in builders:
            raise KeyError(f"no tiny {kind} pipeline for {repo_id!r}; "
                           f"known: {sorted(builders)}")
        pipe = builders[repo_id]()
        out[repo_id] = save_to_hub_cache(cache_dir, repo_id,
                                         lambda path, p=pipe: p.save_pretrained(path))
    return out
