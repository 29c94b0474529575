namespace S4AL.Domain.Tests;

public class ExperimentIdTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("exp-1")]
    [InlineData("Fashion_MNIST.v2")]
    [InlineData("0")]
    public void Letters_digits_dash_underscore_and_dot_are_valid(string value)
    {
        var id = ExperimentId.Parse(value);
        Assert.Equal(value, id.Value);
        Assert.Equal(value, id.ToString());
    }

    [Fact]
    public void A_hundred_characters_are_valid()
    {
        Assert.Equal(100, ExperimentId.Parse(new string('x', 100)).Value.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a b")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("run:1")]
    [InlineData("café")]
    [InlineData("$system")]
    public void Other_characters_are_invalid(string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => ExperimentId.Parse(value));
        Assert.StartsWith($"experiment id '{value}' is invalid: use 1-100 letters, digits, '-', '_' or '.'", ex.Message);
        Assert.Equal("value", ex.ParamName);
    }

    [Fact]
    public void More_than_a_hundred_characters_are_invalid()
    {
        Assert.Throws<ArgumentException>(() => ExperimentId.Parse(new string('x', 101)));
    }

    [Fact]
    public void Null_is_invalid()
    {
        Assert.Throws<ArgumentException>(() => ExperimentId.Parse(null!));
    }

    [Fact]
    public void Ids_are_equal_by_value()
    {
        Assert.Equal(ExperimentId.Parse("exp-1"), new ExperimentId("exp-1"));
        Assert.NotEqual(ExperimentId.Parse("exp-1"), ExperimentId.Parse("Exp-1"));
    }
}
