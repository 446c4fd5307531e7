"""Every generate operator's SDK call documents the options all of them
take, written once in core/call_docs.py."""

import inspect
import re

from tests.unit.conftest import module


def test_every_generate_operator_documents_the_shared_run_options():
    plugin = module("")
    documented = 0
    for task in plugin.TASKS:
        for operator in task.OPERATORS:
            doc = inspect.getdoc(operator.__call__)
            assert not re.search(r"^ *\{\w+\}$", doc, re.M), operator
            for option in ("embed_provenance (True)", "shards (None)", "timeout (600)",
                           "max_cost (None)", "score (None)", "delegate (False)"):
                assert option in doc, (operator.__name__, option)
            # the fragment keeps the docstring's own indentation
            assert ("\n    max_cost (None): a budget in US dollars: no new hosted item"
                    "\n        starts once") in doc, operator.__name__
            documented += 1
    assert documented == 6  # txt2img, txt2video, img2video, txt2mesh, img2mesh, imgedit


def test_prompt_operators_document_templates():
    for name in ("text_to_image", "text_to_video", "img2video", "image_edit"):
        for operator in module(name).OPERATORS:
            assert 'template_mode ("combinatorial")' in inspect.getdoc(operator.__call__)


def test_text_operators_document_prompts_from_a_file_or_a_field():
    for name in ("text_to_image", "text_to_video"):
        for operator in module(name).OPERATORS:
            doc = inspect.getdoc(operator.__call__)
            assert "prompts_file (None)" in doc and "prompt_field (None)" in doc
