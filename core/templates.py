"""Prompt templates: one line such as "a {red|green} {car|bicycle}" becomes
several prompts, each knowing the value every slot took.

The syntax is dynamicprompts' (the library behind A1111's and ComfyUI's
dynamic prompts): alternatives ``{a|b}``, weighted ``{2::a|1::b}``, several
at once ``{2$$a|b|c}`` or ``{1-3$$ and $$a|b|c}``, wildcards ``__colors__``
(a line of ``colors.txt`` in the wildcards folder), variables
``${color={red|blue}}`` ... ``${color}``, nesting. dynamicprompts parses and
samples; this module splits a template into its top-level *slots* so each
prompt records the value of each slot, and expands:

- ``combinatorial``: every combination (slot 1 varies slowest), at most
  :data:`MAX_COMBINATIONS` prompts for a run;
- ``random``: ``num_prompts`` distinct prompts per template, drawn with a
  ``random.Random`` seeded from the run's seed and the template, so every
  shard and every resumed run expands exactly alike.

Slot names: a wildcard is named after its file (``__colors__`` ->
``colors``), a variable after itself (``${color}`` -> ``color``), anything
else after its place among the template's slots (``slot1``, ``slot2``...);
a name used twice gets ``_2``, ``_3``. dynamicprompts is imported only for
lines that may be templates (it costs ~70 ms), never at plugin import.
"""

import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

COMBINATORIAL, RANDOM, LITERAL = "combinatorial", "random", "literal"
MODES = (COMBINATORIAL, RANDOM, LITERAL)
MAX_COMBINATIONS = 1000  # prompts a combinatorial run may expand to
_MARKS = ("{", "__")  # a line holding neither is plain text ("${" holds "{")


class TemplateError(ValueError):
    """A template that cannot be expanded; ``name`` is the input to flag
    (``prompt``, ``wildcards_dir`` or ``template_mode``)."""

    def __init__(self, name, message):
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class Expansion:
    """Where a prompt came from: its template and the value of each slot."""

    template: str
    vars: Dict[str, str]


@dataclass
class Slot:
    name: str
    command: object  # a dynamicprompts Command
    values: Optional[List[str]] = None  # listed on first use, at most limit + 1
    capped: bool = False  # more values than the limit: not all listed


@dataclass
class Template:
    """One parsed template line: text and slots in order."""

    text: str
    parts: list  # str (literal text) or Slot
    context: object  # dynamicprompts SamplingContext (combinatorial)
    slots: List[Slot] = field(default_factory=list)

    def count(self, limit=MAX_COMBINATIONS):
        """How many prompts ``combinatorial`` makes (slots drawn at random
        count once); a slot with more than ``limit`` values counts
        ``limit + 1``, so the product says "too many" without listing them."""
        total = 1
        for slot in self.slots:
            total *= len(self._values(slot, limit)) if self._finite(slot) else 1
        return total

    def combinations(self, seed):
        """Every combination, as (prompt, Expansion); ``seed`` only serves
        slots marked random inside the template (``{~a|b}``)."""
        finite = [s for s in self.slots if self._finite(s)]
        if any(s.capped for s in finite):
            raise TemplateError("template_mode", too_many(self.count(), MAX_COMBINATIONS,
                                                          [self]))
        drawn = self._random_generators(seed, [s for s in self.slots if not self._finite(s)])
        for combo in itertools.product(*(self._values(s) for s in finite)):
            chosen = dict(zip((s.name for s in finite), combo))
            chosen.update({name: str(next(gen)) for name, gen in drawn.items()})
            yield self._prompt(chosen)

    def sample(self, count, seed):
        """``count`` distinct prompts drawn at random (fewer when the template
        has fewer), the same ones for the same seed."""
        gens = self._random_generators(seed, self.slots)
        seen, out = set(), []
        for _ in range(count * 20 + 100):  # weights may make some rare
            if len(out) == count:
                break
            prompt, expansion = self._prompt({n: str(next(g)) for n, g in gens.items()})
            if prompt not in seen:
                seen.add(prompt)
                out.append((prompt, expansion))
        return out

    # ---------------------------------------------------------------------------

    def _finite(self, slot):
        return not self.context.get_effective_sampling_method(slot.command).is_nonfinite()

    def _values(self, slot, limit=MAX_COMBINATIONS):
        if slot.values is None:
            gen = self.context.generator_from_command(slot.command)
            slot.values = [str(r) for r in itertools.islice(gen, limit + 1)]
            slot.capped = len(slot.values) > limit
        return slot.values

    def _random_generators(self, seed, slots):
        import dataclasses
        import random

        from dynamicprompts.enums import SamplingMethod

        context = dataclasses.replace(self.context,
                                      default_sampling_method=SamplingMethod.RANDOM,
                                      rand=random.Random(f"{seed}\n{self.text}"))
        return {s.name: context.generator_from_command(s.command) for s in slots}

    def _prompt(self, chosen):
        text = "".join(p if isinstance(p, str) else chosen[p.name] for p in self.parts)
        prompt = " ".join(text.split())
        return prompt, Expansion(self.text, {s.name: " ".join(chosen[s.name].split())
                                             for s in self.slots})


def may_be_template(line):
    return any(mark in line for mark in _MARKS)


def wildcard_manager(folder):
    from dynamicprompts.wildcards import WildcardManager

    return WildcardManager(folder) if folder else WildcardManager()


