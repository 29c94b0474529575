#!/usr/bin/python3
"""Writes the Label Studio fixtures with Label Studio's own RLE code.

Run from this folder with /usr/bin/python3 (needs numpy):
    /usr/bin/python3 label_studio_brush.py
It writes label-studio-rle.json (masks and the RLE that brush.py makes of them) and
label-studio-export.json (a Label Studio JSON export whose brush results brush.py encoded).

The functions between the two "brush.py" lines are copied unchanged from
HumanSignal/label-studio-converter, label_studio_converter/brush.py (commit 2ef5400,
Apache License 2.0, Copyright Heartex/HumanSignal): InputStream, access_bit, bytes2bit,
decode_rle, bits2byte, base_rle_encode, encode_rle. mask2rle is that file's too.
"""
import json
import numpy as np

# ---- brush.py (label-studio-converter), unchanged ----


class InputStream:
    def __init__(self, data):
        self.data = data
        self.i = 0

    def read(self, size):
        out = self.data[self.i : self.i + size]
        self.i += size
        return int(out, 2)


def access_bit(data, num):
    """from bytes array to bits by num position"""
    base = int(num // 8)
    shift = 7 - int(num % 8)
    return (data[base] & (1 << shift)) >> shift


def bytes2bit(data):
    """get bit string from bytes data"""
    return ''.join([str(access_bit(data, i)) for i in range(len(data) * 8)])


def decode_rle(rle, print_params: bool = False):
    """from LS RLE to numpy uint8 3d image [width, height, channel]

    Args:
        print_params (bool, optional): If true, a RLE parameters print statement is suppressed
    """
    input = InputStream(bytes2bit(rle))
    num = input.read(32)
    word_size = input.read(5) + 1
    rle_sizes = [input.read(4) + 1 for _ in range(4)]

    if print_params:
        print(
            'RLE params:', num, 'values', word_size, 'word_size', rle_sizes, 'rle_sizes'
        )

    i = 0
    out = np.zeros(num, dtype=np.uint8)
    while i < num:
        x = input.read(1)
        j = i + 1 + input.read(rle_sizes[input.read(2)])
        if x:
            val = input.read(word_size)
            out[i:j] = val
            i = j
        else:
            while i < j:
                val = input.read(word_size)
                out[i] = val
                i += 1
    return out


def bits2byte(arr_str, n=8):
    """Convert bits back to byte

    :param arr_str:  string with the bit array
    :type arr_str: str
    :param n: number of bits to separate the arr string into
    :type n: int
    :return rle:
    :type rle: list
    """
    rle = []
    numbers = [arr_str[i : i + n] for i in range(0, len(arr_str), n)]
    for i in numbers:
        rle.append(int(i, 2))
    return rle


# Shamelessly plagiarized from https://stackoverflow.com/a/32681075/6051733
def base_rle_encode(inarray):
    """run length encoding. Partial credit to R rle function.
    Multi datatype arrays catered for including non Numpy
    returns: tuple (runlengths, startpositions, values)"""
    ia = np.asarray(inarray)  # force numpy
    n = len(ia)
    if n == 0:
        return None, None, None
    else:
        y = ia[1:] != ia[:-1]  # pairwise unequal (string safe)
        i = np.append(np.where(y), n - 1)  # must include last element posi
        z = np.diff(np.append(-1, i))  # run lengths
        p = np.cumsum(np.append(0, z))[:-1]  # positions
        return z, p, ia[i]


def encode_rle(arr, wordsize=8, rle_sizes=[3, 4, 8, 16]):
    """Encode a 1d array to rle


    :param arr: flattened np.array from a 4d image (R, G, B, alpha)
    :type arr: np.array
    :param wordsize: wordsize bits for decoding, default is 8
    :type wordsize: int
    :param rle_sizes:  list of ints which state how long a series is of the same number
    :type rle_sizes: list
    :return rle: run length encoded array
    :type rle: list

    """
    # Set length of array in 32 bits
    num = len(arr)
    numbits = f'{num:032b}'

    # put in the wordsize in bits
    wordsizebits = f'{wordsize - 1:05b}'

    # put rle sizes in the bits
    rle_bits = ''.join([f'{x - 1:04b}' for x in rle_sizes])

    # combine it into base string
    base_str = numbits + wordsizebits + rle_bits

    # start with creating the rle bite string
    out_str = ''
    for length_reeks, p, value in zip(*base_rle_encode(arr)):
        # TODO: A nice to have but --> this can be optimized but works
        if length_reeks == 1:
            # we state with the first 0 that it has a length of 1
            out_str += '0'
            # We state now the index on the rle sizes
            out_str += '00'

            # the rle size value is 0 for an individual number
            out_str += '000'

            # put the value in a 8 bit string
            out_str += f'{value:08b}'
            state = 'single_val'

        elif length_reeks > 1:
            state = 'series'
            # rle size = 3
            if length_reeks <= 8:
                # Starting with a 1 indicates that we have started a series
                out_str += '1'

                # index in rle size arr
                out_str += '00'

                # length of array to bits
                out_str += f'{length_reeks - 1:03b}'

                out_str += f'{value:08b}'

            # rle size = 4
            elif 8 < length_reeks <= 16:
                # Starting with a 1 indicates that we have started a series
                out_str += '1'
                out_str += '01'

                # length of array to bits
                out_str += f'{length_reeks - 1:04b}'

                out_str += f'{value:08b}'

            # rle size = 8
            elif 16 < length_reeks <= 256:
                # Starting with a 1 indicates that we have started a series
                out_str += '1'

                out_str += '10'

                # length of array to bits
                out_str += f'{length_reeks - 1:08b}'

                out_str += f'{value:08b}'

            # rle size = 16 or longer
            else:
                length_temp = length_reeks
                while length_temp > 2**16:
                    # Starting with a 1 indicates that we have started a series
                    out_str += '1'

                    out_str += '11'
                    out_str += f'{2 ** 16 - 1:016b}'

                    out_str += f'{value:08b}'
                    length_temp -= 2**16

                # Starting with a 1 indicates that we have started a series
                out_str += '1'

                out_str += '11'
                # length of array to bits
                out_str += f'{length_temp - 1:016b}'

                out_str += f'{value:08b}'

    # make sure that we have an 8 fold lenght otherwise add 0's at the end
    nzfill = 8 - len(base_str + out_str) % 8
    total_str = base_str + out_str
    total_str = total_str + nzfill * '0'

    rle = bits2byte(total_str)

    return rle


def mask2rle(mask):
    """Convert mask to RLE

    :param mask: uint8 or int np.array mask with len(shape) == 2 like grayscale image
    :return: list of ints in RLE format
    """
    assert len(mask.shape) == 2, 'mask must be 2D np.array'
    assert mask.dtype == np.uint8 or mask.dtype == int, 'mask must be uint8 or int'
    array = mask.ravel()
    array = np.repeat(array, 4)  # must be 4 channels
    rle = encode_rle(array)
    return rle

# ---- end of brush.py ----


def paint(height, width, rects):
    """A single-channel mask from [top, bottom, left, right, value] rectangles, later ones on top."""
    mask = np.zeros((height, width), dtype=np.uint8)
    for top, bottom, left, right, value in rects:
        mask[top:bottom, left:right] = value
    return mask


# Cases the C# tests rebuild from the same rectangles: runs of every length class of the encoder
# (1, up to 8, 16, 256 and past 2^16 values, which brush.py splits), partial alpha, all zeros.
CASES = [
    ("single pixels", 3, 4, [[0, 1, 0, 1, 255], [1, 2, 2, 3, 7], [2, 3, 3, 4, 128]]),
    ("small block", 6, 8, [[1, 4, 2, 6, 255]]),
    ("rows", 10, 30, [[0, 10, 0, 30, 255], [3, 5, 4, 25, 0], [7, 8, 0, 1, 64]]),
    ("empty", 5, 5, []),
    ("long runs", 140, 130, [[0, 1, 0, 20, 255], [139, 140, 129, 130, 255]]),
]


def write_rle_cases():
    cases = []
    for name, h, w, rects in CASES:
        mask = paint(h, w, rects)
        rle = mask2rle(mask)
        # brush.py's decoder must give back the 4-channel array it encoded.
        assert (decode_rle(bytes(rle)) == np.repeat(mask.ravel(), 4)).all(), name
        cases.append({"name": name, "height": h, "width": w, "rects": rects, "rle": rle})
    # The vector of the converter's own test (tests/test_brush.py, test_rle_encoding).
    vector = [1, 1, 1, 1, 2, 3, 5, 6, 7, 8, 4, 4, 4, 4, 4, 4, 4, 4]
    with open("label-studio-rle.json", "w") as f:
        json.dump({"source": "label_studio_converter/brush.py mask2rle/encode_rle",
                   "cases": cases,
                   "vector": {"values": vector, "rle": encode_rle(vector)}}, f)
        f.write("\n")


def brush(label, mask, h, w, rid):
    """A brush result shaped as brush.py's image2annotation makes one."""
    return {
        "id": rid,
        "type": "brushlabels",
        "value": {"rle": mask2rle(mask), "format": "rle", "brushlabels": [label]},
        "origin": "manual",
        "to_name": "image",
        "from_name": "tag",
        "image_rotation": 0,
        "original_width": w,
        "original_height": h,
    }


def write_export():
    """A Label Studio JSON export of two tasks (street: 6x8, field: 4x5; classes road, car, sky)."""
    h, w = 6, 8
    road = paint(h, w, [[3, 6, 0, 8, 255]])          # rows 3-5
    car = paint(h, w, [[1, 4, 1, 3, 255]])           # rows 1-3, columns 1-2, on top of road at row 3
    old_sky = paint(h, w, [[0, 6, 0, 8, 255]])       # an older annotation: everything sky
    street = {
        "id": 11,
        "data": {"image": "/data/local-files/?d=cycle-2/images/street.png", "s4al_image": "street", "s4al_cycle": 2},
        "annotations": [
            {"id": 101, "was_cancelled": False, "created_at": "2024-05-01T10:00:00.000000Z",
             "updated_at": "2024-05-01T10:00:00.000000Z",
             "result": [brush("sky", old_sky, h, w, "old")]},
            {"id": 102, "was_cancelled": False, "created_at": "2024-05-02T10:00:00.000000Z",
             "updated_at": "2024-05-02T11:00:00.000000Z",
             "result": [
                 brush("road", road, h, w, "a1"),
                 brush("car", car, h, w, "a2"),
                 {"id": "r0", "type": "rectanglelabels", "from_name": "region", "to_name": "image",
                  "original_width": w, "original_height": h, "image_rotation": 0,
                  "value": {"x": 0, "y": 0, "width": 50, "height": 100, "rotation": 0, "rectanglelabels": ["S4AL region"]}},
             ]},
            {"id": 103, "was_cancelled": True, "created_at": "2024-05-03T10:00:00.000000Z",
             "updated_at": "2024-05-03T10:00:00.000000Z",
             "result": [brush("sky", old_sky, h, w, "skipped")]},
        ],
        "predictions": [],
    }
    fh, fw = 4, 5
    field = {
        "id": 12,
        # No s4al_image: matched by the file name of an image uploaded through the UI.
        "data": {"image": "/data/upload/3/0a1b2c3d-field.jpg"},
        "annotations": [
            {"id": 104, "was_cancelled": False, "created_at": "2024-05-02T09:00:00.000000Z",
             "result": [brush("sky", paint(fh, fw, [[0, 2, 0, 5, 255]]), fh, fw, "b1")]},
        ],
        "predictions": [],
    }
    with open("label-studio-export.json", "w") as f:
        json.dump([street, field], f)
        f.write("\n")


if __name__ == "__main__":
    write_rle_cases()
    write_export()
