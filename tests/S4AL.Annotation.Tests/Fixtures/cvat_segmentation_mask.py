#!/usr/bin/python3
"""Writes cvat-segmentation-mask-1.1.zip as CVAT's "Segmentation mask 1.1" exporter lays it out.

Run from this folder with /usr/bin/python3 (needs numpy and PIL):
    /usr/bin/python3 cvat_segmentation_mask.py

CVAT cannot run here, so the export is rebuilt from the code it runs
(cvat-ai/cvat cvat/apps/dataset_manager/formats/mask.py -> datumaro "voc_segmentation"):
- make_colormap: cvat/apps/dataset_manager/formats/utils.py (MIT): adds "background" #000000
  when the task has no label of that name;
- VocConverter._load_categories: cvat-ai/datumaro datumaro/plugins/voc_format/converter.py (MIT):
  sorts the label map by name and finds the background label (black, else named "background");
- generate_colormap, VocLabelMap.dump_to_file: datumaro/plugins/voc_format/format.py (MIT);
- CompiledMask.from_instance_masks (datumaro/components/annotation.py): instances 1..N in
  z_order, 0 = background; class mask painted with the label colours, instance mask with the
  VOC colormap;
- make_zip_archive: cvat/apps/dataset_manager/util.py (files only, paths relative to the export).
The task: labels car, road, sky with the colours CVAT predefines for those names
(cvat/apps/dataset_manager/formats/predefined_colors.txt), frames street (8x6, two masks) and
field (5x4, no annotation), exported without images.
"""
import os
import os.path as osp
import shutil
import tempfile
import zipfile
from collections import OrderedDict

import numpy as np
from PIL import Image


# datumaro/plugins/voc_format/format.py
def generate_colormap(length=256):
    def get_bit(number, index):
        return (number >> index) & 1

    colormap = np.zeros((length, 3), dtype=int)
    indices = np.arange(length, dtype=int)

    for j in range(7, -1, -1):
        for c in range(3):
            colormap[:, c] |= get_bit(indices, c) << j
        indices >>= 3

    return OrderedDict((id, tuple(color)) for id, color in enumerate(colormap))


def hex2rgb(color):
    return tuple(int(color.lstrip('#')[i:i+2], 16) for i in (0, 2, 4))


# cvat/apps/dataset_manager/formats/utils.py make_colormap, for a task's labels
def make_colormap(labels):
    label_names = [label['name'] for label in labels]
    if 'background' not in label_names:
        labels.insert(0, {'name': 'background', 'color': '#000000'})
    return {label['name']: [hex2rgb(label['color']), [], []] for label in labels}


def dump_to_file(label_map, path):
    # VocLabelMap.dump_to_file
    with open(path, "w", encoding="utf-8") as f:
        f.write("# label:color_rgb:parts:actions\n")
        for label_name, (color, parts, actions) in label_map.items():
            color_rgb = ",".join(str(c) for c in color) if color else ""
            f.write("%s\n" % ":".join([label_name, color_rgb, ",".join(parts), ",".join(actions)]))


def paint_mask(mask, colormap):
    painted = np.zeros(mask.shape + (3,), dtype=np.uint8)
    for index, color in colormap.items():
        painted[mask == index] = color
    return painted


def make_zip_archive(src_path, dst_path):
    with zipfile.ZipFile(dst_path, 'w') as archive:
        for (dirpath, _, filenames) in os.walk(src_path):
            for name in sorted(filenames):
                path = osp.join(dirpath, name)
                archive.write(path, osp.relpath(path, src_path))


def main():
    task_labels = [
        {'name': 'car', 'color': '#2080c0'},   # 32,128,192
        {'name': 'road', 'color': '#20e0e0'},  # 32,224,224
        {'name': 'sky', 'color': '#508040'},   # 80,128,64
    ]
    colormap = make_colormap(task_labels)
    # converter.py: VocLabelMap(sorted(label_map_source.items(), key=lambda e: e[0]))
    label_map = OrderedDict(sorted(colormap.items(), key=lambda e: e[0]))
    names = list(label_map)
    bg = next((n for n, d in label_map.items() if tuple(d[0]) == (0, 0, 0)), None) or 'background'
    class_colors = {i: tuple(label_map[n][0]) for i, n in enumerate(names)}

    h, w = 6, 8
    # (label, mask) in z_order: road below, car on top
    road = np.zeros((h, w), bool); road[3:6, :] = True
    car = np.zeros((h, w), bool); car[1:4, 1:3] = True
    instances = [('road', road), ('car', car)]

    class_mask = np.full((h, w), names.index(bg), dtype=np.uint8)
    instance_mask = np.zeros((h, w), dtype=np.uint8)
    for k, (label, mask) in enumerate(instances):
        class_mask[mask] = names.index(label)
        instance_mask[mask] = k + 1

    out = tempfile.mkdtemp()
    try:
        for d in ("Annotations", "JPEGImages", "SegmentationClass", "SegmentationObject", "ImageSets/Segmentation"):
            os.makedirs(osp.join(out, d), exist_ok=True)
        Image.fromarray(paint_mask(class_mask, class_colors)).save(osp.join(out, "SegmentationClass", "street.png"))
        Image.fromarray(paint_mask(instance_mask, generate_colormap(256))).save(osp.join(out, "SegmentationObject", "street.png"))
        with open(osp.join(out, "ImageSets", "Segmentation", "default.txt"), "w", encoding="utf-8") as f:
            f.write("street\nfield\n")
        dump_to_file(label_map, osp.join(out, "labelmap.txt"))
        make_zip_archive(out, "cvat-segmentation-mask-1.1.zip")
    finally:
        shutil.rmtree(out)


if __name__ == "__main__":
    main()
