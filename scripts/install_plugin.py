"""Links this checkout into FiftyOne's plugins folder as ``multigen``, so
``fiftyone plugins list`` shows @multigen/generate and edits take effect."""

import os

import fiftyone as fo

repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
link = os.path.join(fo.config.plugins_dir, "multigen")
os.makedirs(fo.config.plugins_dir, exist_ok=True)
if os.path.islink(link) and os.readlink(link) != repo:
    os.remove(link)
if not os.path.exists(link):
    os.symlink(repo, link)
print(f"@multigen/generate installed: {link} -> {repo}")
