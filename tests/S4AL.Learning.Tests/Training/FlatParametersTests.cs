using S4AL.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Training;

public class FlatParametersTests
{
    static (Tensor X, Tensor Y) Data(int seed)
    {
        using var g = new Generator((ulong)seed);
        return (randn([2, 3, 8, 12], generator: g), randint(0, 3, [2, 8, 12], generator: g));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Parameters_become_views_of_the_flat_buffers_and_keep_their_layout(bool channelsLast)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        using var net = new TrainerTestNet(3, channelsLast: channelsLast);
        var before = net.parameters().Select(p => p.detach().clone()).ToArray();
        var strides = net.parameters().Select(p => p.stride()).ToArray();
        using var flat = new FlatParameters(net.parameters(), withGradients: true);

        var after = net.parameters().ToArray();
        Assert.Equal(after.Sum(p => p.numel()), flat.Count);
        for (int i = 0; i < after.Length; i++)
        {
            Assert.True(after[i].eq(before[i]).all().item<bool>(), $"parameter {i} changed value");
            Assert.Equal(strides[i], after[i].stride());
        }
        using (no_grad()) flat.Values.fill_(0.5);
        Assert.All(after, p => Assert.True(p.eq(0.5).all().item<bool>()));

        var (x, y) = Data(2);
        net.zero_grad(); // drops .grad; ZeroGradients must re-attach the flat views
        flat.ZeroGradients();
        nn.functional.cross_entropy(net.forward(x), y).backward();
        var perTensor = after.Sum(p => p.grad!.abs().sum().item<float>());
        Assert.True(perTensor > 0);
        Assert.Equal(perTensor, flat.Gradients!.abs().sum().item<float>(), 3);
    }

    [Fact]
    public void Flat_sgd_matches_torchsharp_sgd_with_nesterov_momentum_and_weight_decay()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var a = new TrainerTestNet(3, channelsLast: true);
        torch.manual_seed(3);
        using var b = new TrainerTestNet(3, channelsLast: true);
        using var reference = optim.SGD(a.parameters(), 0.05, 0.9, 0, 5e-4, nesterov: true);
        using var flat = new FlatParameters(b.parameters(), withGradients: true);
        using var sgd = new FlatSgd(flat, 0.05, 0.9, 5e-4, nesterov: true);
        a.train(); b.train();
        for (int step = 0; step < 5; step++)
        {
            var (x, y) = Data(10 + step);
            reference.zero_grad();
            using (torch.manual_seed(100 + step)) { } // the same dropout mask for both networks
            nn.functional.cross_entropy(a.forward(x), y).backward();
            reference.step();
            sgd.ZeroGrad();
            using (torch.manual_seed(100 + step)) { }
            nn.functional.cross_entropy(b.forward(x), y).backward();
            sgd.Step();
        }
        var pa = a.parameters().ToArray();
        var pb = b.parameters().ToArray();
        for (int i = 0; i < pa.Length; i++)
            Assert.True(pa[i].allclose(pb[i], rtol: 1e-5, atol: 1e-6), $"parameter {i} differs after 5 steps");
        Assert.NotNull(sgd.MomentumBuffer);
    }

    [Fact]
    public void A_teacher_laid_out_like_its_student_averages_element_for_element()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(4);
        using var student = new TrainerTestNet(3, channelsLast: true);
        using var teacher = new TrainerTestNet(3, channelsLast: false);
        var teacherBefore = teacher.parameters().Select(p => p.detach().clone()).ToArray();
        using var s = new FlatParameters(student.parameters(), withGradients: false);
        using var t = new FlatParameters(teacher.parameters(), withGradients: false, layoutOf: student.parameters().Select(p => (Tensor)p).ToArray());
        using var ema = new EmaTeacher([(t.Values, s.Values)], 0.99);
        ema.Update(); // d = 0: teacher := student, element for element despite the different layouts
        ema.Update(); // d = 1/2 of two equal values: still the student
        var sp = student.parameters().ToArray();
        var tp = teacher.parameters().ToArray();
        for (int i = 0; i < sp.Length; i++)
        {
            Assert.True(tp[i].allclose(sp[i], rtol: 0, atol: 1e-6), $"parameter {i}: teacher is not the student after d = 0 then d = 1/2 of equal values");
            Assert.Equal(sp[i].stride(), tp[i].stride());
        }
        Assert.False(teacherBefore[0].allclose(tp[0]));
    }

    [Fact]
    public void Mixed_dtypes_are_rejected()
    {
        using var scope = NewDisposeScope();
        using var net = new TrainerTestNet(3);
        using var other = nn.Linear(2, 2).to(ScalarType.Float64);
        var ex = Assert.Throws<ArgumentException>(() => new FlatParameters(net.parameters().Concat(other.parameters()), withGradients: false));
        Assert.Contains("one dtype and device", ex.Message);
    }
}
