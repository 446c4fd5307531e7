"""Edit modes and the options every edit model shares, declared once.

- ``variation``: the source redrawn (img2img) with a ``strength``: how far
  from the source it may go (0 keeps it, 1 ignores it);
- ``instruct``: the prompt says what to change ("make it snow");
- ``inpaint``: only the pixels of a mask taken from the sample's labels are
  repainted (replacement: the prompt says what goes there).

The mask options (``mask_field``, ``mask_classes``, ``mask_margin``,
``invert_mask``) and ``mode`` are read by the operator, which builds each
sample's mask; no provider receives them. They act (and are recorded, and
make an output's resume key) only in ``inpaint`` mode.
"""

from ..core.params import BOOL, CHOICE, FLOAT, RUN, STR, Param

VARIATION, INSTRUCT, INPAINT = "variation", "instruct", "inpaint"
MODES = (VARIATION, INSTRUCT, INPAINT)

MODE = Param(
    "mode", CHOICE, choices=MODES, default=VARIATION, scope=RUN, label="Edit",
    help="variation: redraw the image (strength); instruct: the prompt says what "
    "to change; inpaint: repaint only a mask taken from the sample's labels")
STRENGTH = Param(
    "strength", FLOAT, min=0.01, max=1.0, scope=RUN,
    help="How far the edit may go from the source: 0 keeps it, 1 ignores it; "
    "blank: 0.75 for variations, 1.0 for inpainting")
MASK_FIELD = Param(
    "mask_field", STR, scope=RUN, label="Mask field",
    help="Inpaint: the Segmentation, Detections or mask-path field the mask comes from")
MASK_CLASSES = Param(
    "mask_classes", STR, scope=RUN, label="Mask classes",
    help="Inpaint: the classes (labels) to repaint, comma separated; blank: all")
MASK_MARGIN = Param(
    "mask_margin", FLOAT, default=0.1, min=0.0, max=1.0, scope=RUN, label="Box margin",
    help="Inpaint from Detections: each box grows by this fraction of its size "
    "on every side")
INVERT_MASK = Param(
    "invert_mask", BOOL, default=False, scope=RUN, label="Invert mask",
    help="Inpaint: repaint everything but the chosen classes (the background)")
MASK_OPTIONS = (MASK_FIELD, MASK_CLASSES, MASK_MARGIN, INVERT_MASK)
# read by the operator, never sent to a provider
EDIT_ONLY = (MODE.name, *(p.name for p in MASK_OPTIONS))

DEFAULT_STRENGTH = {VARIATION: 0.75, INPAINT: 1.0}


def mode_param(*modes, backends=()):
    """``mode`` with the modes a model (on ``backends``) offers."""
    return MODE.with_(choices=tuple(modes), default=modes[0], backends=tuple(backends))


def split_classes(text):
    """``"car, person"`` -> ``("car", "person")``."""
    if not text:
        return ()
    if isinstance(text, (list, tuple)):
        return tuple(str(c).strip() for c in text if str(c).strip())
    return tuple(c.strip() for c in str(text).split(",") if c.strip())


class EditOptions:
    """What every edit backend adds to its base backend: the options as they
    act in the chosen mode, and the mode's own checks."""

    takes_strength = True  # the model has a strength (img2img, inpainting)

    def effective(self, options):
        options = dict(super().effective(options))
        mode = options.get(MODE.name)
        if mode != INPAINT:
            for param in MASK_OPTIONS:
                if param.name in options:
                    options[param.name] = None
        if STRENGTH.name in options:
            if not self.takes_strength or mode == INSTRUCT:
                options[STRENGTH.name] = None
            elif options[STRENGTH.name] is None:
                options[STRENGTH.name] = DEFAULT_STRENGTH.get(mode)
        return options

    def check(self, options, secrets, check_ready=True):
        problems = dict(super().check(options, secrets, check_ready))
        if options.get(MODE.name) == INPAINT and not options.get(MASK_FIELD.name):
            problems[MASK_FIELD.name] = ("inpainting needs a mask: choose the field it "
                                         "comes from (Segmentation, Detections or a "
                                         "mask path)")
        return problems

    @staticmethod
    def sent(options):
        """The options a provider or pipeline receives."""
        return {k: v for k, v in options.items() if k not in EDIT_ONLY}
