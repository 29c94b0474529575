using S4AL.Learning.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace S4AL.Learning.Tests.Training;

public class EmaTeacherTests
{
    sealed class Net : nn.Module<Tensor, Tensor>
    {
        readonly Linear fc;
        readonly BatchNorm1d bn;
        public Net() : base(nameof(Net))
        {
            fc = nn.Linear(2, 2);
            bn = nn.BatchNorm1d(2);
            RegisterComponents();
        }
        public override Tensor forward(Tensor x) => bn.forward(fc.forward(x));
        public Tensor Weight => fc.weight!;
        public Tensor RunningMean => bn.running_mean!;
    }

    static void Fill(Tensor t, float value)
    {
        using var _ = no_grad();
        t.fill_(value);
    }

    [Fact]
    public void Decay_warms_up_as_min_of_one_minus_one_over_t_plus_one_and_m()
    {
        using var teacher = new Net();
        using var student = new Net();
        using var ema = new EmaTeacher(teacher, student, 0.99);
        var decays = new List<double>();
        for (int t = 0; t < 200; t++) { decays.Add(ema.NextDecay); ema.Update(); }
        Assert.Equal(0.0, decays[0]);
        Assert.Equal(0.5, decays[1], 12);
        Assert.Equal(2.0 / 3, decays[2], 12);
        Assert.Equal(0.98, decays[49], 12);
        Assert.Equal(0.99, decays[99], 12);
        Assert.Equal(0.99, decays[199], 12);
        Assert.Equal(200, ema.Updates);
    }

    [Fact]
    public void Update_averages_parameters_in_place_with_the_warm_up_decay()
    {
        using var teacher = new Net();
        using var student = new Net();
        using var ema = new EmaTeacher(teacher, student, 0.99);
        var weight = teacher.Weight;
        long offset = weight.storage_offset();

        Fill(teacher.Weight, 5f);
        Fill(student.Weight, 1f);
        ema.Update(); // d = 0: the teacher becomes the student
        Assert.All(teacher.Weight.data<float>().ToArray(), v => Assert.Equal(1f, v));

        Fill(student.Weight, 3f);
        ema.Update(); // d = 1/2
        Assert.All(teacher.Weight.data<float>().ToArray(), v => Assert.Equal(2f, v, 5));

        Fill(student.Weight, 5f);
        ema.Update(); // d = 2/3: 2/3 * 2 + 1/3 * 5 = 3
        Assert.All(teacher.Weight.data<float>().ToArray(), v => Assert.Equal(3f, v, 5));

        ema.Updates = 1000; // d = m = 0.99: 0.99 * 3 + 0.01 * 5
        ema.Update();
        Assert.All(teacher.Weight.data<float>().ToArray(), v => Assert.Equal(3.02f, v, 5));
        Assert.Same(weight, teacher.Weight);
        Assert.Equal(offset, teacher.Weight.storage_offset());
        Assert.False(teacher.Weight.requires_grad && teacher.Weight.grad is not null);
    }

    [Fact]
    public void Buffers_follow_the_teachers_own_statistics_unless_averaging_is_asked_for()
    {
        using var teacher = new Net();
        using var student = new Net();
        Fill(teacher.RunningMean, 4f);
        Fill(student.RunningMean, 2f);
        using (var code = new EmaTeacher(teacher, student, 0.99))
        {
            code.Update();
            Assert.All(teacher.RunningMean.data<float>().ToArray(), v => Assert.Equal(4f, v));
        }
        using (var averaged = new EmaTeacher(teacher, student, 0.99, averageBuffers: true))
        {
            averaged.Update();
            averaged.Update();
            Assert.All(teacher.RunningMean.data<float>().ToArray(), v => Assert.Equal(2f, v));
        }
    }

    [Fact]
    public void Different_architectures_are_rejected_with_the_parameter_name()
    {
        using var teacher = new Net();
        using var other = nn.Linear(2, 2);
        var ex = Assert.Throws<ArgumentException>(() => new EmaTeacher(teacher, other, 0.99));
        Assert.Contains("'fc.weight'", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmaTeacher(teacher, teacher, 1.0));
    }
}
