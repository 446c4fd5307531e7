"""The options every generate operator's SDK call takes, documented once.

An operator's ``__call__`` docstring names them with a placeholder line
(``{prompt_sources}`` for prompts read from a file or a field,
``{templates}`` for the prompt-template options, ``{run_options}`` for the
rest) and is decorated with :func:`documented`, which writes them in at the
placeholder's indentation, so ``help(operator)`` reads them in full.
"""

import re

FRAGMENTS = {
    "prompt_sources": '''\
prompts_file (None): a .txt (one prompt per line) or .csv (a
    ``prompt`` column) file of prompts
prompt_field (None): a string field of ``sample_collection`` whose
    values are prompts (captions, say)''',
    "templates": '''\
template_mode ("combinatorial"), num_prompts (16), wildcards_dir
    (None): how prompt templates such as ``"a {red|blue} car"``
    expand: every combination, ``"random"`` (``num_prompts``
    distinct prompts per template, drawn with the run's seed) or
    ``"literal"`` (none); ``__name__`` reads ``name.txt`` of
    ``wildcards_dir`` (README: "Prompt templates")''',
    "run_options": '''\
embed_provenance (True): write the provenance into each file
    (README: "Provenance inside the files")
shards (None): with ``delegate=True``, split the run into this many
    delegated operations for several workers
timeout (600): seconds each hosted item may wait for its provider
    before it is listed as failed (a running Replicate prediction
    is then cancelled)
max_cost (None): a budget in US dollars: no new hosted item
    starts once the run has cost this much; the rest is listed in
    ``failed`` as "not run: budget of $X reached" (README: Cost)
score (None): metric ids (``clip_score``, ``pick_score``,
    ``aesthetic``) that score each output as it is written
    (README: "Scores"); the result's ``score_failed`` lists what
    could not be scored
delegate (False): queue the run for ``fiftyone delegated launch``''',
}
_PLACEHOLDER = re.compile(r"^( *)\{(\w+)\}$", re.M)


def documented(call):
    """Writes the shared options into ``call``'s docstring."""
    def fill(match):
        indent, name = match.groups()
        return "\n".join(indent + line for line in FRAGMENTS[name].splitlines())

    call.__doc__ = _PLACEHOLDER.sub(fill, call.__doc__)
    return call
