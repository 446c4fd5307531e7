"""Every metric declared once, as data: what it measures, which weights
compute it (hub repo and revision, each cited in docs/metrics-research.md),
its range and direction. The form, SDK validation, the recorded version
beside each score and the README table derive from these declarations; the
maths lives in :mod:`scores.scorers`.
"""

from dataclasses import dataclass
from typing import Optional

CLIP_L14 = "openai/clip-vit-large-patch14"

# how a metric is computed (a function of scores.scorers)
CLIP_SCORE, PICK_SCORE, AESTHETIC = "clip_score", "pick_score", "aesthetic"


@dataclass(frozen=True)
class Metric:
    """One metric.

    Attributes:
        id: short stable id: the field ``scores.<id>``, the SDK's name
        label: human name
        measures: what a higher (or lower) value means, in one line
        kind: how it is computed (a scorer of :mod:`scores.scorers`)
        repo, revision: the hub repo of the model and the revision loaded
        processor_repo: where its processor comes from, when not ``repo``
        head_repo, head_file: a separate head's weights (a file of a repo)
        min, max: the values it can take (None: unbounded on that side)
        typical: how to read its values, in words
        higher_is_better: the direction
        uses_prompt: needs the sample's prompt (an image alone is not enough)
        formula: bumped when our computation changes, so a re-run rescores
        caveats: what to keep in mind reading it
    """

    id: str
    label: str
    measures: str
    kind: str
    repo: str
    revision: str = "main"
    processor_repo: Optional[str] = None
    head_repo: Optional[str] = None
    head_file: Optional[str] = None
    min: Optional[float] = None
    max: Optional[float] = None
    typical: str = ""
    higher_is_better: bool = True
    uses_prompt: bool = True
    formula: int = 1
    caveats: str = ""

    @property
    def weights(self):
        """The hub weights it loads, as ``repo@revision`` (plus the head's
        file), in the order they load."""
        parts = [f"{self.repo}@{self.revision}"]
        if self.processor_repo:
            parts.append(f"{self.processor_repo}@{self.revision}")
        if self.head_repo:
            parts.append(f"{self.head_repo}/{self.head_file}@{self.revision}")
        return parts

    @property
    def version(self):
        """What a score was made with: recorded beside it; a sample whose
        recorded version equals this one is not scored again."""
        return f"{self.id}/{self.formula} " + " ".join(self.weights)

    def in_range(self, value):
        return ((self.min is None or value >= self.min)
                and (self.max is None or value <= self.max))

    def describe_range(self):
        if self.min is None and self.max is None:
            return "unbounded"
        low = "-inf" if self.min is None else f"{self.min:g}"
        high = "inf" if self.max is None else f"{self.max:g}"
        return f"{low} to {high}"

    def to_dict(self):
        return dict(id=self.id, label=self.label, measures=self.measures,
                    weights=self.weights, version=self.version, min=self.min,
                    max=self.max, typical=self.typical,
                    higher_is_better=self.higher_is_better, uses_prompt=self.uses_prompt,
                    caveats=self.caveats)


CLIPSCORE = Metric(
    id="clip_score",
    label="CLIPScore",
    measures="Prompt adherence: 100 x the cosine of CLIP ViT-L/14's image and "
    "prompt embeddings, clamped at 0 (Hessel et al. 2021; torchmetrics' formula, per image)",
    kind=CLIP_SCORE,
    repo=CLIP_L14,
    min=0.0, max=100.0,
    typical="real images and their prompts score far below 100; compare models "
    "on the same prompts",
    caveats="Saturates: good and very good images score alike (differences of a "
    "point or two are noise); reads at most 77 prompt tokens; rewards images "
    "that spell out the prompt's words",
)

PICKSCORE = Metric(
    id="pick_score",
    label="PickScore",
    measures="Human preference for the image given its prompt: CLIP-H fine-tuned "
    "on Pick-a-Pic choices; logit scale x cosine of image and prompt embeddings",
    kind=PICK_SCORE,
    repo="yuvalkirstain/PickScore_v1",
    processor_repo="laion/CLIP-ViT-H-14-laion2B-s32B-b79K",
    # CLIP training clamps the logit scale at 100, so |score| <= 100
    min=-100.0, max=100.0,
    typical="compare images of the same prompt: absolute values vary between prompts",
    caveats="Meant to rank images of one prompt: absolute values differ between "
    "prompts; trained on Stable Diffusion-era images and the preferences of "
    "Pick-a-Pic's users",
)

LAION_AESTHETIC = Metric(
    id="aesthetic",
    label="LAION aesthetic",
    measures="How much people like the image on average (1-10), predicted by the "
    "LAION improved aesthetic predictor's MLP on normalised CLIP ViT-L/14 image "
    "embeddings (sac+logos+ava1-l14-linearMSE); the prompt is not used",
    kind=AESTHETIC,
    repo=CLIP_L14,
    head_repo="trl-lib/ddpo-aesthetic-predictor",
    head_file="aesthetic-model.pth",
    uses_prompt=False,
    typical="on the 1-10 rating scale it was trained on; the head itself is unbounded",
    caveats="Taste of its raters (photography and art communities, AVA, LAION "
    "logos): favours glossy, painterly, bokeh, portrait-like images and "
    "penalises text, diagrams and plain product shots; says nothing about the prompt",
)

METRICS = (CLIPSCORE, PICKSCORE, LAION_AESTHETIC)


def markdown_table(metrics=METRICS):
    """The README's metrics table (``scripts/metric_table.py --write``; a
    test checks the README holds it)."""
    lines = ["| id | metric | measures | range (typical) | better | weights |",
             "|---|---|---|---|---|---|"]
    for m in metrics:
        weights = "<br>".join(f"`{w}`" for w in m.weights)
        lines.append(f"| `{m.id}` | {m.label} | {m.measures} | {m.describe_range()} "
                     f"({m.typical}) | {'higher' if m.higher_is_better else 'lower'} "
                     f"| {weights} |")
    return "\n".join(lines)
