using S4AL.Annotation.Web;

namespace S4AL.Annotation.Web.Tests;

public class PageAccessTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", false, false)]
    [InlineData("http://localhost:5080", false, false)]
    [InlineData("http://[::1]:5080", false, false)]
    [InlineData("http://0.0.0.0:5080", true, true)]
    [InlineData("http://192.0.2.7:5080", true, true)]
    public void Without_a_token_reads_are_open_on_loopback_only_and_elsewhere_a_token_is_generated(string url, bool readsNeedToken, bool generated)
    {
        var access = PageAccess.For(new Uri(url), null);
        Assert.Equal(readsNeedToken, access.ReadsNeedToken);
        Assert.Equal(generated, access.Generated);
        Assert.True(access.Token.Length >= 40);
        Assert.NotEqual(access.Token, PageAccess.For(new Uri(url), null).Token);
    }

    [Fact]
    public void A_configured_token_is_required_for_reads_even_on_loopback()
    {
        var access = PageAccess.For(new Uri("http://127.0.0.1:5080"), "0123456789abcdef");
        Assert.True(access.ReadsNeedToken);
        Assert.False(access.Generated);
        Assert.Equal("0123456789abcdef", access.Token);
    }

    [Theory]
    [InlineData("short", "16 to 256")]
    [InlineData("0123456789abcdef with spaces", "only letters")]
    [InlineData("0123456789abcdef\"<script>", "only letters")]
    public void A_weak_or_unsafe_token_is_refused_without_echoing_it(string token, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => PageAccess.CheckToken(token));
        Assert.Contains(why, e.Message);
        Assert.DoesNotContain(token, e.Message);
    }

    [Theory]
    [InlineData("https://127.0.0.1:5080", "http:// only")]
    [InlineData("http://127.0.0.1:5080/annotate", "without a path")]
    [InlineData("http://annotation.example:5080", "IP address")]
    public void An_address_it_cannot_bind_is_refused_naming_it(string url, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => AnnotationPage.Endpoint(new Uri(url)));
        Assert.Contains(why, e.Message);
        Assert.Contains(new Uri(url).ToString(), e.Message);
    }
}