def compile_line(text, wildcards=None):
    """The :class:`Template` of one line, or None when it is plain text.
    ``wildcards``: a dynamicprompts ``WildcardManager`` (see
    :func:`wildcard_manager`). Raises :class:`TemplateError`."""
    if not may_be_template(text):
        return None
    from dynamicprompts.commands import LiteralCommand, SequenceCommand
    from dynamicprompts.enums import SamplingMethod
    from dynamicprompts.parser.parse import parse
    from dynamicprompts.sampling_context import SamplingContext

    try:
        root = parse(text)
    except Exception as e:  # pyparsing's ParseException and friends
        raise TemplateError("prompt", f"{text!r} is not a valid template ({e}); "
                            "choose the Literal template mode to send it as it is")
    tokens = root.tokens if isinstance(root, SequenceCommand) else [root]
    context = SamplingContext(default_sampling_method=SamplingMethod.COMBINATORIAL,
                              wildcard_manager=wildcards or wildcard_manager(None))
    tokens, context = context.process_variable_assignments(tokens)
    if all(isinstance(t, LiteralCommand) for t in tokens):
        return None
    _check_wildcards(root, context.wildcard_manager)
    template = Template(text, [], context)
    names = set()
    for token in tokens:
        if isinstance(token, LiteralCommand):
            template.parts.append(token.literal)
            continue
        slot = Slot(_unique(slot_name(token, len(template.slots) + 1), names), token)
        template.slots.append(slot)
        template.parts.append(slot)
    return template


def slot_name(command, position):
    """A slot's name: its wildcard's or variable's name, else ``slot<n>``.
    Always a valid field name (letters, digits, ``_``; never a leading digit
    or underscore, which FiftyOne would hide)."""
    from dynamicprompts.commands import VariantCommand, WildcardCommand
    from dynamicprompts.commands.variable_commands import VariableAccessCommand

    name = None
    if (isinstance(command, VariantCommand) and len(command.values) == 1
            and isinstance(command.values[0], WildcardCommand)):
        command = command.values[0]  # {2$$__colors__}
    if isinstance(command, WildcardCommand) and isinstance(command.wildcard, str):
        name = command.wildcard
    elif isinstance(command, VariableAccessCommand):
        name = command.name
    name = re.sub(r"\W+", "_", name or "").strip("_")
    if not name:
        return f"slot{position}"
    return name if name[0].isalpha() else f"v{name}"


def _unique(name, taken):
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate)
    return candidate


def _check_wildcards(command, manager):
    """Every ``__name__`` must have values: dynamicprompts would send the
    literal ``__name__`` to the model."""
    from dynamicprompts.commands import WildcardCommand

    for node in _walk(command):
        if isinstance(node, WildcardCommand) and isinstance(node.wildcard, str):
            if manager.path is None:
                raise TemplateError("wildcards_dir", f"__{node.wildcard}__ needs a "
                                    "wildcards folder (a folder of .txt files)")
            if not manager.get_values(node.wildcard):
                raise TemplateError("wildcards_dir", f"no wildcard __{node.wildcard}__ "
                                    f"in {manager.path} (a file {node.wildcard}.txt, "
                                    "one value per line)")


def _walk(command):
    yield command
    children = []
    for name in ("tokens", "values", "wrapper", "inner", "value", "default", "wildcard"):
        value = getattr(command, name, None)
        if isinstance(value, (list, tuple)):
            children.extend(value)
        elif value is not None and not isinstance(value, str):
            children.append(value)
    children.extend(getattr(command, "variables", {}).values())
    for child in children:
        if hasattr(child, "sampling_method"):
            yield from _walk(child)


@dataclass
class Expanded:
    """What a run's template lines became."""

    prompts: List[str] = field(default_factory=list)
    expansions: Dict[str, Expansion] = field(default_factory=dict)
    templates: int = 0  # lines that were templates
    from_templates: int = 0  # prompts they made


def expand(lines, mode=COMBINATORIAL, num_prompts=16, seed=0, wildcards_dir=None,
           limit=MAX_COMBINATIONS):
    """Expands each template line (plain lines stay as they are). Raises
    :class:`TemplateError`; ``combinatorial`` beyond ``limit`` prompts in all
    raises one that asks for random sampling."""
    result = Expanded()
    if mode == LITERAL:
        result.prompts = list(lines)
        return result
    manager = None
    compiled = []
    for line in lines:
        if manager is None and may_be_template(line):
            manager = wildcard_manager(wildcards_dir)
        template = compile_line(line, manager)
        compiled.append(template or line)
    templates = [t for t in compiled if isinstance(t, Template)]
    result.templates = len(templates)
    if mode == COMBINATORIAL and templates:
        total = sum(t.count(limit) for t in templates)
        if total > limit:
            raise TemplateError("template_mode", too_many(total, limit, templates))
    for item in compiled:
        if not isinstance(item, Template):
            result.prompts.append(item)
            continue
        made = (item.combinations(seed) if mode == COMBINATORIAL
                else item.sample(num_prompts, seed))
        for prompt, expansion in made:
            result.prompts.append(prompt)
            result.expansions.setdefault(prompt, expansion)
            result.from_templates += 1
    return result


@functools.lru_cache(maxsize=16)
def expand_cached(lines, mode=COMBINATORIAL, num_prompts=16, seed=0, wildcards_dir=None):
    """:func:`expand` (``lines`` a tuple), remembered: for the form, which
    asks again on every change. Runs use :func:`expand` (wildcard files may
    have changed since); errors are not remembered."""
    return expand(lines, mode, num_prompts, seed, wildcards_dir)


def too_many(total, limit, templates):
    exact = not any(s.capped for t in templates for s in t.slots)
    amount = f"{total:,}" if exact else f"more than {limit:,}"
    several = len(templates) > 1
    return (f"the template{'s make' if several else ' makes'} {amount} prompts, "
            f"more than the {limit:,} a combinatorial run may make: choose Random "
            "sampling with a number of prompts (drawn with the run's seed), or "
            "narrow the template")

