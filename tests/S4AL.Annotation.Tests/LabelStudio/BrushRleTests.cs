using System.Text.Json;
using S4AL.Annotation.LabelStudio;

namespace S4AL.Annotation.Tests.LabelStudio;

public class BrushRleTests
{
    public static TheoryData<string> Cases() => new(RleFixture().GetProperty("cases").EnumerateArray().Select(c => c.GetProperty("name").GetString()!));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encodes_masks_exactly_as_label_studio_converter_does(string name)
    {
        var (values, rle) = Case(name);
        Assert.Equal(rle, BrushRle.Encode(values));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decodes_the_rle_label_studio_converter_wrote(string name)
    {
        var (values, rle) = Case(name);
        Assert.Equal(values, BrushRle.Decode(rle, values.Length));
    }

    [Fact]
    public void Encodes_the_vector_of_the_converters_own_test()
    {
        // tests/test_brush.py test_rle_encoding of label-studio-converter, also in the fixture.
        byte[] values = [1, 1, 1, 1, 2, 3, 5, 6, 7, 8, 4, 4, 4, 4, 4, 4, 4, 4];
        byte[] expected = [0, 0, 0, 18, 57, 27, 252, 96, 32, 1, 0, 6, 0, 40, 0, 192, 3, 128, 17, 56, 32];
        Assert.Equal(expected, BrushRle.Encode(values));
        Assert.Equal(expected, Bytes(RleFixture().GetProperty("vector").GetProperty("rle")));
        Assert.Equal(values, BrushRle.Decode(expected, values.Length));
    }

    [Fact]
    public void Decodes_literal_blocks_and_other_field_sizes_that_the_editor_may_write()
    {
        // rle-pack (the editor's encoder) may emit literal blocks of several values and other
        // header field sizes; brush.py's encoder never does, so this stream is built by hand:
        // 3 values, 8-bit words, fields 1,2,3,4 bits; one literal block of 3 values: 5, 6, 7.
        var bits = "00000000000000000000000000000011" + "00111" + "0000" + "0001" + "0010" + "0011"
                   + "0" + "01" + "10" + "00000101" + "00000110" + "00000111";
        bits = bits.PadRight((bits.Length + 7) / 8 * 8, '0');
        var rle = Enumerable.Range(0, bits.Length / 8).Select(i => Convert.ToByte(bits.Substring(i * 8, 8), 2)).ToArray();
        Assert.Equal(new byte[] { 5, 6, 7 }, BrushRle.Decode(rle, 3));
    }

    [Fact]
    public void Refuses_a_stream_of_another_length_than_the_image()
    {
        var rle = BrushRle.Encode(new byte[16]);
        Assert.Contains("holds 16 values, expected 20", Assert.Throws<InvalidDataException>(() => BrushRle.Decode(rle, 20)).Message);
    }

    [Fact]
    public void Refuses_a_truncated_stream()
    {
        var rle = BrushRle.Encode([1, 2, 3, 4, 5, 6, 7, 8]);
        Assert.Contains("ends after", Assert.Throws<InvalidDataException>(() => BrushRle.Decode(rle[..^5], 8)).Message);
    }

    [Fact]
    public void Refuses_a_run_past_the_end()
    {
        // A stream for 4 values whose only block repeats a value 8 times.
        var rle = BrushRle.Encode(new byte[8]);
        rle[3] = 4;
        Assert.Contains("goes past", Assert.Throws<InvalidDataException>(() => BrushRle.Decode(rle, 4)).Message);
    }

    [Fact]
    public void Refuses_words_wider_than_a_byte()
    {
        var rle = BrushRle.Encode(new byte[4]);
        rle[4] = (byte)(0b01111_000 | (rle[4] & 0b111)); // word size - 1 = 15
        Assert.Contains("16-bit words", Assert.Throws<InvalidDataException>(() => BrushRle.Decode(rle, 4)).Message);
    }

    [Fact]
    public void Refuses_an_absurdly_long_stream_before_decoding()
    {
        var rle = new byte[BrushRle.MaxEncodedBytes(16) + 1];
        BrushRle.Encode(new byte[16]).CopyTo(rle, 0);
        Assert.Contains("more than any encoding", Assert.Throws<InvalidDataException>(() => BrushRle.Decode(rle, 16)).Message);
    }

    [Fact]
    public void The_length_bound_holds_for_the_longest_encoding_of_brush_py()
    {
        // Alternating values: one 14-bit literal block per value, the densest brush.py writes.
        var values = Enumerable.Range(0, 1000).Select(i => (byte)(i % 2 * 255)).ToArray();
        var rle = BrushRle.Encode(values);
        Assert.True(rle.Length <= BrushRle.MaxEncodedBytes(values.Length));
        Assert.Equal(values, BrushRle.Decode(rle, values.Length));
    }

    internal static JsonElement RleFixture() =>
        JsonDocument.Parse(File.ReadAllBytes(TestQueries.Fixture("label-studio-rle.json"))).RootElement;

    static (byte[] Values, byte[] Rle) Case(string name)
    {
        var c = RleFixture().GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
        var mask = new byte[h * w];
        foreach (var rect in c.GetProperty("rects").EnumerateArray())
        {
            var r = rect.EnumerateArray().Select(e => e.GetInt32()).ToArray();
            for (int y = r[0]; y < r[1]; y++)
                for (int x = r[2]; x < r[3]; x++)
                    mask[y * w + x] = (byte)r[4];
        }
        // mask2rle: every pixel's value in all four channels.
        return (mask.SelectMany(v => new[] { v, v, v, v }).ToArray(), Bytes(c.GetProperty("rle")));
    }

    static byte[] Bytes(JsonElement array) => array.EnumerateArray().Select(e => e.GetByte()).ToArray();
}
