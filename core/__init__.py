"""Machinery shared by every multigen task.

- ``params``: typed model options (type, default, range, help) and their validation
- ``catalog``: the model declarations and the registry that the forms, SDK
  validation, provenance and README table are derived from
- ``backends``: diffusers (local), Replicate, OpenAI and Stability behind one interface
- ``media`` / ``samples``: writing files atomically and samples with provenance
- ``jobs``: turning a request into work items, running them, collecting failures
- ``forms`` / ``operator``: the App form and the thin operator base class

Nothing here imports torch, diffusers, transformers or a provider client at
import time: the App imports every plugin when it starts.
"""
