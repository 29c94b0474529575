namespace S4AL.Annotation;

/// <summary>
/// The Pascal VOC colour of an index (the bits of the index spread over R, G and B from the high
/// bit down), as datumaro's generate_colormap computes it
/// (cvat-ai/datumaro, datumaro/plugins/voc_format/format.py). Index 0 is black.
/// </summary>
internal static class VocColormap
{
    public static Rgb Color(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        int r = 0, g = 0, b = 0;
        for (int j = 7; j >= 0; j--)
        {
            r |= (index & 1) << j;
            g |= ((index >> 1) & 1) << j;
            b |= ((index >> 2) & 1) << j;
            index >>= 3;
        }
        return new Rgb((byte)r, (byte)g, (byte)b);
    }
}
