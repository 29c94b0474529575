using S4AL.Domain.Experiments;

namespace S4AL.Domain.Tests.Experiments;

public class LabeledRegionBitsTests
{
    [Fact]
    public void Regions_and_fully_labeled_images_round_trip()
    {
        RegionId[] acquired = [new(4, 2), new(0, 0), new(2, 1), new(4, 0)];
        var bits = LabeledRegionBits.From(5, 3, [3, 1], acquired);
        Assert.Equal((5, 3), (bits.Images, bits.RegionsPerImage));
        Assert.Equal([1, 3], bits.FullyLabeled);
        Assert.Equal(2, bits.Bits.Length);
        // Bit image*regions+region, least significant first: 0, 7 | 12, 14.
        Assert.Equal([0b1000_0001, 0b0101_0000], bits.Bits);
        Assert.Equal(acquired.Order(), bits.Acquired());
    }

    [Fact]
    public void Random_sets_round_trip()
    {
        var random = new Random(1234);
        for (int trial = 0; trial < 200; trial++)
        {
            int images = random.Next(1, 40), regions = random.Next(1, 17);
            var acquired = Enumerable.Range(0, random.Next(0, images * regions + 1))
                .Select(_ => new RegionId(random.Next(images), random.Next(regions))).ToArray();
            var bits = LabeledRegionBits.From(images, regions, [], acquired);
            Assert.Equal((images * regions + 7) / 8, bits.Bits.Length);
            Assert.Equal(acquired.Distinct().Order(), bits.Acquired());
        }
    }

    [Fact]
    public void Nothing_acquired_gives_an_empty_set()
    {
        var bits = LabeledRegionBits.From(3, 3, [2], []);
        Assert.Empty(bits.Acquired());
        Assert.Equal([2], bits.FullyLabeled);
    }

    [Theory]
    [InlineData(5, 0)]
    [InlineData(-1, 0)]
    [InlineData(0, 3)]
    [InlineData(0, -1)]
    public void A_region_outside_the_grid_throws(int image, int region)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => LabeledRegionBits.From(5, 3, [], [new(1, 1), new(image, region)]));
        Assert.Contains($"region {image}:{region} is outside 5 images of 3 regions", ex.Message);
    }

    [Fact]
    public void A_truncated_bitmap_throws_naming_its_size()
    {
        // 5 x 3 regions need 2 bytes.
        var truncated = new LabeledRegionBits(5, 3, [], [0xFF]);
        var ex = Assert.Throws<InvalidDataException>(() => truncated.Acquired().ToList());
        Assert.Equal("labeled-region bitmap has 1 bytes, too few for 5 images x 3 regions", ex.Message);
    }
}
