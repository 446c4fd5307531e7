"""Masks from labels (image_edit.masks), checked pixel by pixel."""

import numpy as np
import pytest
from PIL import Image

import fiftyone as fo

from tests.unit.conftest import module

masks = module("image_edit.masks")
MaskError, MaskSpec = masks.MaskError, masks.MaskSpec

W, H = 10, 8  # image size used throughout


def expected(rows, cols):
    """A (H, W) mask True at rows x cols (ranges)."""
    out = np.zeros((H, W), dtype=bool)
    out[np.ix_(list(rows), list(cols))] = True
    return out


def segmentation():
    values = np.zeros((H, W), dtype=np.uint8)
    values[1:3, 2:5] = 1  # car
    values[5:7, 6:9] = 2  # person
    return fo.Segmentation(mask=values)


def test_segmentation_classes_by_name_and_value():
    targets = {1: "car", 2: "person"}
    seg = segmentation()
    np.testing.assert_array_equal(
        masks.from_segmentation(seg, (W, H), ["car"], targets), expected(range(1, 3), range(2, 5)))
    np.testing.assert_array_equal(
        masks.from_segmentation(seg, (W, H), ["2"], targets), expected(range(5, 7), range(6, 9)))
    both = masks.from_segmentation(seg, (W, H), (), targets)  # no classes: every label
    assert both.sum() == 6 + 6 and not both[0].any()


def test_class_values_above_nine_keep_their_value():
    values = np.zeros((H, W), dtype=np.uint8)
    values[2, 3] = 12
    mask = masks.from_segmentation(fo.Segmentation(mask=values), (W, H), ["bus"], {"12": "bus"})
    assert mask.sum() == 1 and mask[2, 3]


def test_segmentation_from_mask_path(tmp_path):
    values = np.zeros((H, W), dtype=np.uint8)
    values[0:2, 0:3] = 7
    path = str(tmp_path / "seg.png")
    Image.fromarray(values).save(path)
    mask = masks.from_segmentation(fo.Segmentation(mask_path=path), (W, H), ["7"])
    np.testing.assert_array_equal(mask, expected(range(0, 2), range(0, 3)))


def test_rgb_segmentation_classes_are_colours():
    values = np.zeros((H, W, 3), dtype=np.uint8)
    values[2:4, 1:3] = (255, 0, 0)
    values[6:8, 1:3] = (0, 0, 255)
    mask = masks.from_segmentation(fo.Segmentation(mask=values), (W, H), ["sky"],
                                   {"#ff0000": "sky", "#0000ff": "sea"})
    np.testing.assert_array_equal(mask, expected(range(2, 4), range(1, 3)))


def test_unknown_class_and_size_mismatch_are_clear():
    with pytest.raises(MaskError, match="'dog' is not in the mask targets.*car, person"):
        masks.from_segmentation(segmentation(), (W, H), ["dog"], {1: "car", 2: "person"}, "gt")
    with pytest.raises(MaskError, match=r"is 10x8 but the image is 12x8"):
        masks.from_segmentation(segmentation(), (12, H), ["1"])


def test_detection_boxes_cover_every_pixel_they_touch():
    dets = fo.Detections(detections=[
        fo.Detection(label="car", bounding_box=[0.2, 0.25, 0.3, 0.25]),  # cols 2-4, rows 2-3
        fo.Detection(label="tree", bounding_box=[0.71, 0.0, 0.2, 0.1]),  # cols 7-9, row 0
    ])
    np.testing.assert_array_equal(masks.from_detections(dets, (W, H), ["car"]),
                                  expected(range(2, 4), range(2, 5)))
    np.testing.assert_array_equal(masks.from_detections(dets, (W, H), ["tree"]),
                                  expected(range(0, 1), range(7, 10)))


def test_detection_margin_grows_and_clips_to_the_image():
    dets = fo.Detections(detections=[
        fo.Detection(label="car", bounding_box=[0.2, 0.25, 0.3, 0.25]),
        fo.Detection(label="tree", bounding_box=[0.0, 0.5, 0.2, 0.5]),
    ])
    # car grows by 1/3 of 3 px = 1 px left/right, 1/3 of 2 px ~ 0.67 px up/down
    np.testing.assert_array_equal(masks.from_detections(dets, (W, H), ["car"], margin=1 / 3),
                                  expected(range(1, 5), range(1, 6)))
    # the tree at the bottom-left corner stays inside the image
    np.testing.assert_array_equal(masks.from_detections(dets, (W, H), ["tree"], margin=0.5),
                                  expected(range(2, 8), range(0, 3)))


def test_detection_instance_masks_paint_only_their_pixels():
    instance = np.array([[1, 0], [1, 1]], dtype=bool)
    dets = fo.Detections(detections=[
        fo.Detection(label="cat", bounding_box=[0.4, 0.25, 0.2, 0.25], mask=instance)])
    want = np.zeros((H, W), dtype=bool)
    want[2, 4] = want[3, 4] = want[3, 5] = True
    np.testing.assert_array_equal(masks.from_detections(dets, (W, H), ["cat"]), want)
    grown = masks.from_detections(dets, (W, H), ["cat"], margin=0.5)  # 1 px each way
    np.testing.assert_array_equal(grown, expected(range(1, 5), range(3, 7)) & ~(
        expected(range(1, 2), range(6, 7))))


def test_mask_file_and_invert(tmp_path):
    values = np.zeros((H, W), dtype=np.uint8)
    values[4:, :5] = 255
    path = str(tmp_path / "m.png")
    Image.fromarray(values).save(path)
    mask = masks.from_file(path, (W, H))
    np.testing.assert_array_equal(mask, expected(range(4, 8), range(0, 5)))
    np.testing.assert_array_equal(masks.invert(mask), ~mask)
    with pytest.raises(MaskError, match="is 10x8 but the image is 10x9"):
        masks.from_file(path, (W, 9))
    with pytest.raises(MaskError, match="missing"):
        masks.from_file(str(tmp_path / "nope.png"), (W, H))


def test_for_sample_failures_name_the_problem(tmp_path):
    sample = fo.Sample(filepath=str(tmp_path / "x.png"), gt=segmentation(),
                       boxes=fo.Detections(detections=[]), score=0.5)
    with pytest.raises(MaskError, match="has no 'missing'"):
        masks.for_sample(sample, MaskSpec("missing"), (W, H))
    with pytest.raises(MaskError, match="'boxes' is empty"):
        masks.for_sample(sample, MaskSpec("boxes"), (W, H))
    with pytest.raises(MaskError, match="'score' holds a float"):
        masks.for_sample(sample, MaskSpec("score"), (W, H))
    with pytest.raises(MaskError, match="covers the whole image"):
        masks.for_sample(sample, MaskSpec("gt", classes=("5",), invert=True), (W, H))
    mask = masks.for_sample(sample, MaskSpec("gt", classes=("1",), invert=True), (W, H))
    np.testing.assert_array_equal(mask, ~expected(range(1, 3), range(2, 5)))


def test_mask_image_is_white_where_the_model_paints():
    mask = expected(range(0, 2), range(0, 2))
    image = masks.to_image(mask)
    assert image.mode == "L" and image.size == (W, H)
    np.testing.assert_array_equal(np.asarray(image) == 255, mask)
