namespace S4AL.Annotation.LabelStudio;

/// <summary>
/// Label Studio's brush RLE: the thi.ng rle-pack bit stream that the Label Studio editor decodes
/// into the RGBA bytes of a brush canvas (HumanSignal/label-studio,
/// web/libs/editor/src/utils/canvas.js). Encode and Decode follow encode_rle and decode_rle of
/// HumanSignal/label-studio-converter, label_studio_converter/brush.py, bit for bit, including its
/// padding quirk (a stream that ends on a byte boundary gets a whole zero byte more).
/// The stream: 32 bits value count, 5 bits word size - 1, four 4-bit run-length field sizes - 1,
/// then blocks of 1 bit (1 = one value repeated, 0 = literal values), 2 bits choosing the
/// length field size, the length - 1, and the value(s).
/// </summary>
public static class BrushRle
{
    const int HeaderBits = 32 + 5 + 4 * 4;

    // The brush.py encoder: 8-bit words, run-length fields of 3, 4, 8 and 16 bits.
    static readonly int[] EncoderFieldSizes = [3, 4, 8, 16];

    /// <summary>
    /// The most bytes any stream of <paramref name="values"/> values with at most 8-bit words can
    /// take: every block yields at least one value for at most 1 + 2 + 16 + 8 bits. A longer RLE
    /// is refused before it is decoded.
    /// </summary>
    public static long MaxEncodedBytes(long values) => (HeaderBits + 27 * values) / 8 + 2;

    /// <summary>Encodes bytes (for a brush: the Height x Width x 4 RGBA canvas, row-major) as brush.py's encode_rle does.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> values)
    {
        if (values.IsEmpty) throw new ArgumentException("cannot encode an empty array (brush.py cannot either)", nameof(values));
        var bits = new BitWriter(values.Length / 4 + 16);
        bits.Write((uint)values.Length, 32);
        bits.Write(8 - 1, 5);
        foreach (var size in EncoderFieldSizes) bits.Write((uint)(size - 1), 4);

        for (int start = 0; start < values.Length;)
        {
            byte value = values[start];
            int end = start + 1;
            while (end < values.Length && values[end] == value) end++;
            WriteRun(ref bits, end - start, value);
            start = end;
        }

        // brush.py pads with 8 - len % 8 zero bits: a whole zero byte when already aligned.
        bits.Write(0, (int)(8 - bits.Length % 8));
        return bits.ToArray();
    }

    static void WriteRun(ref BitWriter bits, int length, byte value)
    {
        if (length == 1)
        {
            // A literal block of one value: "0", field "00", length - 1 = 0 in 3 bits.
            bits.Write(0b0_00_000, 6);
        }
        else if (length <= 8) { bits.Write(0b1_00, 3); bits.Write((uint)(length - 1), 3); }
        else if (length <= 16) { bits.Write(0b1_01, 3); bits.Write((uint)(length - 1), 4); }
        else if (length <= 256) { bits.Write(0b1_10, 3); bits.Write((uint)(length - 1), 8); }
        else
        {
            // brush.py splits runs longer than 2^16 into runs of 2^16.
            while (length > 1 << 16)
            {
                bits.Write(0b1_11, 3);
                bits.Write((1 << 16) - 1, 16);
                bits.Write(value, 8);
                length -= 1 << 16;
            }
            bits.Write(0b1_11, 3);
            bits.Write((uint)(length - 1), 16);
        }
        bits.Write(value, 8);
    }

    /// <summary>
    /// Decodes a stream that must hold exactly <paramref name="expectedLength"/> values, as
    /// brush.py's decode_rle does. Throws <see cref="InvalidDataException"/> naming the cause for a
    /// stream of another length, a word size above 8 bits, a run past the end, a truncated stream
    /// or one longer than <see cref="MaxEncodedBytes"/>.
    /// </summary>
    public static byte[] Decode(ReadOnlySpan<byte> rle, int expectedLength)
    {
        if ((long)rle.Length * 8 < HeaderBits) throw new InvalidDataException($"the RLE has {rle.Length} bytes, fewer than its header needs");
        if (rle.Length > MaxEncodedBytes(expectedLength))
            throw new InvalidDataException($"the RLE has {rle.Length} bytes, more than any encoding of {expectedLength} values needs ({MaxEncodedBytes(expectedLength)})");
        var bits = new BitReader(rle);
        uint count = bits.Read(32);
        if (count != (uint)expectedLength)
            throw new InvalidDataException($"the RLE holds {count} values, expected {expectedLength}");
        int wordSize = (int)bits.Read(5) + 1;
        if (wordSize > 8)
            throw new InvalidDataException($"the RLE has {wordSize}-bit words; a brush holds bytes (8-bit words)");
        Span<int> fieldSizes = stackalloc int[4];
        for (int k = 0; k < 4; k++) fieldSizes[k] = (int)bits.Read(4) + 1;

        var values = new byte[expectedLength];
        for (int i = 0; i < expectedLength;)
        {
            bool repeat = bits.Read(1) == 1;
            int field = fieldSizes[(int)bits.Read(2)];
            long end = i + 1L + bits.Read(field);
            if (end > expectedLength)
                throw new InvalidDataException($"a run of {end - i} values at value {i} goes past the {expectedLength} values the RLE holds");
            if (repeat)
            {
                values.AsSpan(i, (int)(end - i)).Fill((byte)bits.Read(wordSize));
                i = (int)end;
            }
            else
            {
                for (; i < end; i++) values[i] = (byte)bits.Read(wordSize);
            }
            if (bits.Overrun)
                throw new InvalidDataException($"the RLE ends after {Math.Min(i, expectedLength)} of its {expectedLength} values");
        }
        return values;
    }

    ref struct BitReader(ReadOnlySpan<byte> bytes)
    {
        readonly ReadOnlySpan<byte> _bytes = bytes;
        long _position;

        public readonly bool Overrun => _position > (long)_bytes.Length * 8;

        /// <summary>Reads up to 32 bits, high bit first; bits past the end read as 0 and set <see cref="Overrun"/>.</summary>
        public uint Read(int count)
        {
            uint value = 0;
            for (int k = 0; k < count; k++, _position++)
            {
                long index = _position >> 3;
                int bit = index < _bytes.Length ? (_bytes[(int)index] >> (7 - (int)(_position & 7))) & 1 : 0;
                value = value << 1 | (uint)bit;
            }
            return value;
        }
    }

    struct BitWriter(int capacity)
    {
        byte[] _bytes = new byte[Math.Max(capacity, 16)];

        public long Length { get; private set; }

        public void Write(uint value, int count)
        {
            for (int k = count - 1; k >= 0; k--, Length++)
            {
                long index = Length >> 3;
                if (index >= _bytes.Length) Array.Resize(ref _bytes, _bytes.Length * 2);
                if (((value >> k) & 1) != 0) _bytes[index] |= (byte)(0x80 >> (int)(Length & 7));
            }
        }

        public readonly byte[] ToArray() => _bytes.AsSpan(0, (int)(Length >> 3)).ToArray();
    }
}
