"""The video machinery both video tasks share (``img2video`` and
``txt2video``): the local diffusers backend and its memory plans, the hosted
Replicate backend, MP4 encoding and metadata, the common video options, and
the video sample. A task package declares its models and writes its samples
with these; nothing here knows of a task."""
