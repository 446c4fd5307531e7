"""Machinery shared by every multigen task.

- ``params``: typed model options (type, default, range, help, scope)
- ``catalog``: the model declarations the forms, SDK validation, provenance
  and README table are derived from
- ``backends``: diffusers (local), Replicate, OpenAI and Stability behind one
  interface, with their capabilities declared
- ``request``: params -> a validated request (prompts, choices, problems)
- ``plan`` / ``run``: work items, seeds, shards, resume keys; running them
- ``samples`` / ``groups`` / ``media`` / ``provenance``: writing outputs
- ``generate``: a run as plain functions; ``forms`` / ``operator`` / ``sdk`` /
  ``delegation``: the App form, the thin operator, the Python call, shards

Nothing here imports torch, diffusers, transformers or a provider client at
import time: the App imports every plugin when it starts.
"""
